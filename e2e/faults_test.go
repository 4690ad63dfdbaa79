package e2e

// The fault tests run the distribution under a steady load of sample interactions with
// 2 KB prompts while the fake Raindrop misbehaves, and account for every interaction the
// receiver accepted. Their defaults keep `make test` short; longer runs by hand:
//
//	E2E_OUTAGE=60s E2E_LOAD_RATE=1000 go test ./e2e -run 'Outage|Durable' -v

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

const (
	outageEnv = "E2E_OUTAGE"
	rateEnv   = "E2E_LOAD_RATE"
)

// faultConfig is a collector without groupbytrace (each interaction of the samples is one
// trace in one request), a memory limit, and the given sending_queue settings.
func faultConfig(otlpAddr, healthAddr, raindropURL, queue string) string {
	return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: %[1]s
processors:
  memory_limiter:
    check_interval: 200ms
    limit_mib: 256
    spike_limit_mib: 64
exporters:
  raindrop:
    endpoint: %[3]s
    write_key: %[4]s
    project_id: %[5]s
    sending_queue:
%[6]s
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0
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
      exporters: [raindrop]
`, otlpAddr, healthAddr, raindropURL, writeKey, projectID, queue)
}

// TestDurableQueueSurvivesKill runs config/durable.yaml, kills the collector with SIGKILL
// in the middle of a steady load while Raindrop is failing (so the queue on disk holds a
// backlog), starts it again on the same storage directory, and requires every interaction
// the receiver accepted, before or after the kill, to reach Raindrop.
func TestDurableQueueSurvivesKill(t *testing.T) {
	binary := collectorBinary(t)
	raindrop := newFaultRaindrop(t)
	storage := t.TempDir()
	otlpAddr, grpcAddr, healthAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	args := []string{
		"--config=" + filepath.Join("..", "config", "durable.yaml"),
		"--set=receivers::otlp::protocols::http::endpoint=" + otlpAddr,
		"--set=receivers::otlp::protocols::grpc::endpoint=" + grpcAddr,
		"--set=extensions::health_check::endpoint=" + healthAddr,
		"--set=extensions::file_storage::directory=" + storage,
		"--set=exporters::raindrop::endpoint=" + raindrop.URL,
		"--set=exporters::raindrop::write_key=" + writeKey,
		"--set=exporters::raindrop::retry_on_failure::initial_interval=100ms",
		"--set=exporters::raindrop::retry_on_failure::max_interval=500ms",
		"--set=service::telemetry::metrics::level=none",
	}
	rate := envFloat(t, rateEnv, 200)
	backlog := envDuration(t, outageEnv, 2*time.Second)

	c := startCollector(t, binary, healthAddr, nil, args...)
	load := startLoad(t, otlpAddr, rate, 5)
	time.Sleep(time.Second)

	// Raindrop fails for a while, so accepted interactions pile up in the queue on disk,
	// some of them in requests that are in flight when the collector dies.
	raindrop.setScript(func([]byte, []raindroptest.Event) answer {
		return answer{status: http.StatusServiceUnavailable}
	})
	time.Sleep(backlog)
	before := len(load.rec.acceptedIDs())
	delivered := before - len(raindrop.missing(load.rec.acceptedIDs()))
	require.NoError(t, c.cmd.Process.Kill())
	<-c.done
	t.Logf("killed the collector with %d interactions accepted, %d of them delivered",
		before, delivered)
	require.Less(t, delivered, before, "the kill must leave a backlog for the test to mean anything")

	raindrop.setScript(nil)
	time.Sleep(500 * time.Millisecond) // the load goes on against a dead receiver
	c = startCollector(t, binary, healthAddr, nil, args...)
	time.Sleep(time.Second)
	rep := load.finish(t)

	accepted := load.rec.acceptedIDs()
	assert.Greater(t, len(accepted), before, "the restarted collector accepted new load")
	assert.Positive(t, rep.Rejected, "the sender saw errors while the collector was down")
	raindrop.waitDelivered(t, accepted, deliveryTimeout)
	raindrop.waitQuiet(t)
	c.stop(t)
	dups := raindrop.checkAccounting(t, accepted, load.rec.refusedIDs())
	t.Logf("every one of %d accepted interactions delivered; %d delivered twice, same event_id",
		len(accepted), dups)
}

// TestDurableConfigWithGroupByTraceLosesHeldTraces measures the trade-off durable.yaml
// avoids: with groupbytrace in front of the persistent queue, traces the receiver accepted
// but groupbytrace still held at the kill are lost. It reports the loss; it asserts only
// that the loss is bounded by what arrived within wait_duration of the kill.
func TestDurableConfigWithGroupByTraceLosesHeldTraces(t *testing.T) {
	binary := collectorBinary(t)
	raindrop := newFaultRaindrop(t)
	otlpAddr, grpcAddr, healthAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	const wait = time.Second
	args := []string{
		"--config=" + filepath.Join("..", "config", "durable.yaml"),
		"--set=receivers::otlp::protocols::http::endpoint=" + otlpAddr,
		"--set=receivers::otlp::protocols::grpc::endpoint=" + grpcAddr,
		"--set=extensions::health_check::endpoint=" + healthAddr,
		"--set=extensions::file_storage::directory=" + t.TempDir(),
		"--set=exporters::raindrop::endpoint=" + raindrop.URL,
		"--set=exporters::raindrop::write_key=" + writeKey,
		"--set=processors::groupbytrace::wait_duration=" + wait.String(),
		"--set=service::pipelines::traces::processors=[memory_limiter,groupbytrace]",
		"--set=service::telemetry::metrics::level=none",
	}
	c := startCollector(t, binary, healthAddr, nil, args...)
	load := startLoad(t, otlpAddr, envFloat(t, rateEnv, 200), 5)
	time.Sleep(3 * time.Second)
	killedAt := time.Now()
	require.NoError(t, c.cmd.Process.Kill())
	<-c.done
	load.finish(t)

	c = startCollector(t, binary, healthAddr, nil, args...)
	time.Sleep(2 * wait)
	raindrop.waitQuiet(t)
	c.stop(t)

	accepted := load.rec.acceptedIDs()
	lost := raindrop.missing(accepted)
	t.Logf("with groupbytrace (wait_duration %s): %d of %d accepted interactions lost in the kill",
		wait, len(lost), len(accepted))
	// Spans accepted within wait_duration (plus the queue's flush) of the kill may be lost;
	// nothing older. The offered rate bounds how many that is.
	limit := int(envFloat(t, rateEnv, 200) * (wait + 500*time.Millisecond).Seconds() * 1.5)
	assert.LessOrEqual(t, len(lost), limit, "lost more than wait_duration's worth before %s",
		killedAt.Format(time.TimeOnly))
}

// TestRaindropOutage keeps the load on while Raindrop answers 503, then refuses
// connections, then comes back. A small queue fills during the outage: the receiver must
// then refuse with an error the sender sees, never drop silently; every interaction it
// accepted must reach Raindrop once it is back, and memory must stay bounded.
func TestRaindropOutage(t *testing.T) {
	binary := collectorBinary(t)
	raindrop := newFaultRaindrop(t)
	otlpAddr, healthAddr := freeAddr(t), freeAddr(t)
	// 100 export requests of 5 interactions: full within a second or two at the default
	// rate once Raindrop stops answering.
	const queue = `      queue_size: 100
      num_consumers: 4
      batch:
        flush_timeout: 200ms`
	config := writeConfig(t, faultConfig(otlpAddr, healthAddr, raindrop.URL, queue))
	c := startCollector(t, binary, healthAddr, nil, "--config="+config)
	pid := c.cmd.Process.Pid
	outage := envDuration(t, outageEnv, 4*time.Second)

	var peak int64
	sample := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			rss, _ := memory(t, pid)
			peak = max(peak, rss)
		}
	}
	load := startLoad(t, otlpAddr, envFloat(t, rateEnv, 300), 5)
	sample(time.Second)
	_, baseline := memory(t, pid)

	raindrop.setScript(func([]byte, []raindroptest.Event) answer {
		return answer{status: http.StatusServiceUnavailable}
	})
	sample(outage / 2)
	raindrop.stop()
	sample(outage - outage/2)
	raindrop.setScript(nil)
	raindrop.start()
	sample(2 * time.Second)
	rep := load.finish(t)

	accepted := load.rec.acceptedIDs()
	raindrop.waitDelivered(t, accepted, deliveryTimeout)
	raindrop.waitQuiet(t)
	_, hwm := memory(t, pid)
	c.stop(t)

	dups := raindrop.checkAccounting(t, accepted, load.rec.refusedIDs())
	if rate := envFloat(t, rateEnv, 300); rate/5*outage.Seconds() > 2*100 {
		// The outage outlasted the queue: the receiver must have said so to the sender.
		assert.Positive(t, rep.Rejected, "a full queue must refuse load, visibly")
	}
	assert.Equal(t, rep.Sent, rep.Accepted+rep.Rejected)
	assert.Len(t, accepted, rep.Accepted*1, "one trace per sample interaction")
	t.Logf("outage %s: %d interactions accepted and delivered (%d twice), %d refused; "+
		"RSS peak %d MiB (VmHWM %d MiB, %d MiB before the outage)",
		outage, rep.Accepted, dups, rep.Rejected, peak>>20, hwm>>20, baseline>>20)
	// The queue holds at most 100 requests of 5 interactions of ~3 KB; the memory limiter
	// is at 256 MiB. Bounded means well under that, whatever the outage's length.
	assert.Less(t, hwm, int64(300<<20), "collector peak RSS")
}

// TestRetryAfterIsHonoured answers 429 with Retry-After to the first request and checks
// that no event is retried before its delay is over, and that the delay holds back every
// queue consumer: with one consumer nothing reaches Raindrop before it ends; with several,
// only requests already in flight when the 429 was answered do.
// inFlightSlack is how long after a 429 requests that were already on their way may still
// arrive.
const inFlightSlack = 300 * time.Millisecond

func TestRetryAfterIsHonoured(t *testing.T) {
	binary := collectorBinary(t)
	const delay = 2 * time.Second
	for _, consumers := range []int{1, 4} {
		t.Run("consumers="+strconv.Itoa(consumers), func(t *testing.T) {
			raindrop := newFaultRaindrop(t)
			otlpAddr, healthAddr := freeAddr(t), freeAddr(t)
			queue := fmt.Sprintf("      num_consumers: %d\n      batch:\n        flush_timeout: 100ms",
				consumers)
			config := writeConfig(t, faultConfig(otlpAddr, healthAddr, raindrop.URL, queue))
			c := startCollector(t, binary, healthAddr, nil, "--config="+config)

			// With one consumer the first request is throttled, and the consumer must wait
			// before sending anything; with several, every event is throttled the first
			// time it arrives, and each must wait its own delay.
			seen := map[string]bool{}
			raindrop.setScript(func(_ []byte, events []raindroptest.Event) answer {
				if consumers == 1 && len(seen) > 0 {
					return answer{status: http.StatusNoContent}
				}
				fresh := false
				for _, ev := range events {
					fresh = fresh || !seen[ev.EventID]
					seen[ev.EventID] = true
				}
				if !fresh {
					return answer{status: http.StatusNoContent}
				}
				return answer{status: http.StatusTooManyRequests, header: http.Header{
					"Retry-After": {strconv.Itoa(int(delay.Seconds()))},
				}}
			})
			load := startLoad(t, otlpAddr, 100, 5)
			time.Sleep(3 * time.Second)
			load.finish(t)
			accepted := load.rec.acceptedIDs()
			raindrop.waitDelivered(t, accepted, deliveryTimeout)
			c.stop(t)
			raindrop.checkAccounting(t, accepted, load.rec.refusedIDs())

			log := raindrop.arrivals()
			first := map[string]time.Time{}
			inWindow, afterInFlight := 0, 0
			for _, a := range log {
				if a.at.After(log[0].at) && a.at.Before(log[0].at.Add(delay)) {
					inWindow++
					// Requests sent before the 429 came back arrive within moments of it.
					if a.at.After(log[0].at.Add(inFlightSlack)) {
						afterInFlight++
					}
				}
				for _, id := range a.eventIDs {
					t0, ok := first[id]
					if !ok {
						first[id] = a.at
						continue
					}
					// The retry waits at least the delay after the 429 was answered; the
					// answer went out right after the arrival was recorded.
					assert.GreaterOrEqual(t, a.at.Sub(t0), delay-50*time.Millisecond,
						"event %s retried early", id)
				}
			}
			t.Logf("%d consumers: %d requests, %d within %s of the first 429", consumers,
				len(log), inWindow, delay)
			if consumers == 1 {
				assert.Zero(t, inWindow, "nothing may reach Raindrop before Retry-After is over")
			}
			assert.Zero(t, afterInFlight,
				"no consumer may start a request while Retry-After holds")
		})
	}
}

// TestTooLargeIsSplit has the fake refuse bodies over a size with 413: the exporter must
// split them and deliver every event, and drop (not retry forever) an event that is too
// large on its own.
func TestTooLargeIsSplit(t *testing.T) {
	binary := collectorBinary(t)
	raindrop := newFaultRaindrop(t)
	otlpAddr, healthAddr := freeAddr(t), freeAddr(t)
	const limit = 40 << 10 // a 50-event request of 2 KB prompts is ~150 KB
	raindrop.setScript(func(body []byte, _ []raindroptest.Event) answer {
		if len(body) > limit {
			return answer{status: http.StatusRequestEntityTooLarge}
		}
		return answer{status: http.StatusOK}
	})
	queue := "      batch:\n        flush_timeout: 200ms"
	config := writeConfig(t, faultConfig(otlpAddr, healthAddr, raindrop.URL, queue))
	c := startCollector(t, binary, healthAddr, nil, "--config="+config)

	load := startLoad(t, otlpAddr, 500, 25)
	time.Sleep(2 * time.Second)
	load.finish(t)
	accepted := load.rec.acceptedIDs()
	raindrop.waitDelivered(t, accepted, deliveryTimeout)

	// One interaction whose event alone is over the limit.
	postBig(t, otlpAddr, 3*limit)
	raindrop.waitQuiet(t)
	c.stop(t)

	raindrop.checkAccounting(t, accepted, load.rec.refusedIDs())
	var tooLarge, ok, largest int
	for _, a := range raindrop.arrivals() {
		if a.status == http.StatusRequestEntityTooLarge {
			tooLarge++
		} else {
			ok++
			largest = max(largest, a.size)
		}
	}
	t.Logf("%d requests answered 413, %d accepted (largest %d bytes)", tooLarge, ok, largest)
	assert.LessOrEqual(t, largest, limit)
	// Each 413 splits one request in two, so the 413s are fewer than the requests that
	// finally went through, plus the one event too large on its own.
	assert.LessOrEqual(t, tooLarge, ok+1, "413s must not loop")

	delivered := map[string]bool{}
	for _, ids := range raindrop.accepted {
		for _, id := range ids {
			delivered[id] = true
		}
	}
	dropped := 0
	for id, n := range raindrop.attempts {
		if delivered[id] {
			continue
		}
		dropped++
		// One attempt per halving of its request at most: 50 events halve 6 times.
		assert.LessOrEqual(t, n, 7, "event %s, too large alone, was sent %d times", id, n)
	}
	assert.Equal(t, 1, dropped, "only the oversized event is dropped")
	assert.NotEmpty(t, logLines(c.stderr.String(), "error"), "the dropped event is logged")
}

// postBig sends one sample interaction whose prompt is padded by size bytes.
func postBig(t *testing.T, otlpAddr string, size int) {
	t.Helper()
	templates, err := loadgen.LoadTemplates(size, filepath.Join(sampleDir, "genai-chat.json"))
	require.NoError(t, err)
	b, err := loadgen.NewGenerator(templates).Next(1)
	require.NoError(t, err)
	resp, err := http.Post("http://"+otlpAddr+"/v1/traces", "application/x-protobuf", //nolint:gosec
		bytes.NewReader(b.Body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
