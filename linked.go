package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

const (
	tracesPath = "/v1/traces"
	// maxSpansPerTraceRequest follows Raindrop's SDKs, which send 50 spans a request.
	maxSpansPerTraceRequest = 50
	keyRaindropEventID      = "raindrop.event.id"
)

// traceRequest is one OTLP/HTTP protobuf body of spans for /v1/traces.
type traceRequest struct {
	project string
	body    []byte
	spans   []spanPos
	count   int
}

// linkedTraces builds the requests that send each interaction's own spans (the interaction
// span and everything below it) to Raindrop's trace endpoint, every span marked with the
// event's id so that Raindrop shows the steps and tool calls under the event. Spans lose
// the attributes that would make Raindrop create an event of its own (its user-id keys), and
// in privacy mode their content, as the events do. It is pure.
func linkedTraces(td ptrace.Traces, interactions []interaction, privacy bool) ([]traceRequest, error) {
	var reqs []traceRequest
	var cur *traceBuilder
	flush := func() error {
		if cur == nil || cur.count == 0 {
			return nil
		}
		body, err := ptraceotlp.NewExportRequestFromTraces(cur.td).MarshalProto()
		if err != nil {
			return err
		}
		reqs = append(reqs, traceRequest{project: cur.project, body: body, spans: cur.spans, count: cur.count})
		cur = nil
		return nil
	}
	sizer := &ptrace.ProtoMarshaler{}
	for _, in := range interactions {
		if in.invalidProject != "" {
			continue
		}
		registered := false
		for _, pos := range in.spans[in.ancestors:] {
			if cur != nil && (cur.project != in.project || cur.count == maxSpansPerTraceRequest ||
				cur.size >= maxRequestBytes/2) {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			if cur == nil {
				cur, registered = newTraceBuilder(in.project), false
			}
			if !registered {
				// A retry of any part resends the whole interaction, ancestors included,
				// so that it translates into the same event again.
				cur.spans = append(cur.spans, in.spans...)
				registered = true
			}
			span := cur.add(td, pos)
			markLinkedSpan(span, in.event.EventID, privacy)
			cur.size += sizer.TracesSize(cur.last)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return reqs, nil
}

// traceBuilder collects spans for one request, reusing a resource and scope entry for
// consecutive spans that share them.
type traceBuilder struct {
	project string
	td      ptrace.Traces
	spans   []spanPos
	count   int
	size    int
	// last holds only the most recent span, to size it.
	last                    ptrace.Traces
	lastResource, lastScope int
	rs                      ptrace.ResourceSpans
	ss                      ptrace.ScopeSpans
}

func newTraceBuilder(project string) *traceBuilder {
	return &traceBuilder{project: project, td: ptrace.NewTraces(), lastResource: -1, lastScope: -1}
}

func (b *traceBuilder) add(td ptrace.Traces, pos spanPos) ptrace.Span {
	srcRS := td.ResourceSpans().At(pos.resource)
	srcSS := srcRS.ScopeSpans().At(pos.scope)
	if pos.resource != b.lastResource {
		b.rs = b.td.ResourceSpans().AppendEmpty()
		srcRS.Resource().CopyTo(b.rs.Resource())
		b.rs.SetSchemaUrl(srcRS.SchemaUrl())
		b.lastResource, b.lastScope = pos.resource, -1
	}
	if pos.scope != b.lastScope {
		b.ss = b.rs.ScopeSpans().AppendEmpty()
		srcSS.Scope().CopyTo(b.ss.Scope())
		b.ss.SetSchemaUrl(srcSS.SchemaUrl())
		b.lastScope = pos.scope
	}
	span := b.ss.Spans().AppendEmpty()
	srcSS.Spans().At(pos.span).CopyTo(span)
	b.count++

	b.last = ptrace.NewTraces()
	span.CopyTo(b.last.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty())
	return span
}

// markLinkedSpan sets the event id on a copied span and strips what must not reach Raindrop's
// trace endpoint.
func markLinkedSpan(span ptrace.Span, eventID string, privacy bool) {
	attrs := span.Attributes()
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		return isRaindropUserKey(k) || (privacy && isContent(k))
	})
	for _, k := range raindropEventIDKeys {
		if _, ok := attrs.Get(k); ok {
			attrs.PutStr(k, eventID)
		}
	}
	attrs.PutStr(keyRaindropEventID, eventID)
	if privacy {
		span.Events().RemoveIf(func(ev ptrace.SpanEvent) bool {
			name := ev.Name()
			return strings.HasPrefix(name, "gen_ai.content.") || name == logEventChoice ||
				(strings.HasPrefix(name, "gen_ai.") && strings.HasSuffix(name, ".message"))
		})
		span.Events().RemoveIf(func(ev ptrace.SpanEvent) bool {
			ev.Attributes().RemoveIf(func(k string, _ pcommon.Value) bool { return isContent(k) })
			return false
		})
	}
}

func isRaindropUserKey(k string) bool {
	for _, u := range raindropUserIDKeys {
		if k == u {
			return true
		}
	}
	return false
}

func isContent(k string) bool {
	for _, c := range contentKeys {
		if k == c {
			return true
		}
	}
	for _, p := range contentPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
