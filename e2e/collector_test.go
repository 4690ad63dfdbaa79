package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	// binaryEnv names a prebuilt distribution to test instead of running make build,
	// for quick iterations on the test itself.
	binaryEnv = "OTELCOL_RAINDROP_BINARY"

	// buildTimeout covers a first build on a cold module cache, which downloads the
	// whole collector dependency tree and compiles it on two cores.
	buildTimeout = 20 * time.Minute
	readyTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
	// outputTail bounds how much collector output a failing test prints.
	outputTail = 16 << 10
)

var build struct {
	once sync.Once
	path string
	err  error
}

// collectorBinary builds the distribution once per test binary with the same make
// target a developer uses, so the test covers builder-config.yaml too.
func collectorBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the end-to-end test builds the collector distribution; skipped with -short")
	}
	if path := os.Getenv(binaryEnv); path != "" {
		return path
	}
	build.once.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			build.err = err
			return
		}
		t.Logf("building the distribution with make build in %s (minutes on a cold cache)", root)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "make", "build")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("make build: %w\n%s", err, tail(out))
			return
		}
		t.Logf("built the distribution in %s", time.Since(start).Round(time.Second))
		build.path = filepath.Join(root, "_build", "otelcol-raindrop")
	})
	require.NoError(t, build.err)
	return build.path
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type collector struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	err    error // set when done is closed
}

// startCollector runs the distribution with the given arguments, without the named
// environment variables, and waits until its health check at healthAddr answers, so
// that the receiver is listening when the test sends.
func startCollector(
	t *testing.T,
	binary string,
	healthAddr string,
	unsetEnv []string,
	args ...string,
) *collector {
	t.Helper()
	c := &collector{done: make(chan struct{})}
	c.cmd = exec.Command(binary, args...)
	c.cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(unsetEnv, name)
	})
	c.cmd.Stdout = &c.stdout
	c.cmd.Stderr = &c.stderr
	require.NoError(t, c.cmd.Start())
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stop(t)
		if t.Failed() {
			t.Logf("collector stdout (tail):\n%s", tail([]byte(c.stdout.String())))
			t.Logf("collector stderr (tail):\n%s", tail([]byte(c.stderr.String())))
		}
	})

	health := "http://" + healthAddr + "/"
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-c.done:
			t.Fatalf("collector exited before it was ready: %v\n%s", c.err,
				tail([]byte(c.stderr.String())))
		default:
		}
		resp, err := http.Get(health) //nolint:gosec // a loopback address the test chose
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector not healthy at %s after %s (last error: %v)", health,
				readyTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop shuts the collector down the way an operator would, so that its shutdown
// (queue drain, final logs) is part of what the test sees; it kills it if that
// takes too long.
func (c *collector) stop(t *testing.T) {
	t.Helper()
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(stopTimeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Errorf("collector did not stop within %s of SIGTERM; killed", stopTimeout)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func tail(b []byte) string {
	if len(b) <= outputTail {
		return string(b)
	}
	return "...\n" + string(b[len(b)-outputTail:])
}

// logLines returns the collector log lines at the given level; the console encoder
// writes the level as its own tab-separated field.
func logLines(stderr, level string) []string {
	var out []string
	for line := range strings.Lines(stderr) {
		if strings.Contains(line, "\t"+level+"\t") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
