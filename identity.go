package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"maps"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// identityField is one of the fields an interaction's identity is read from, each with its
// own precedence list of attribute keys.
type identityField uint8

const (
	fieldUserID identityField = iota
	fieldConvoID
	fieldSessionID
	fieldEventID
	fieldEventName
	fieldFunctionName
	fieldTraceName
	numIdentityFields
)

var identityKeyLists = [numIdentityFields][]string{
	fieldUserID:       userIDKeys,
	fieldConvoID:      convoIDKeys,
	fieldSessionID:    sessionIDKeys,
	fieldEventID:      raindropEventIDKeys,
	fieldEventName:    raindropEventNameKeys,
	fieldFunctionName: functionNameKeys,
	fieldTraceName:    traceNameKeys,
}

// identityRanks gives each identity key its rank in every list it is in, counting from 1
// (0: not in that list), so that one look-up per attribute serves all the lists.
var identityRanks = func() map[string]*[numIdentityFields]int32 {
	m := map[string]*[numIdentityFields]int32{}
	for f, keys := range identityKeyLists {
		for r, k := range keys {
			ranks := m[k]
			if ranks == nil {
				ranks = new([numIdentityFields]int32)
				m[k] = ranks
			}
			if ranks[f] == 0 {
				ranks[f] = int32(r + 1)
			}
		}
	}
	return m
}()

var identitySieve = newKeySieve(maps.Keys(identityRanks))

// identity is what one span or resource says of each field: the value of its best-ranked
// key present, read as stringValue reads it.
type identity struct {
	value [numIdentityFields]string
	rank  [numIdentityFields]int32
}

func readIdentity(attrs pcommon.Map) identity {
	var id identity
	attrs.Range(func(k string, v pcommon.Value) bool {
		if !identitySieve.mayHave(k) {
			return true
		}
		ranks, ok := identityRanks[k]
		if !ok {
			return true
		}
		s, ok := stringValue(v)
		if !ok {
			return true
		}
		for f, r := range ranks {
			if r != 0 && (id.rank[f] == 0 || r < id.rank[f]) {
				id.rank[f], id.value[f] = r, s
			}
		}
		return true
	})
	return id
}

// identityLevels are where an interaction's identity is searched, in order: its own span,
// its ancestors nearest first, the calls it folds, and the resource. The first few levels
// are read once each, when a search first reaches them; deeper ones (a long agent run's
// later calls) are read again by each search that gets that far, which few do.
type identityLevels struct {
	// The levels, the first few inline so that listing them costs no allocation.
	inline [8]pcommon.Map
	more   []pcommon.Map
	n      int
	// ancestors counts the span and its ancestors, the levels an event name comes from.
	ancestors int
	read      [cachedLevels]identity
	nread     int
}

const cachedLevels = 4

func newIdentityLevels(root *node, calls []*node) identityLevels {
	var l identityLevels
	for a := root; a != nil; a = a.parent {
		l.add(a.span.Attributes())
	}
	l.ancestors = l.n
	for _, c := range calls {
		if c != root {
			l.add(c.span.Attributes())
		}
	}
	l.add(root.resource)
	return l
}

func (l *identityLevels) add(attrs pcommon.Map) {
	if l.n < len(l.inline) {
		l.inline[l.n] = attrs
	} else {
		l.more = append(l.more, attrs)
	}
	l.n++
}

func (l *identityLevels) at(i int) pcommon.Map {
	if i < len(l.inline) {
		return l.inline[i]
	}
	return l.more[i-len(l.inline)]
}

// first is the field's value on the first of the leading n levels that has it, else fallback.
func (l *identityLevels) first(f identityField, n int, fallback string) string {
	for i := range n {
		var v string
		if i < cachedLevels {
			if i == l.nread {
				l.read[i] = readIdentity(l.at(i))
				l.nread++
			}
			v = l.read[i].value[f]
		} else {
			id := readIdentity(l.at(i))
			v = id.value[f]
		}
		if v != "" {
			return v
		}
	}
	return fallback
}

// lookup searches every level.
func (l *identityLevels) lookup(f identityField, fallback string) string {
	return l.first(f, l.n, fallback)
}
