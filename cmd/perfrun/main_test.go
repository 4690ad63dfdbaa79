package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcReadings(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before, err := cpuTime(os.Getpid())
	require.NoError(t, err)
	for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); {
		// burn some CPU so that the counter moves
	}
	after, err := cpuTime(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, after, before, "user+system time grows while the process works")

	hwm, err := peakRSS(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, hwm, int64(1<<20), "a Go test binary holds more than 1 MiB")
}

func TestMedianTakesEachFigureSeparately(t *testing.T) {
	rs := []result{
		{cpu: 3 * time.Second, hwm: 50},
		{cpu: 1 * time.Second, hwm: 90},
		{cpu: 2 * time.Second, hwm: 70},
	}
	for i := range rs {
		rs[i].report.Accepted = 1000
		rs[i].report.Elapsed = time.Second
	}
	m := median(rs)
	assert.InDelta(t, 2.0, m.cpuPerThousand(), 1e-9)
	assert.Equal(t, int64(70), m.hwm)
	assert.InDelta(t, 1000, m.report.AchievedRate(), 1e-6)
}
