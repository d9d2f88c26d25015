package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// command is one citebot subcommand. Each lives in its own file with its own
// flag set and usage text.
type command struct {
	name     string
	synopsis string
	run      func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands in the order usage shows them.
func commands() []command {
	return []command{
		{"ask", "answer a question with quoted, cited excerpts", runAsk},
		{"search", "list the passages that match a query", runSearch},
		{"corpus", "list the articles and passages in the corpus", runCorpus},
		{"eval", "measure retrieval quality on a question set", runEval},
		{"calibrate", "fit the answer/abstain model on questions with known answers", runCalibrate},
		{"bench", "measure indexing and query speed on synthetic corpora", runBench},
		{"index", "build or refresh the persisted index", runIndex},
		{"model", "report or install the MiniLM embedding model", runModel},
		{"embed", "print the vector the configured embedder gives a text", runEmbed},
		{"register", "register the slash commands with Discord", runRegister},
		{"serve", "run the Discord bot (gateway and/or HTTP interactions)", runServe},
	}
}

// env is what a subcommand may touch of the outside world.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is a mistake in how citebot was called: exit status 2, and the
// usage text follows the one-line message.
type usageError struct {
	err   error
	usage string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(usage, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), usage: usage}
}

// helpRequest is -h or -help: the command's usage goes to stdout, exit 0.
type helpRequest struct{ usage string }

func (h *helpRequest) Error() string { return "help requested" }

// exitCode maps run's error to the process exit status: 0 success, 2 bad
// usage or configuration, 1 anything else.
func exitCode(err error) int {
	var ue *usageError
	var ce *configError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.As(err, &ce):
		return 2
	default:
		return 1
	}
}

// configError is a bad or missing environment variable.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// run is citebot's whole program: main only calls it. Errors are printed to
// stderr here (one line, plus usage for usage errors) and returned so main
// can pick the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdin, stdout, stderr)
	var help *helpRequest
	if errors.As(err, &help) {
		fmt.Fprint(stdout, help.usage)
		return nil
	}
	if err == nil {
		return nil
	}
	fmt.Fprintf(stderr, "citebot: %s\n", oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) && ue.usage != "" {
		fmt.Fprint(stderr, "\n"+ue.usage)
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return usagef(mainUsage(), "missing subcommand")
	}
	name := args[1]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		fmt.Fprint(stdout, mainUsage())
		return nil
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		ge, err := withDotenv(getenv, ".env")
		if err != nil {
			return &configError{err}
		}
		return c.run(ctx, &env{getenv: ge, stdin: stdin, stdout: stdout, stderr: stderr}, args[2:])
	}
	return usagef(mainUsage(), "unknown subcommand %q", name)
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString("Usage: citebot <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.synopsis)
	}
	b.WriteString("\nRun 'citebot <command> -h' for a command's flags. Configuration comes from the\n" +
		"environment and ./.env (see .env.example).\n")
	return b.String()
}

// parseFlags parses args with fs, turning flag errors into usage errors.
// Flags may come before or after the positional arguments.
func parseFlags(fs *flag.FlagSet, usage string, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{usage}
			}
			return nil, usagef(usage, "%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadEnvConfig reads the configuration, marking errors as configuration
// errors (exit status 2).
func (e *env) config() (config, error) {
	c, err := loadConfig(e.getenv)
	if err != nil {
		return c, &configError{fmt.Errorf("configuration: %w (see .env.example)", err)}
	}
	return c, nil
}

// logger builds the process logger on stderr from CITEBOT_LOG_FORMAT and
// CITEBOT_LOG_LEVEL (default info).
func (e *env) logger(c config) *slog.Logger { return e.loggerAt(c, slog.LevelInfo) }

// cliLogger is the logger of the one-shot commands (ask, search, …): their
// output is the answer, so by default only warnings (skipped files, a
// degraded embedder) reach stderr.
func (e *env) cliLogger(c config) *slog.Logger { return e.loggerAt(c, slog.LevelWarn) }

func (e *env) loggerAt(c config, def slog.Level) *slog.Logger {
	lvl := def
	switch c.LogLevel {
	case "info":
		lvl = slog.LevelInfo
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
