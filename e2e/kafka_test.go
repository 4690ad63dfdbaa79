package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

const (
	// The topic and group named in config/kafka-tier1.yaml and kafka-tier2.yaml.
	kafkaTopic = "otlp_spans"
	kafkaGroup = "otelcol-raindrop"
	// More partitions than tier-2 collectors, so that each collector owns several
	// and the traces spread over both.
	kafkaPartitions = 4

	groupTimeout = 30 * time.Second

	// spanGap spaces the requests of a trace sent one span at a time. The exporter's
	// batcher (flush_timeout 200ms here) would merge requests closer than that, hiding a
	// missing groupbytrace; the widest trace sent (6 spans) spreads over 5 gaps, within
	// the 2s wait_duration of kafka-tier2.yaml.
	spanGap = 250 * time.Millisecond
)

// kafkaInteractions are multi-span interactions that must each fold into one event:
// Vercel's ai.generateText over its .doGenerate calls, and invoke_agent over chat
// calls, with tool and step spans between them.
var kafkaInteractions = []string{
	"vercel-ai-v6/chat.json",
	"vercel-ai-v6/tool_loop.json",
	"vercel-ai-v5/tool_loop.json",
	"vercel-ai-v7-otel/tool_loop.json",
	"handbuilt/invoke-agent.json",
}

// TestKafkaScaleOut runs the Kafka topology of the README's "Scaling out" with the
// shipped configurations: one tier-1 collector writes spans keyed by trace id to a
// partitioned topic, two tier-2 collectors read it in one consumer group through
// groupbytrace into the exporter, each posting to a Raindrop of its own. Half the
// interactions arrive one span a request, children first. Every interaction must
// become exactly one event, made by one tier-2 collector only.
func TestKafkaScaleOut(t *testing.T) {
	t.Parallel()
	binary := collectorBinary(t)
	broker := startKafka(t)

	var tier2 [2]*collector
	var raindrops [2]*fakeRaindrop
	for i := range tier2 {
		raindrops[i] = newFakeRaindrop(t)
		healthAddr := freeAddr(t)
		tier2[i] = startCollector(t, binary, healthAddr, []string{"RAINDROP_WRITE_KEY"},
			"--config="+filepath.Join("..", "config", "kafka-tier2.yaml"),
			"--set=receivers::kafka::brokers=["+broker+"]",
			// Quick to notice the second member, so the group settles in a second or two.
			"--set=receivers::kafka::heartbeat_interval=200ms",
			"--set=exporters::raindrop::endpoint="+raindrops[i].URL,
			"--set=exporters::raindrop::write_key="+writeKey,
			"--set=exporters::raindrop::project_id="+projectID,
			"--set=exporters::raindrop::sending_queue::batch::flush_timeout=200ms",
			"--set=extensions::health_check::endpoint="+healthAddr,
			"--set=service::telemetry::metrics::level=none",
		)
	}
	// Sending before both members own partitions would have the group rebalance with
	// traces in flight, which is the risk the README describes, not what this test
	// pins down.
	waitForGroup(t, broker, len(tier2))

	otlpAddr, grpcAddr, healthAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	tier1 := startCollector(t, binary, healthAddr, nil,
		"--config="+filepath.Join("..", "config", "kafka-tier1.yaml"),
		"--set=exporters::kafka::brokers=["+broker+"]",
		"--set=receivers::otlp::protocols::http::endpoint="+otlpAddr,
		"--set=receivers::otlp::protocols::grpc::endpoint="+grpcAddr,
		"--set=extensions::health_check::endpoint="+healthAddr,
		"--set=service::telemetry::metrics::level=none",
	)

	// Each file four times, each time with trace ids of its own: twenty interactions
	// spread over the partitions, ten of them sent one span a request.
	var files []*traceFile
	for range 4 {
		for _, name := range kafkaInteractions {
			files = append(files, loadTraceFile(t, filepath.Join(fixtureDir, name)))
		}
	}
	receiver := "http://" + otlpAddr
	var split [][][]byte
	for i, f := range files {
		if i%2 == 0 {
			f.send(t, receiver)
		} else {
			split = append(split, f.spanRequests(t))
		}
	}
	sendSpread(t, receiver, split)
	delivered := func() []raindroptest.Event {
		return append(decodeEvents(raindrops[0].requests()),
			decodeEvents(raindrops[1].requests())...)
	}
	waitForEvents(t, "an event for every interaction", func() []string {
		return undelivered(files, delivered())
	})
	for _, r := range raindrops {
		waitForQuiet(t, r)
	}
	// What the pipeline delivered in steady state; stopping a tier-2 collector
	// rebalances the group, which may replay records, and is not what is tested here.
	var perInstance [2][]raindroptest.Event
	for i, r := range raindrops {
		perInstance[i] = checkRequests(t, r.requests())
	}
	for _, c := range append(tier2[:], tier1) {
		assert.Empty(t, logLines(c.stderr.String(), "error"), "a collector logged errors")
	}

	all := append(slices.Clone(perInstance[0]), perInstance[1]...)
	checkFiles(t, files, all)
	for _, f := range files {
		mine := eventsOf(f, all)
		assert.Equal(t, 1, len(mine), "%s (trace %s): one event per interaction, got %s",
			f.name, f.traceIDs, describeEvents(mine))
	}
	byID := map[string]int{}
	for _, ev := range all {
		byID[ev.EventID]++
	}
	for id, n := range byID {
		assert.Equal(t, 1, n, "event_id %s delivered %d times", id, n)
	}
	traces := [2]map[string]bool{{}, {}}
	for i, events := range perInstance {
		assert.NotEmpty(t, events, "tier-2 collector %d made no event: the traces did not spread", i)
		for _, ev := range events {
			traces[i][traceID(ev)] = true
		}
	}
	for id := range traces[0] {
		assert.False(t, traces[1][id], "trace %s made events in both tier-2 collectors", id)
	}
	t.Logf("%d interactions: %d events from tier-2 collector 0, %d from collector 1",
		len(files), len(perInstance[0]), len(perInstance[1]))
}

