// Command salve is a HIPAA-grade online store and patient portal in one binary.
// See 'salve help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"

	"github.com/salvehealth/salve/internal/cli"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context; servers then shut down gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	// Progress lines only for a person at a terminal: when either output is
	// piped or redirected, a script or a log is reading, and a line redrawn
	// with carriage returns would be noise in it.
	if isatty.IsTerminal(os.Stdout.Fd()) && isatty.IsTerminal(os.Stderr.Fd()) {
		env.Progress = os.Stderr
	}
	code := cli.Main(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
