package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

// answer is what the fault fake replies to one request: a status and extra headers.
type answer struct {
	status int
	header http.Header
}

// arrival is one request as the fault fake saw it, without its body: the load tests send
// thousands of events, and keeping ids is enough to account for them.
type arrival struct {
	at       time.Time
	status   int
	size     int
	eventIDs []string
}

// faultRaindrop is a fake Raindrop for the load and fault tests. Unlike fakeRaindrop it
// answers what the test scripts (503, 429, 413, ...), can be stopped and started again on
// the same address to refuse connections for a while, and records which events were
// accepted rather than whole requests.
type faultRaindrop struct {
	t    *testing.T
	addr string
	URL  string

	mu     sync.Mutex
	srv    *httptest.Server
	script func(body []byte, events []raindroptest.Event) answer
	log    []arrival
	// accepted maps each trace id to the event ids accepted for it, one entry a delivery.
	accepted map[string][]string
	// attempts counts the requests each event id came in, whatever the answer.
	attempts map[string]int
}

func newFaultRaindrop(t *testing.T) *faultRaindrop {
	t.Helper()
	f := &faultRaindrop{t: t, accepted: map[string][]string{}, attempts: map[string]int{}}
	f.addr = freeAddr(t)
	f.URL = "http://" + f.addr
	f.start()
	t.Cleanup(f.stop)
	return f
}

// start listens on the fake's address; after a stop, connections are refused until then.
func (f *faultRaindrop) start() {
	f.t.Helper()
	var l net.Listener
	var err error
	// The port was ours a moment ago; the old listener's close may take an instant.
	for range 50 {
		if l, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(f.t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.handle))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
}

func (f *faultRaindrop) stop() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// setScript sets how the fake answers from now on; nil accepts everything with 204.
func (f *faultRaindrop) setScript(fn func(body []byte, events []raindroptest.Event) answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = fn
}

func (f *faultRaindrop) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	assert.NoError(f.t, err)
	events, err := raindroptest.ValidateEvents(body)
	assert.NoError(f.t, err, "body %s", tail(body))

	f.mu.Lock()
	a := answer{status: http.StatusNoContent}
	if f.script != nil {
		a = f.script(body, events)
	}
	arr := arrival{at: time.Now(), status: a.status, size: len(body)}
	for _, ev := range events {
		arr.eventIDs = append(arr.eventIDs, ev.EventID)
		f.attempts[ev.EventID]++
		if a.status/100 == 2 {
			f.accepted[traceID(ev)] = append(f.accepted[traceID(ev)], ev.EventID)
		}
	}
	f.log = append(f.log, arr)
	f.mu.Unlock()

	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	if a.status/100 != 2 {
		_, _ = fmt.Fprintf(w, `{"error":%q}`, http.StatusText(a.status))
	}
}

func (f *faultRaindrop) arrivals() []arrival {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// missing returns the trace ids of want that no accepted event carries yet.
func (f *faultRaindrop) missing(want []string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range want {
		if len(f.accepted[id]) == 0 {
			out = append(out, id)
		}
	}
	return out
}

// waitDelivered waits until an event of every trace id in want has been accepted.
func (f *faultRaindrop) waitDelivered(t *testing.T, want []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := f.missing(want)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d accepted interactions never reached Raindrop (first: %s)",
				timeout, len(left), len(want), left[0])
		}
		time.Sleep(pollEvery)
	}
}

// waitQuiet waits until no request has arrived for quietPeriod.
func (f *faultRaindrop) waitQuiet(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	n, since := len(f.arrivals()), time.Now()
	for time.Since(since) < quietPeriod {
		require.False(t, time.Now().After(deadline), "requests kept coming for %s", deliveryTimeout)
		time.Sleep(pollEvery)
		if m := len(f.arrivals()); m != n {
			n, since = m, time.Now()
		}
	}
}

// checkAccounting requires every interaction the receiver accepted to have reached
// Raindrop, none it refused to have, and every copy of an interaction to carry one event
// id, so that Raindrop's idempotency on event_id removes the duplicates. It returns the
// number of duplicate deliveries.
func (f *faultRaindrop) checkAccounting(t *testing.T, accepted, refused []string) int {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	dups := 0
	for _, id := range accepted {
		ids := f.accepted[id]
		if !assert.NotEmpty(t, ids, "interaction %s was accepted but never delivered", id) {
			continue
		}
		dups += len(ids) - 1
		assert.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), 1,
			"trace %s was delivered as different events %v", id, ids)
	}
	for _, id := range refused {
		assert.Empty(t, f.accepted[id], "an event of trace %s, which the receiver refused", id)
	}
	return dups
}

// recorder collects the trace ids the receiver accepted, and those it refused with an
// error status. A request cut by a transport error is in neither: the collector may have
// queued it before it died, and delivering it is then right.
type recorder struct {
	mu       sync.Mutex
	accepted []string
	refused  []string
}

func (r *recorder) onResult(ids []string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var status *loadgen.StatusError
	switch {
	case err == nil:
		r.accepted = append(r.accepted, ids...)
	case errors.As(err, &status):
		r.refused = append(r.refused, ids...)
	}
}

func (r *recorder) refusedIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.refused)
}

func (r *recorder) acceptedIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.accepted)
}

// loadRun is a load run in the background.
type loadRun struct {
	rec    *recorder
	cancel context.CancelFunc
	done   chan struct{}
	report loadgen.Report
	err    error
}

// startLoad sends the sample interactions, with 2 KB prompts, to the receiver at rate
// interactions a second until stopped.
func startLoad(t *testing.T, otlpAddr string, rate float64, batch int) *loadRun {
	t.Helper()
	templates, err := loadgen.LoadTemplates(2048, sampleDir)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	l := &loadRun{rec: &recorder{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.report, l.err = loadgen.Run(ctx, loadgen.NewGenerator(templates), loadgen.Options{
			Endpoint: "http://" + otlpAddr + "/v1/traces",
			Rate:     rate,
			Batch:    batch,
			Timeout:  5 * time.Second,
			OnResult: l.rec.onResult,
		})
	}()
	t.Cleanup(l.stop)
	return l
}

func (l *loadRun) stop() {
	l.cancel()
	<-l.done
}

// finish stops the load and returns its report.
func (l *loadRun) finish(t *testing.T) loadgen.Report {
	t.Helper()
	l.stop()
	require.NoError(t, l.err)
	t.Logf("load: %s", l.report)
	return l.report
}

// memory reads a process's resident set and its peak, in bytes, from /proc.
func memory(t *testing.T, pid int) (rss, hwm int64) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0 // not Linux, or the process is gone
	}
	for line := range strings.Lines(string(data)) {
		name, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// envDuration reads a duration from the environment, so a longer run can be asked for by
// hand without changing the test.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	require.NoError(t, err, "%s", name)
	return d
}

func envFloat(t *testing.T, name string, def float64) float64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	require.NoError(t, err, "%s", name)
	return f
}
