// Command loadgen sends a steady stream of LLM interactions to a running collector's
// OTLP/HTTP receiver and reports the rate it achieved and the errors it got back.
//
//	loadgen [-endpoint URL] [-rate N] [-duration D] [-prompt-bytes N] [FILE_OR_DIR...]
//
// It replays OTLP/JSON trace files (testdata/sample by default), each replay with fresh
// trace ids so that every one becomes new events, with the latest user message of every
// prompt padded by -prompt-bytes. One trace counts as one interaction. Requests carry
// -batch interactions each, as an SDK's batch span processor would send them.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	endpoint := flags.String("endpoint", "http://localhost:4318/v1/traces", "OTLP/HTTP traces URL")
	rate := flags.Float64("rate", 1000, "offered load, interactions per second")
	duration := flags.Duration("duration", 10*time.Second, "how long to send")
	promptBytes := flags.Int("prompt-bytes", 2048, "bytes added to each user prompt")
	batch := flags.Int("batch", 10, "interactions per request")
	concurrency := flags.Int("concurrency", 16, "requests in flight at most")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: loadgen [flags] [FILE_OR_DIR...] (default testdata/sample)")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	paths := flags.Args()
	if len(paths) == 0 {
		paths = []string{"testdata/sample"}
	}

	templates, err := loadgen.LoadTemplates(*promptBytes, paths...)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	rep, err := loadgen.Run(ctx, loadgen.NewGenerator(templates), loadgen.Options{
		Endpoint:    *endpoint,
		Rate:        *rate,
		Duration:    *duration,
		Batch:       *batch,
		Concurrency: *concurrency,
	})
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "offered %.0f interactions/s from %d files with %d-byte prompt padding\n",
		*rate, len(templates), *promptBytes)
	fmt.Fprintln(stdout, rep)
	if rep.Rejected > 0 {
		return 1
	}
	return 0
}
