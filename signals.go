package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// signal is one Raindrop signal as /v1/signals/track takes it: feedback on an event.
type signal struct {
	EventID    string         `json:"event_id"`
	SignalName string         `json:"signal_name"`
	Timestamp  string         `json:"timestamp,omitempty"`
	SignalType string         `json:"signal_type,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

// The attributes an application sets, on a span, span event or log record, to send a signal.
const (
	keySignalName      = "raindrop.signal.name"
	keySignalType      = "raindrop.signal.type"
	keySignalComment   = "raindrop.signal.comment"
	keySignalSentiment = "raindrop.signal.sentiment"
	keySignalEventID   = "raindrop.signal.event_id"
	keySignalTraceID   = "raindrop.signal.trace_id"
	keySignalSpanID    = "raindrop.signal.span_id"

	evaluationEvent = "gen_ai.evaluation.result"
)

var signalTypes = []string{"default", "feedback", "edit", "standard"}

// readSignal reads a signal from the attributes of a span, span event or log record named
// name. target is the event id the record's own context points at, used when the record
// names no target of its own. It reports false for records that carry no signal.
func readSignal(name string, attrs pcommon.Map, ts pcommon.Timestamp, target string) (signal, bool) {
	var s signal
	if sigName, ok := attrString(attrs, keySignalName); ok {
		s.SignalName = sigName
		s.SignalType, _ = attrString(attrs, keySignalType)
		if !containsString(signalTypes, s.SignalType) {
			s.SignalType = "feedback"
		}
		s.Properties = map[string]any{}
		setText(s.Properties, "comment", firstAttr(attrs, keySignalComment))
		setText(s.Properties, "sentiment", strings.ToUpper(firstAttr(attrs, keySignalSentiment)))
	} else if name == evaluationEvent {
		// The semantic conventions' evaluation result: a named score, label and explanation.
		s.SignalName = firstAttr(attrs, "gen_ai.evaluation.name")
		if s.SignalName == "" {
			s.SignalName = "evaluation"
		}
		s.SignalType = "default"
		s.Properties = map[string]any{}
		if score, ok := attrNumber(attrs, "gen_ai.evaluation.score.value"); ok {
			s.Properties["score"] = score
		}
		setText(s.Properties, "label", firstAttr(attrs, "gen_ai.evaluation.score.label"))
		setText(s.Properties, "explanation", firstAttr(attrs, "gen_ai.evaluation.explanation"))
		setText(s.Properties, "error.type", firstAttr(attrs, keyErrorType))
	} else {
		return signal{}, false
	}
	s.EventID = signalTarget(attrs, target)
	if ts != 0 {
		s.Timestamp = formatTimestamp(ts)
	}
	if len(s.Properties) == 0 {
		s.Properties = nil
	}
	return s, true
}

// signalTarget is the event a signal is about: an event id it names, else the interaction
// span it names by trace and span id, else the one its own context points at.
func signalTarget(attrs pcommon.Map, fallback string) string {
	if id, ok := attrString(attrs, keySignalEventID); ok {
		return id
	}
	tid, okT := hexID(firstAttr(attrs, keySignalTraceID), 16)
	sid, okS := hexID(firstAttr(attrs, keySignalSpanID), 8)
	if okT && okS {
		return derivedEventID(pcommon.TraceID(tid), pcommon.SpanID(sid[:8]))
	}
	return fallback
}

func hexID(s string, size int) ([16]byte, bool) {
	var out [16]byte
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != size {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

func firstAttr(attrs pcommon.Map, key string) string {
	s, _ := attrString(attrs, key)
	return s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// signalsFromLogs reads the signals log records carry. A record's own trace and span ids
// stand for the interaction span it is about, unless it names a target.
func signalsFromLogs(ld plog.Logs) (signals []signal, untargeted int) {
	eachRecord(ld, func(name string, r plog.LogRecord) {
		target := ""
		if !r.SpanID().IsEmpty() {
			target = derivedEventID(r.TraceID(), r.SpanID())
		}
		ts := r.Timestamp()
		if ts == 0 {
			ts = r.ObservedTimestamp()
		}
		s, ok := readSignal(name, r.Attributes(), ts, target)
		switch {
		case !ok:
		case s.EventID == "":
			untargeted++
		default:
			signals = append(signals, s)
		}
	})
	return signals, untargeted
}

func setText(props map[string]any, key, value string) {
	if value != "" {
		props[key] = value
	}
}
