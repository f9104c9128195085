// Package cli is the salve command line: one file per subcommand. Main parses
// the subcommand, its flags and the SALVE_* environment, runs it, and turns its
// error into an exit status: 0 done, 1 failed, 2 invalid usage or setting.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/httpx"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	// Progress, if set, is where long work draws its progress line (see
	// progress.go): the terminal, set by main only when both stdout and
	// stderr are terminals. Nil (piped, redirected, tests) keeps it quiet.
	Progress io.Writer
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	Clock    clock.Clock
	// Ready, if set, is called with the URL once a server listens (tests).
	Ready func(url string)
	// Argon2, if set, replaces the password hashing cost (tests).
	Argon2 auth.Argon2Params
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	// usage is the text after "Usage:" and before the flags.
	usage string
	run   func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		serveCommand(),
		demoCommand(),
		migrateCommand(),
		tenantCommand(),
		orgCommand(),
		userCommand(),
		ssoCommand(),
		catalogCommand(),
		labsCommand(),
		devicesCommand(),
		auditCommand(),
		keysCommand(),
		backupCommand(),
		configCommand(),
		versionCommand(),
		// Compliance operations (issue 19).
		changesCommand(),
		complianceCommand(),
	}
}

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Clock == nil {
		env.Clock = clock.System{}
	}
	if env.ReadFile == nil {
		env.ReadFile = os.ReadFile
	}
	if len(args) == 0 {
		printHelp(env.Stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					return exitCode(env, c.run(ctx, env, []string{"-h"}))
				}
			}
			fmt.Fprintf(env.Stderr, "salve: unknown command %q\n", args[1])
			return 2
		}
		printHelp(env.Stdout)
		return 0
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(env.Stderr, "salve: unknown command %q; see 'salve help'\n", name)
		return 2
	}
	return exitCode(env, commands()[i].run(ctx, env, args[1:]))
}

func exitCode(env *Env, err error) int {
	var ue *usageError
	var ce *config.Error
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ce), errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "salve: %v\n", err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "salve: %v\n", err)
		return 1
	}
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `Salve: a HIPAA-grade online store and patient portal in one binary.

Usage:
  salve <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'salve help <command>' or 'salve <command> -h' for a command's flags.
Every flag can also be set with an environment variable: --phi-db is SALVE_PHI_DB,
and secrets can be read from a file named by SALVE_PHI_DB_FILE.
'serve' and 'demo' run Go's garbage collector at GOGC=400 unless GOGC is set;
GOMEMLIMIT caps the heap (docs/configuration.md).
`)
}

// flags returns a flag set that prints the command's usage on -h.
func flags(env *Env, c command) *flag.FlagSet {
	fs := flag.NewFlagSet("salve "+c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: salve %s\n\n%s\n", c.usage, c.summary)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(out, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags and reports a usage error for stray arguments; -h prints
// the usage to stdout.
func parse(env *Env, fs *flag.FlagSet, args []string, maxArgs int) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return &usageError{strings.TrimSpace(err.Error())}
	}
	if fs.NArg() > maxArgs {
		return usagef("unexpected argument %q; see 'salve help %s'", fs.Arg(maxArgs), strings.TrimPrefix(fs.Name(), "salve "))
	}
	return nil
}

// newLogger returns the process logger: JSON or text on stderr, every line of
// a request carrying its request id.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(httpx.LogHandler(h))
}
