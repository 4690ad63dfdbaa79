// Command perfrun compares the raindrop exporter with the collector's stock otlp_http
// exporter on this machine, in one run: it starts the otelcol-raindrop distribution once
// per exporter, with the same receiver, processors and queue, feeds each the same load
// (cmd/loadgen's interactions, 2 KB prompts) while a local sink answers for the
// destination, and reads the collector's CPU time and peak memory from /proc.
//
//	perfrun -binary _build/otelcol-raindrop [-rate 5000] [-duration 20s] [-prompt-bytes 2048]
//
// `make perf` runs it. The figures are only comparable within one run on one machine.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
)

// exporters are the configurations compared, the first being ours; the others are the
// baseline. %s is the sink's URL.
var exporters = []struct {
	name   string
	config string
}{
	{"raindrop", `
  raindrop:
    endpoint: %s
    write_key: perf`},
	{"otlp_http", `
  otlp_http:
    endpoint: %s`},
	{"otlp_http (no gzip)", `
  otlp_http:
    endpoint: %s
    compression: none`},
}

const pipeline = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: %[1]s
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 1024
exporters:%[3]s
    sending_queue:
      queue_size: 5000
      num_consumers: 10
      batch:
        flush_timeout: 200ms
extensions:
  health_check:
    endpoint: %[2]s
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [%[4]s]
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type result struct {
	name      string
	report    loadgen.Report
	delivered int64 // requests the sink took
	drain     time.Duration
	cpu       time.Duration
	hwm       int64
}

func (r result) cpuPerThousand() float64 {
	if r.report.Accepted == 0 {
		return 0
	}
	return r.cpu.Seconds() * 1000 / float64(r.report.Accepted)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("perfrun", flag.ContinueOnError)
	flags.SetOutput(stderr)
	binary := flags.String("binary", "_build/otelcol-raindrop", "the otelcol-raindrop distribution")
	rate := flags.Float64("rate", 5000, "offered load, interactions per second")
	duration := flags.Duration("duration", 15*time.Second, "load duration per exporter")
	promptBytes := flags.Int("prompt-bytes", 2048, "bytes added to each user prompt")
	batch := flags.Int("batch", 50, "interactions per OTLP request")
	runs := flags.Int("runs", 3, "runs per exporter; the medians are compared")
	samples := flags.String("samples", "testdata/sample", "trace files to replay")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	templates, err := loadgen.LoadTemplates(*promptBytes, *samples)
	if err != nil {
		fmt.Fprintf(stderr, "perfrun: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "offered %.0f interactions/s for %s per exporter, %d-byte prompt padding, "+
		"%d interactions per request, %d CPUs\n", *rate, *duration, *promptBytes, *batch, runtime.NumCPU())

	// Runs alternate between the exporters, so that a burst of other work on the machine
	// is shared out rather than landing on one of them; the medians are compared.
	all := make([][]result, len(exporters))
	for run := range *runs {
		// Every other run goes in reverse order, so that neither exporter always follows
		// the other.
		order := make([]int, len(exporters))
		for i := range order {
			order[i] = i
			if run%2 == 1 {
				order[i] = len(exporters) - 1 - i
			}
		}
		for _, i := range order {
			e := exporters[i]
			r, err := measure(ctx, *binary, e.name, e.config, templates, loadgen.Options{
				Rate: *rate, Duration: *duration, Batch: *batch,
			})
			if err != nil {
				fmt.Fprintf(stderr, "perfrun: %s: %v\n", e.name, err)
				return 1
			}
			fmt.Fprintf(stderr, "  %s: CPU %.3f s / 1,000, peak RSS %d MiB\n", e.name,
				r.cpuPerThousand(), r.hwm>>20)
			all[i] = append(all[i], r)
		}
	}
	results := make([]result, len(all))
	for i, rs := range all {
		results[i] = median(rs)
	}

	fmt.Fprintf(stdout, "medians of %d runs per exporter:\n", *runs)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "exporter\taccepted/s\trefused (max)\tdrain\tCPU s / 1,000\tpeak RSS MiB\t")
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%.0f\t%d\t%s\t%.3f\t%d\t\n", r.name, r.report.AchievedRate(),
			r.report.Rejected, r.drain.Round(10*time.Millisecond), r.cpuPerThousand(), r.hwm>>20)
	}
	_ = w.Flush()
	ours := results[0]
	for i, base := range results[1:] {
		fmt.Fprintf(stdout, "raindrop / %s: CPU per interaction %.2f×, peak memory %.2f×, "+
			"throughput %.2f×\n", base.name, ours.cpuPerThousand()/base.cpuPerThousand(),
			float64(ours.hwm)/float64(base.hwm),
			ours.report.AchievedRate()/base.report.AchievedRate())
		cpu := pairedRatios(all[0], all[i+1], func(r result) float64 { return r.cpuPerThousand() })
		mem := pairedRatios(all[0], all[i+1], func(r result) float64 { return float64(r.hwm) })
		fmt.Fprintf(stdout, "  run by run: CPU %s, peak memory %s\n", cpu, mem)
	}
	return 0
}

