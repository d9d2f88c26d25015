package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment of the helper process that saves and gets killed.
const (
	envCrashDir   = "CITEBOT_TEST_CRASH_DIR"
	envCrashStage = "CITEBOT_TEST_CRASH_STAGE"
	crashReached  = "CRASH-STAGE-REACHED"
)

// TestHelperProcessSave is not a test: run as a child process by
// TestPersistCrashMidSave, it saves a large index into the directory and
// stops at the named stage of the save until it is killed.
func TestHelperProcessSave(t *testing.T) {
	dir, stage := os.Getenv(envCrashDir), os.Getenv(envCrashStage)
	if dir == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	ix, err := NewIndex(ctx, SyntheticCorpus(4000, 5), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	p := &persister{dir: dir, hook: func(s string) {
		if regexp.MustCompile(stage).MatchString(s) {
			fmt.Println(crashReached, s)
			time.Sleep(time.Hour) // wait for SIGKILL
		}
	}}
	if _, err := p.load(ctx, ix.emb); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	if err := p.saveSnapshot(ctx, ix.emb.Name(), ix.snap.Load(), false); err != nil {
		fmt.Fprintln(os.Stderr, "save:", err)
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "save finished without reaching stage", stage)
	os.Exit(3)
}

// TestPersistCrashMidSave kills a process with SIGKILL in the middle of a
// save (while a new segment file is being written, after it is renamed into
// place, and after its terms file is, but before the manifest names them);
// the previous index must load intact.
func TestPersistCrashMidSave(t *testing.T) {
	for _, stage := range []string{`^writing seg-.*\.vec$`, `^renamed seg-.*\.vec$`, `^renamed seg-.*\.terms$`} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			c := testCorpus(t)
			openPersisted(t, dir, c, NewLocalEmbedder(0), nil)

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessSave$", "-test.count=1")
			cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashStage+"="+stage)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			reached := false
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), crashReached) {
					reached = true
					break
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if !reached {
				t.Fatalf("helper never reached stage %q; stderr:\n%s", stage, stderr.String())
			}

			emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
			var logs logBuffer
			ix := openPersisted(t, dir, c, emb, logs.logger())
			if emb.docs.Load() != 0 || ix.Len() != len(c.Passages) {
				t.Errorf("after the crash: embedded %d, %d passages; want the previous index (0 embedded, %d passages)\n%s",
					emb.docs.Load(), ix.Len(), len(c.Passages), logs.String())
			}
			if strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("previous index not used cleanly:\n%s", logs.String())
			}
			// Saving again after the crash works and the result loads.
			edited := testCorpus(t)
			edited.Passages[0].Text += " Later."
			if _, err := ix.Update(context.Background(), edited); err != nil {
				t.Fatal(err)
			}
			if err := ix.Save(context.Background()); err != nil {
				t.Fatal(err)
			}
			again := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
			openPersisted(t, dir, edited, again, nil)
			if again.docs.Load() != 0 {
				t.Errorf("save after the crash not reused: embedded %d", again.docs.Load())
			}
		})
	}
}
