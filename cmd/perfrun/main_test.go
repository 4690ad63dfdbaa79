package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
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

func TestPairedRatiosCompareWithinARun(t *testing.T) {
	mk := func(cpus ...float64) []result {
		var rs []result
		for _, c := range cpus {
			rs = append(rs, result{cpu: time.Duration(c * float64(time.Second)), report: loadgen.Report{Accepted: 1000}})
		}
		return rs
	}
	r := pairedRatios(mk(1, 3, 2), mk(2, 3, 1), func(r result) float64 { return r.cpuPerThousand() })
	assert.Equal(t, "median 1.00× (0.50 / 1.00 / 2.00)", r.String())
}
