// Command winnow is the Winnow alert triage engine. All behaviour lives in
// internal/app so that it can be built and tested without a process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/winnow-soc/winnow/connectors/all" // every connector, registered
	"github.com/winnow-soc/winnow/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels ctx so that commands wind down cleanly;
	// restoring the default handlers then lets a second one kill a command
	// that is blocked reading its input.
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := app.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
