// Command salve is a HIPAA-grade online store and patient portal in one binary.
// See 'salve help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/salvehealth/salve/internal/cli"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context; servers then shut down gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
