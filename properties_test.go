package raindropexporter

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
			m[prop.key] = int64(prop.num)
		case propFloat:
			m[prop.key] = math.Float64frombits(prop.num)
		case propBool:
			m[prop.key] = prop.num != 0
		case propJSON:
			var x any
			if err := json.Unmarshal([]byte(prop.text), &x); err != nil {
				panic(err)
			}
			m[prop.key] = x
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
			require.Equal(t, want[prop.key], int64(prop.num), "n=%d key %s", n, prop.key)
		}
	}
}

// TestAddAttributeEncodesAsTheGoValue holds the conversion of attributes to what
// encoding/json makes of the attribute's Go value (bytes in base64, non-finite numbers as
// their names).
func TestAddAttributeEncodesAsTheGoValue(t *testing.T) {
	attrs := pcommon.NewMap()
	require.NoError(t, attrs.FromRaw(map[string]any{
		"str": "<é>", "int": int64(-7), "double": 2.5, "tiny": 1e-9, "bool": true, "no": false,
		"bytes": []byte{1, 2, 0xff}, "list": []any{"a", 1.5, nil, map[string]any{"k": []any{}}},
		"map": map[string]any{"z": 1.0, "a": map[string]any{}}, "empty": nil,
	}))
	attrs.PutDouble("nan", math.NaN())
	attrs.PutDouble("inf", math.Inf(1))
	attrs.PutEmptySlice("nested").AppendEmpty().SetDouble(math.Inf(-1))
	for k, v := range attrs.All() {
		var p properties
		p.addAttribute(k, v)
		require.Len(t, p, 1, k)
		got, err := appendProperty(nil, &p[0])
		require.NoError(t, err)
		var want any
		switch v.Type() {
		case pcommon.ValueTypeEmpty:
		case pcommon.ValueTypeBytes:
			want = base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
		default:
			want = jsonSafe(v.AsRaw())
		}
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		assert.Equal(t, string(wantJSON), string(got), k)
	}
}

func TestKeyPrefixOrdersAsKeys(t *testing.T) {
	keys := []string{"", "a", "a\x00", "ab", "abcdefgh", "abcdefghi", "abcdefgi", "b", "\xff", "zzzzzzzzzzzz"}
	for _, a := range keys {
		for _, b := range keys {
			if pa, pb := keyPrefix(a), keyPrefix(b); pa != pb {
				assert.Equal(t, a < b, pa < pb, "%q %q", a, b)
			}
		}
	}
}

// TestKeySievesPassTheirKeys: a sieve may let other keys through, never one of its own.
func TestKeySievesPassTheirKeys(t *testing.T) {
	for k := range consumedKeys {
		assert.True(t, consumedSieve.mayHave(k), k)
	}
	for k := range usageKeys {
		assert.True(t, usageSieve.mayHave(k), k)
	}
	for _, keys := range identityKeyLists {
		for _, k := range keys {
			assert.True(t, identitySieve.mayHave(k), k)
		}
	}
	s := newKeySieve(slices.Values([]string{"user.id", "", strings.Repeat("k", 100)}))
	assert.True(t, s.mayHave(""))
	assert.True(t, s.mayHave(strings.Repeat("x", 64)), "keys too long for the sieve pass")
	assert.False(t, s.mayHave("user.ix"))
	assert.False(t, s.mayHave("usera.id"))
	assert.False(t, s.mayHave("xser.id"))
}