// ratios are one figure's ratios between two exporters measured in the same run: the
// machine's other work changes from run to run, and a ratio within a run cancels most of it.
type ratios []float64

func pairedRatios(ours, base []result, figure func(result) float64) ratios {
	out := make(ratios, len(ours))
	for i := range ours {
		out[i] = figure(ours[i]) / figure(base[i])
	}
	return out
}

func (r ratios) String() string {
	sorted := slices.Clone(r)
	slices.Sort(sorted)
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("median %.2f× (%s)", sorted[len(sorted)/2], strings.Join(parts, " / "))
}

// median takes each figure's median over the runs separately.
func median(rs []result) result {
	mid := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	m := rs[0]
	m.cpu = time.Duration(mid(func(r result) float64 { return r.cpuPerThousand() }) *
		float64(m.report.Accepted) / 1000 * float64(time.Second))
	m.hwm = int64(mid(func(r result) float64 { return float64(r.hwm) }))
	m.drain = time.Duration(mid(func(r result) float64 { return float64(r.drain) }))
	rate := mid(func(r result) float64 { return r.report.AchievedRate() })
	m.report.Elapsed = time.Duration(float64(m.report.Accepted) / rate * float64(time.Second))
	for _, r := range rs[1:] {
		m.report.Rejected = max(m.report.Rejected, r.report.Rejected)
	}
	return m
}

// measure runs one exporter configuration: start the collector, send the load, wait for
// the queue to drain into the sink, then read the collector's CPU time and peak RSS.
func measure(
	ctx context.Context,
	binary, name, exporterConfig string,
	templates []*loadgen.Template,
	o loadgen.Options,
) (result, error) {
	sink := newSink()
	defer sink.Close()
	otlpAddr, healthAddr := freeAddr(), freeAddr()
	component, _, _ := strings.Cut(strings.TrimSpace(exporterConfig), ":")
	config := fmt.Sprintf(pipeline, otlpAddr, healthAddr,
		fmt.Sprintf(exporterConfig, sink.URL), component)
	dir, err := os.MkdirTemp("", "perfrun")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		return result{}, err
	}

	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, "--config="+path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitHealthy(healthAddr, 30*time.Second); err != nil {
		return result{}, fmt.Errorf("%w\n%s", err, logs.String())
	}
	pid := cmd.Process.Pid
	cpuBefore, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}

	o.Endpoint = "http://" + otlpAddr + "/v1/traces"
	rep, err := loadgen.Run(ctx, loadgen.NewGenerator(templates), o)
	if err != nil {
		return result{}, err
	}
	loadEnd := time.Now()
	last := sink.waitQuiet(time.Second, 2*time.Minute)
	cpuAfter, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	hwm, err := peakRSS(pid)
	if err != nil {
		return result{}, err
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", name, rep)
	return result{
		name:      name,
		report:    rep,
		delivered: sink.requests(),
		drain:     max(last.Sub(loadEnd), 0),
		cpu:       cpuAfter - cpuBefore,
		hwm:       hwm,
	}, nil
}

// sink answers every export with success, as fast as it can, and notes when the last
// request came.
type sink struct {
	*http.Server
	URL  string
	mu   sync.Mutex
	n    int64
	last time.Time
}

func newSink() *sink {
	s := &sink{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s.URL = "http://" + l.Addr().String()
	s.Server = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			s.mu.Lock()
			s.n++
			s.last = time.Now()
			s.mu.Unlock()
			if strings.HasSuffix(r.URL.Path, "/v1/traces") {
				// An empty ExportTraceServiceResponse.
				w.Header().Set("Content-Type", "application/x-protobuf")
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}),
	}
	go func() { _ = s.Serve(l) }()
	return s
}

func (s *sink) requests() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// waitQuiet waits until no request has come for quiet, and returns when the last came.
func (s *sink) waitQuiet(quiet, limit time.Duration) time.Time {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		last := s.last
		s.mu.Unlock()
		if !last.IsZero() && time.Since(last) > quiet {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Now()
}

func waitHealthy(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/") //nolint:gosec // a loopback address we chose
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("collector not healthy in time")
}

// cpuTime reads a process's user plus system time from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; the fields after it are plain.
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	// utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	// USER_HZ is 100 on every Linux platform Go supports.
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// peakRSS reads VmHWM from /proc/<pid>/status, in bytes.
func peakRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}
