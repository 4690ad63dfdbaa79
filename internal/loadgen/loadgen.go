// Package loadgen sends a steady stream of LLM interactions to an OTLP/HTTP receiver: it
// replays OTLP/JSON trace files with fresh trace ids, their user prompts padded to a given
// size, at a given rate, and records which interactions the receiver accepted. The load
// tool (cmd/loadgen), the comparison run (cmd/perfrun) and the fault tests (e2e) share it,
// so the figures they report are counted the same way.
package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/otlpfiles"
)

// maxAnswer bounds how much of a refusal is read and kept.
const maxAnswer = 512

// Template is one trace file ready to be replayed: its OTLP protobuf encoding and the trace
// ids in it, which every replay replaces with fresh ones.
type Template struct {
	Name     string
	encoded  []byte
	traceIDs []pcommon.TraceID
}

// Interactions is how many interactions one replay of the template sends, counted as one
// per trace: true of the sample files, where each trace is one model call or one wrapper
// over its calls.
func (t *Template) Interactions() int { return len(t.traceIDs) }

// LoadTemplates reads the OTLP/JSON trace files named, or found under the directories
// named, and pads the latest user message of every span that carries one with promptBytes
// bytes of text (none when zero).
func LoadTemplates(promptBytes int, paths ...string) ([]*Template, error) {
	files, err := otlpfiles.Expand(paths)
	if err != nil {
		return nil, err
	}

	var out []*Template
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(data, &top) != nil || top["resourceSpans"] == nil {
			continue // logs exports, versions.json and the like
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		t, err := NewTemplate(path, td, promptBytes)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no OTLP/JSON trace files in %s", strings.Join(paths, ", "))
	}
	return out, nil
}

// NewTemplate pads td's prompts and encodes it once; replays only swap trace ids in the
// encoding, which keeps the generator's own CPU use small next to the collector's.
func NewTemplate(name string, td ptrace.Traces, promptBytes int) (*Template, error) {
	t := &Template{Name: name}
	seen := map[pcommon.TraceID]bool{}
	forEachSpan(td, func(s ptrace.Span) {
		if id := s.TraceID(); !id.IsEmpty() && !seen[id] {
			seen[id] = true
			t.traceIDs = append(t.traceIDs, id)
		}
		if promptBytes > 0 {
			padSpan(s, Padding(promptBytes))
		}
	})
	if len(t.traceIDs) == 0 {
		return nil, fmt.Errorf("%s: no spans with a trace id", name)
	}
	var err error
	t.encoded, err = (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding: %w", name, err)
	}
	for _, id := range t.traceIDs {
		// Swapping ids by byte replacement needs each id to appear only as an id.
		if bytes.Count(t.encoded, id[:]) == 0 {
			return nil, fmt.Errorf("%s: trace id %s not found in the encoding", name, id)
		}
	}
	return t, nil
}

// Padding returns n bytes of plain prose.
func Padding(n int) string {
	const text = "Please keep this context in mind when you answer the question below. "
	return strings.Repeat(text, n/len(text)+1)[:n]
}

// Generator makes OTLP/HTTP request bodies of fresh interactions, taking the templates in
// turn. It is not safe for concurrent use.
type Generator struct {
	templates []*Template
	next      int
}

// NewGenerator returns a generator over the templates.
func NewGenerator(templates []*Template) *Generator {
	return &Generator{templates: templates}
}

// Batch is one export request: its protobuf body, the hex trace ids it carries and how
// many interactions those are.
type Batch struct {
	Body         []byte
	TraceIDs     []string
	Interactions int
}

// Next returns a request of at least n interactions (whole templates), like one export of
// an SDK's batch span processor. Repeated fields concatenate in protobuf, so the request is
// the templates' encodings one after the other.
func (g *Generator) Next(n int) (Batch, error) {
	var b Batch
	for b.Interactions < n {
		t := g.templates[g.next]
		g.next = (g.next + 1) % len(g.templates)
		body := t.encoded
		for _, old := range t.traceIDs {
			var id pcommon.TraceID
			if _, err := rand.Read(id[:]); err != nil {
				return Batch{}, err
			}
			body = bytes.ReplaceAll(body, old[:], id[:])
			b.TraceIDs = append(b.TraceIDs, id.String())
		}
		b.Body = append(b.Body, body...)
		b.Interactions += t.Interactions()
	}
	return b, nil
}

