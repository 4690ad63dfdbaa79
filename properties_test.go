package raindropexporter

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The reference form of properties: the map of Go values encoding/json would be given, which
// is what the encoder is held to and what the tests read.

func (p properties) toMap() map[string]any {
	m := make(map[string]any, len(p))
	for _, prop := range p {
		switch prop.kind {
		case propText:
			m[prop.key] = prop.text
		case propInt:
			m[prop.key] = prop.int
		case propFloat:
			m[prop.key] = prop.num
		case propJSON:
			var x any
			if err := json.Unmarshal([]byte(prop.text), &x); err != nil {
				panic(err)
			}
			m[prop.key] = x
		case propAttr:
			m[prop.key] = attrValue(prop.attr)
		}
	}
	return m
}

// MarshalJSON lets encoding/json encode an event the way the fast encoder must.
func (p properties) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	return json.Marshal(p.toMap())
}

func attrValue(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return nil
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	default:
		return jsonSafe(v.AsRaw())
	}
}

// props reads an event's properties in their reference form.
func props(ev event) map[string]any { return ev.Properties.toMap() }

// TestSortedKeepsFirstClaim holds both ways of sorting to the same result: key order, and of
// each key the value given first.
func TestSortedKeepsFirstClaim(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 40, maxIndexSorted, maxIndexSorted + 1, 1000} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		var p properties
		want := map[string]int64{}
		for i := range n {
			key := fmt.Sprintf("k%d", rng.IntN(max(n/2, 1)))
			if _, ok := want[key]; !ok {
				want[key] = int64(i)
			}
			p.addInt(key, int64(i))
		}
		got := p.sorted()
		require.True(t, slices.IsSortedFunc(got, func(a, b property) int { return strings.Compare(a.key, b.key) }))
		require.Len(t, got, len(want))
		for _, prop := range got {
			require.Equal(t, want[prop.key], prop.int, "n=%d key %s", n, prop.key)
		}
	}
}