// startKafka runs an in-process Kafka broker with the topic already made, and returns
// its address.
func startKafka(t *testing.T) string {
	t.Helper()
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.SeedTopics(kafkaPartitions, kafkaTopic),
	)
	require.NoError(t, err)
	t.Cleanup(cluster.Close)
	return cluster.ListenAddrs()[0]
}

// waitForGroup waits until the consumer group is stable with the given number of
// members, each owning at least one partition of the topic, and all partitions
// owned.
func waitForGroup(t *testing.T, broker string, members int) {
	t.Helper()
	client, err := kgo.NewClient(kgo.SeedBrokers(broker))
	require.NoError(t, err)
	defer client.Close()

	deadline := time.Now().Add(groupTimeout)
	var last string
	for {
		owned, state, err := groupAssignment(client)
		switch {
		case err != nil:
			last = err.Error()
		case state == "Stable" && len(owned) == members && sum(owned) == kafkaPartitions &&
			!slices.Contains(owned, 0):
			t.Logf("consumer group %s: partitions per member %v", kafkaGroup, owned)
			return
		default:
			last = fmt.Sprintf("state %s, partitions per member %v", state, owned)
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer group %s not settled after %s: %s", kafkaGroup, groupTimeout, last)
		}
		time.Sleep(pollEvery)
	}
}

// groupAssignment returns how many partitions of the topic each member of the group
// owns, and the group's state.
func groupAssignment(client *kgo.Client) ([]int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{kafkaGroup}
	resp, err := req.RequestWith(ctx, client)
	if err != nil {
		return nil, "", err
	}
	if len(resp.Groups) != 1 {
		return nil, "", fmt.Errorf("describe groups: %d groups in the answer", len(resp.Groups))
	}
	group := resp.Groups[0]
	var owned []int
	for _, m := range group.Members {
		var a kmsg.ConsumerMemberAssignment
		if len(m.MemberAssignment) > 0 {
			if err := a.ReadFrom(m.MemberAssignment); err != nil {
				return nil, "", fmt.Errorf("member %s: %w", m.MemberID, err)
			}
		}
		n := 0
		for _, topic := range a.Topics {
			if topic.Topic == kafkaTopic {
				n += len(topic.Partitions)
			}
		}
		owned = append(owned, n)
	}
	return owned, group.State, nil
}

// describeEvents names each event by the span it was made from and its model, short
// enough for a failure message.
func describeEvents(events []raindroptest.Event) string {
	var parts []string
	for _, ev := range events {
		parts = append(parts, fmt.Sprintf("%v (%s)", ev.Properties["span_id"], eventModel(ev)))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// spanRequests returns the file's spans as one OTLP/JSON request each, deepest first,
// the way an SDK that exports each span as it ends sends a trace: children before
// parents.
func (f *traceFile) spanRequests(t *testing.T) [][]byte {
	t.Helper()
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(f.body)
	require.NoError(t, err)

	parents := map[pcommon.SpanID]pcommon.SpanID{}
	forEachSpan(td, func(s ptrace.Span) { parents[s.SpanID()] = s.ParentSpanID() })
	depth := func(id pcommon.SpanID) int {
		d := 0
		for p, ok := parents[id]; ok && !p.IsEmpty(); p, ok = parents[p] {
			d++
		}
		return d
	}

	type single struct {
		depth int
		body  []byte
	}
	var singles []single
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				one := ptrace.NewTraces()
				ors := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(ors.Resource())
				ors.SetSchemaUrl(rs.SchemaUrl())
				oss := ors.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(oss.Scope())
				oss.SetSchemaUrl(ss.SchemaUrl())
				s.CopyTo(oss.Spans().AppendEmpty())
				body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(one)
				require.NoError(t, err)
				singles = append(singles, single{depth(s.SpanID()), body})
			}
		}
	}
	require.Greater(t, len(singles), 1, "%s: one span only", f.name)
	slices.SortStableFunc(singles, func(a, b single) int { return b.depth - a.depth })
	out := make([][]byte, len(singles))
	for i, s := range singles {
		out[i] = s.body
	}
	return out
}

// sendSpread posts the span requests of several traces, interleaved, with spanGap
// between a trace's consecutive requests: longer than the exporter's batching
// flush_timeout, so that only groupbytrace can put the trace back together, and
// short enough that the whole trace arrives within its wait_duration.
func sendSpread(t *testing.T, base string, traces [][][]byte) {
	t.Helper()
	for k := 0; ; k++ {
		sent := false
		for _, requests := range traces {
			if k < len(requests) {
				postOTLP(t, base+"/v1/traces", requests[k])
				sent = true
			}
		}
		if !sent {
			return
		}
		time.Sleep(spanGap)
	}
}