// Options say how hard and how long to send.
type Options struct {
	// Endpoint is the receiver's traces URL, such as http://localhost:4318/v1/traces.
	Endpoint string
	// Rate is the offered load in interactions per second.
	Rate float64
	// Duration is how long to send; zero sends until the context ends.
	Duration time.Duration
	// Batch is the number of interactions per request (default 10).
	Batch int
	// Concurrency bounds the requests in flight (default 16); when all are busy the
	// generator falls behind and the achieved rate says so.
	Concurrency int
	// Timeout of each request (default 10s).
	Timeout time.Duration
	// OnResult, when set, is called for every request with its trace ids and the error
	// the receiver answered (nil when it accepted them). Calls may be concurrent.
	OnResult func(traceIDs []string, err error)
}

// Report sums up a run.
type Report struct {
	Elapsed  time.Duration
	Requests int
	Refused  int // requests the receiver answered with an error or did not answer
	// Interactions sent, accepted (2xx) and refused.
	Sent, Accepted, Rejected int
	// Errors counts the distinct errors seen, by their text.
	Errors map[string]int
}

// AchievedRate is the accepted interactions per second.
func (r Report) AchievedRate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted) / r.Elapsed.Seconds()
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d interactions in %d requests over %s: %d accepted (%.0f/s), %d refused",
		r.Sent, r.Requests, r.Elapsed.Round(time.Millisecond), r.Accepted, r.AchievedRate(),
		r.Rejected)
	keys := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %d× %s", r.Errors[k], k)
	}
	return b.String()
}

// Run sends batches at the offered rate until the duration is over or ctx ends, and waits
// for the requests in flight.
func Run(ctx context.Context, g *Generator, o Options) (Report, error) {
	if o.Rate <= 0 {
		return Report{}, errors.New("rate must be positive")
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	client := &http.Client{
		Timeout:   o.Timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency},
	}
	defer client.CloseIdleConnections()

	var (
		mu  sync.Mutex
		rep = Report{Errors: map[string]int{}}
		wg  sync.WaitGroup
	)
	slots := make(chan struct{}, o.Concurrency)
	interval := time.Duration(float64(time.Second) * float64(o.Batch) / o.Rate)
	start := time.Now()
	for due := start; ; due = due.Add(interval) {
		// Sleeping to a schedule rather than by a ticker lets a late request be caught up
		// by the next ones instead of lowering the offered rate for good.
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		b, err := g.Next(o.Batch)
		if err != nil {
			return rep, err
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			// The request outlives the run's context: a request cut at the end of the run
			// would count as refused although the receiver may have taken it.
			err := post(context.WithoutCancel(ctx), client, o.Endpoint, b.Body)
			if o.OnResult != nil {
				o.OnResult(b.TraceIDs, err)
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Requests++
			rep.Sent += b.Interactions
			if err != nil {
				rep.Refused++
				rep.Rejected += b.Interactions
				rep.Errors[err.Error()]++
				return
			}
			rep.Accepted += b.Interactions
		}()
	}
	rep.Elapsed = time.Since(start)
	wg.Wait()
	return rep, nil
}

// post sends one export request; any answer but 2xx is an error that names the status,
// since an OTLP sender retries or drops on it.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := client.Do(req)
	if err != nil {
		// The URL and port in a transport error differ per run; keep the cause only.
		var cause error = err
		for u := errors.Unwrap(cause); u != nil; u = errors.Unwrap(cause) {
			cause = u
		}
		return fmt.Errorf("transport: %w", cause)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return &StatusError{Code: resp.StatusCode, Text: resp.Status + ": " + printable(answer)}
	}
	return nil
}

// StatusError is a refusal the receiver answered. Any other error leaves open whether the
// receiver took the request before the connection failed.
type StatusError struct {
	Code int
	Text string
}

func (e *StatusError) Error() string { return e.Text }

// printable keeps the readable part of a protobuf or text error body.
func printable(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0xFFFD {
			return -1
		}
		return r
	}, string(b))
	return strings.TrimSpace(s)
}

func forEachSpan(td ptrace.Traces, fn func(ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				fn(s)
			}
		}
	}
}
