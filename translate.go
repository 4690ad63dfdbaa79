package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"crypto/sha1" //nolint:gosec // a name-based UUID (version 5) is defined on SHA-1
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// translateOptions are the settings the translation needs; it reads nothing else.
type translateOptions struct {
	eventName     string
	defaultUserID string
	privacyMode   bool
	// prices computes a cost where no span carries one; nil leaves such events without cost.
	prices *priceTable
	// projectAttribute is the attribute that routes an event to a Raindrop project, if one
	// is configured; project is the project of events without it.
	projectAttribute string
	project          string
}

// event is one Raindrop event as /v1/events/track takes it.
type event struct {
	EventID     string       `json:"event_id"`
	Event       string       `json:"event"`
	UserID      string       `json:"user_id"`
	Timestamp   string       `json:"timestamp"`
	AIData      *aiData      `json:"ai_data,omitempty"`
	Properties  properties   `json:"properties,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
}

type aiData struct {
	Model   string `json:"model,omitempty"`
	Input   string `json:"input,omitempty"`
	Output  string `json:"output,omitempty"`
	ConvoID string `json:"convo_id,omitempty"`
}

type attachment struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Role     string `json:"role"`
	Name     string `json:"name,omitempty"`
	Language string `json:"language,omitempty"`
}

// spanPos locates a span in the batch it came from.
type spanPos struct{ resource, scope, span int }

// interaction is one event and the positions of the spans it was made from: the spans a
// retry must resend to make the same event again.
type interaction struct {
	event event
	// spans lists the ancestors of the interaction span, then its subtree (spans[ancestors:]).
	spans     []spanPos
	ancestors int
	// project is the Raindrop project the event goes to; invalidProject holds an attribute
	// value that is no project slug, for an event that must not be sent anywhere.
	project        string
	invalidProject string
	// contentless lists the model calls of an event that found no content, neither on its
	// spans nor in the log content it was given: the calls whose log records may be late.
	contentless []spanKey
}

// translation is what one batch of spans turns into.
type translation struct {
	interactions      []interaction
	spans             int
	skippedNotLLM     int
	skippedEmbeddings int
	truncatedFields   int
	// unpricedModels names, once per event, each model that had tokens but no known price.
	unpricedModels []string
	// signals is the feedback the spans carry; untargetedSignals counts signals that name
	// no event and belong to no interaction in the batch.
	signals           []signalItem
	untargetedSignals int
	// properties holds the events' properties, given back by release; positions holds the
	// interactions' span positions, which the garbage collector takes once unused.
	properties slab[property]
	positions  slab[spanPos]
}

// release gives back the memory of the events' properties: they must not be read after it;
// the rest of the translation stays as it is.
func (t *translation) release() {
	t.properties.release()
	t.positions.release()
}

// signalItem is one signal, the project of its event, and the spans a retry must resend to
// make it again.
type signalItem struct {
	signal  signal
	project string
	spans   []spanPos
}

// translate turns a batch of spans into one event per LLM interaction, taking message content
// from logs where a span has none of its own. It is pure: the same spans, log content and
// options always give the same events in the same order.
func translate(td ptrace.Traces, opts translateOptions, logs logContents) translation {
	nodes := indexSpans(td)
	out := translation{spans: len(nodes)}
	byRoot := map[*node]int{}
	for _, n := range nodes {
		resolveTop(n)
	}
	roots := 0
	for _, n := range nodes {
		if n.parent != nil {
			n.parent.children = append(n.parent.children, n)
		}
		if n.top == n {
			roots++
		}
	}
	out.interactions = make([]interaction, 0, roots)
	out.properties.spare = propertyBlocks
	for _, n := range nodes {
		switch {
		case n.top == n:
			in, truncated, unpriced := newInteraction(n, opts, logs, &out)
			out.truncatedFields += truncated
			if unpriced != "" {
				out.unpricedModels = append(out.unpricedModels, unpriced)
			}
			out.interactions = append(out.interactions, in)
			byRoot[n] = len(out.interactions) - 1
		case n.role == roleEmbedding:
			out.skippedEmbeddings++
		case !n.role.interactive():
			out.skippedNotLLM++
		}
	}
	for _, n := range nodes {
		out.addSignals(n, byRoot, opts)
	}
	return out
}

// newInteraction makes the event of the interaction rooted at root, and finds where it goes.
// It also returns how many texts were truncated and a model it could not price.
func newInteraction(
	root *node,
	opts translateOptions,
	logs logContents,
	out *translation,
) (interaction, int, string) {
	calls := calls(root)
	ev, truncated, unpriced := buildEvent(root, calls, opts, logs, &out.properties)
	in := interaction{event: ev, project: opts.project}
	in.spans, in.ancestors = spansOf(root, &out.positions)
	if opts.projectAttribute != "" {
		switch p := projectOf(root, opts.projectAttribute); {
		case p == "":
		case projectSlug.MatchString(p):
			in.project = p
		default:
			in.invalidProject = p
		}
	}
	if ev.AIData == nil && !opts.privacyMode {
		for _, c := range calls {
			in.contentless = append(in.contentless, keyOf(c.span))
		}
	}
	return in, truncated, unpriced
}

// addSignals reads the signals a span carries, on itself or in its events, and aims them at
// the interaction the span belongs to unless they name their own target.
func (out *translation) addSignals(n *node, byRoot map[*node]int, opts translateOptions) {
	interaction := -1
	target := ""
	if i, ok := byRoot[n.top]; ok {
		if out.interactions[i].invalidProject != "" {
			return
		}
		interaction, target = i, out.interactions[i].event.EventID
	}
	add := func(s signal, ok bool) {
		switch {
		case !ok:
		case s.EventID == "":
			out.untargetedSignals++
		case interaction >= 0:
			in := out.interactions[interaction]
			out.signals = append(out.signals, signalItem{signal: s, project: in.project, spans: in.spans})
		default:
			out.signals = append(out.signals, signalItem{signal: s, project: opts.project,
				spans: []spanPos{n.pos}})
		}
	}
	add(readSignal("", n.span.Attributes(), n.span.StartTimestamp(), target))
	events := n.span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		add(readSignal(ev.Name(), ev.Attributes(), ev.Timestamp(), target))
	}
}

// buildEvent makes the event of one interaction from its span and the calls it folds. It
// returns how many texts were truncated and a model it could not price.
func buildEvent(
	root *node,
	calls []*node,
	opts translateOptions,
	logs logContents,
	slab *slab[property],
) (event, int, string) {
	last := root
	if len(calls) > 0 {
		last = calls[len(calls)-1]
	}
	levels := newIdentityLevels(root, calls)

	// The ids in hex, the timestamp and a derived event id share one allocation.
	tid, sid := root.span.TraceID(), root.span.SpanID()
	var room [48 + len(timestampLayout) + 36]byte
	b := hex.AppendEncode(room[:0], tid[:])
	b = hex.AppendEncode(b, sid[:])
	b = appendTimestamp(b, root.span.StartTimestamp())
	stamped := len(b)
	// Not from the resource: an id there would name every event of the service.
	eventID := levels.first(fieldEventID, levels.n-1, "")
	if eventID == "" {
		b = appendDerivedEventID(b, tid, sid)
	}
	strs := string(b)
	ids, timestamp := strs[:48], strs[48:stamped]
	if eventID == "" {
		eventID = strs[stamped:]
	}
	ev := event{
		EventID:   eventID,
		Event:     eventName(&levels, opts.eventName),
		UserID:    levels.lookup(fieldUserID, opts.defaultUserID),
		Timestamp: timestamp,
	}
	convo := levels.lookup(fieldConvoID, "")
	if convo == "" {
		convo = levels.lookup(fieldSessionID, "")
	}
	model := firstOf(calls, root, modelOf, true)
	// The exporter's own properties go in first: they win over forwarded attributes of the
	// same name.
	props := properties(slab.room(root.span.Attributes().Len() + maxComputedProperties))
	props.addText("model", model)
	props.addText("provider", normalizeProvider(firstOf(calls, root, func(n *node) string {
		p, _ := attrString(n.span.Attributes(), providerKeys...)
		return p
	}, true)))
	u, unpriced := interactionUsage(root, calls, opts.prices)
	u.addProperties(&props)
	props.addText("finish_reason", firstOf(calls, root, func(n *node) string {
		f, _ := attrString(n.span.Attributes(), finishReasonKeys...)
		return f
	}, true))
	if ttft, ok := firstNumber(calls, root, timeToFirstToken); ok {
		props.addFloat("time_to_first_token_ms", roundMillis(ttft))
	}
	if end, start := root.span.EndTimestamp(), root.span.StartTimestamp(); end >= start && end > 0 {
		props.addFloat("duration_ms", roundMillis(float64(end-start)/1e6))
	}
	props.addText("trace_id", ids[:32])
	props.addText("span_id", ids[32:])
	props.addText("trace_name", traceName(root, &levels))
	if typ, msg, failed := interactionError(root, last); failed {
		props.addText("error.type", typ)
		props.addText("error.message", msg)
	}

	truncated := 0
	// Privacy mode never reads content, so none of it can leak.
	if !opts.privacyMode {
		var c content
		c, truncated = interactionContent(root, calls, logs)
		if c.input != "" || c.output != "" {
			ev.AIData = &aiData{Model: model, Input: c.input, Output: c.output, ConvoID: convo}
		}
		ev.Attachments = c.attachments
	}
	if ev.AIData == nil {
		// Raindrop rejects ai_data without input and output, so model and conversation
		// travel as properties instead.
		props.addText("convo_id", convo)
	}
	props.addForwarded(root.span.Attributes())
	ev.Properties = props.sorted()
	slab.keep(ev.Properties)
	return ev, truncated, unpriced
}

// projectOf reads the project attribute from the interaction's own span, its ancestors
// nearest first, or the resource.
func projectOf(root *node, key string) string {
	for a := root; a != nil; a = a.parent {
		if p, ok := attrString(a.span.Attributes(), key); ok {
			return p
		}
	}
	p, _ := attrString(root.resource, key)
	return p
}

// eventName is a Raindrop event-name attribute wherever it sits on the span or its ancestors,
// else the application's function or agent name, else the configured name.
func eventName(levels *identityLevels, fallback string) string {
	if name := levels.first(fieldEventName, levels.ancestors, ""); name != "" {
		return name
	}
	return levels.first(fieldFunctionName, levels.ancestors, fallback)
}

// derivedEventID is the UUID (version 5) an interaction span's ids stand for: the event id
// of an interaction whose spans name none, so that a retry or a replay of the same spans
// lands on the same event.
func derivedEventID(tid pcommon.TraceID, sid pcommon.SpanID) string {
	var room [36]byte
	return string(appendDerivedEventID(room[:0], tid, sid))
}

func appendDerivedEventID(b []byte, tid pcommon.TraceID, sid pcommon.SpanID) []byte {
	var in [16 + 16 + 8]byte
	copy(in[:16], eventIDNamespace[:])
	copy(in[16:32], tid[:])
	copy(in[32:], sid[:])
	u := sha1.Sum(in[:])    //nolint:gosec // see import
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	b = hex.AppendEncode(b, u[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, u[10:16])
}

// eventIDNamespace is this exporter's UUID namespace; changing it would re-key every event.
var eventIDNamespace = [16]byte{
	0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4a, 0x7b, 0x9c, 0x2e, 0x51, 0x44, 0x0f, 0x86, 0xd3, 0x27,
}

const timestampLayout = "2006-01-02T15:04:05.000Z"

func formatTimestamp(ts pcommon.Timestamp) string {
	return string(appendTimestamp(nil, ts))
}

// appendTimestamp writes ts as time.Format would with timestampLayout, digit by digit: the
// general formatter parses its layout on every call, a measurable cost once per event.
func appendTimestamp(b []byte, ts pcommon.Timestamp) []byte {
	t := time.Unix(0, int64(ts)).UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	b = appendPadded(b, year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(month), 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, 'T')
	b = appendPadded(b, hour, 2)
	b = append(b, ':')
	b = appendPadded(b, minute, 2)
	b = append(b, ':')
	b = appendPadded(b, second, 2)
	b = append(b, '.')
	b = appendPadded(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

// appendPadded writes n, which is not negative, in at least width digits.
func appendPadded(b []byte, n, width int) []byte {
	var digits [20]byte
	i := len(digits)
	for n > 0 || width > 0 {
		i--
		digits[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	return append(b, digits[i:]...)
}

// firstOf returns the first non-empty value of f over the calls (the last call first when
// fromLast), falling back to the interaction's own span.
func firstOf(calls []*node, root *node, f func(*node) string, fromLast bool) string {
	for i := range calls {
		c := calls[i]
		if fromLast {
			c = calls[len(calls)-1-i]
		}
		if v := f(c); v != "" {
			return v
		}
	}
	if len(calls) == 1 && calls[0] == root {
		return ""
	}
	return f(root)
}

func firstNumber(calls []*node, root *node, f func(*node) (float64, bool)) (float64, bool) {
	for _, c := range calls {
		if v, ok := f(c); ok {
			return v, true
		}
	}
	return f(root)
}

func timeToFirstToken(n *node) (float64, bool) {
	attrs := n.span.Attributes()
	if s, ok := attrNumber(attrs, ttftSecondsKeys...); ok {
		return s * 1000, true
	}
	if ms, ok := attrNumber(attrs, ttftMillisKeys...); ok {
		return ms, true
	}
	if v, ok := attrJSON(attrs, keyLangfuseCompletionStart); ok {
		if first, err := time.Parse(time.RFC3339Nano, asString(v)); err == nil {
			if ts := pcommon.NewTimestampFromTime(first); ts >= n.span.StartTimestamp() {
				return float64(ts-n.span.StartTimestamp()) / 1e6, true
			}
		}
	}
	events := n.span.Events()
	for i := 0; i < events.Len(); i++ {
		if ev := events.At(i); ev.Name() == "ai.stream.firstChunk" {
			if ms, ok := attrNumber(ev.Attributes(), ttftMillisKeys...); ok {
				return ms, true
			}
			if ev.Timestamp() >= n.span.StartTimestamp() && n.span.StartTimestamp() > 0 {
				return float64(ev.Timestamp()-n.span.StartTimestamp()) / 1e6, true
			}
		}
	}
	return 0, false
}

// interactionError reports the failure of the interaction's own span, else of its last call:
// an earlier call that failed and was retried does not fail the interaction.
func interactionError(root, last *node) (typ, msg string, failed bool) {
	if typ, msg, failed = spanError(root.span); failed || last == root {
		return typ, msg, failed
	}
	return spanError(last.span)
}

func spanError(span ptrace.Span) (typ, msg string, failed bool) {
	attrs := span.Attributes()
	typ, hasType := attrString(attrs, keyErrorType)
	level, _ := attrString(attrs, keyLangfuseLevel)
	var exception ptrace.SpanEvent
	hasException := false
	events := span.Events()
	for i := 0; i < events.Len() && !hasException; i++ {
		if ev := events.At(i); ev.Name() == "exception" {
			exception, hasException = ev, true
		}
	}
	// Langfuse leaves the status unset on failure and LangSmith sets it to OK, so a model
	// call is failed by any of these, not by its status alone.
	failed = span.Status().Code() == ptrace.StatusCodeError || hasType || level == "ERROR" ||
		hasException
	if !failed {
		return "", "", false
	}
	msg = span.Status().Message()
	if hasException {
		if typ == "" {
			typ, _ = attrString(exception.Attributes(), "exception.type")
		}
		if msg == "" {
			msg, _ = attrString(exception.Attributes(), "exception.message")
		}
	}
	if msg == "" {
		msg, _ = attrString(attrs, keyLangfuseStatus, "error.message")
	}
	if typ == "" {
		typ = "error"
	}
	return typ, msg, true
}

// traceName is an explicit trace name if a span names one, else the name of the trace's root
// span when it is in the batch.
func traceName(root *node, levels *identityLevels) string {
	if name := levels.lookup(fieldTraceName, ""); name != "" {
		return name
	}
	top := root
	for top.parent != nil {
		top = top.parent
	}
	if top.span.ParentSpanID().IsEmpty() {
		return top.span.Name()
	}
	return ""
}

// normalizeProvider folds the spellings of one provider together: OpenLLMetry's "OpenAI" and
// the Vercel AI SDK's "openai.chat" are both "openai".
func normalizeProvider(p string) string {
	p = strings.ToLower(p)
	for _, api := range []string{".chat", ".responses", ".messages", ".completion"} {
		if base, ok := strings.CutSuffix(p, api); ok && base != "" {
			return base
		}
	}
	return p
}

type content struct {
	input, output string
	attachments   []attachment
}

// interactionContent reads the input of the first call, the answer of the last, and the tool
// calls and results in between as attachments; the interaction's own span is the fallback
// for input and output. It returns how many texts were truncated.
func interactionContent(root *node, calls []*node, logs logContents) (content, int) {
	var c content
	truncated := 0
	cut := func(s string) string {
		s, t := truncateField(s)
		truncated += t
		return s
	}

	c.input = cut(firstOf(calls, root, func(n *node) string {
		if text := spanInput(n.span); text != "" {
			return text
		}
		if lc := logs[keyOf(n.span)]; lc != nil {
			return latestUserText(lc.input)
		}
		return ""
	}, false))
	var room [4]message
	answers := room[:0]
	if len(calls) > len(room) {
		answers = make([]message, 0, len(calls))
	}
	for i, call := range calls {
		answers = append(answers, spanOutput(call.span))
		if lc := logs[keyOf(call.span)]; answers[i].empty() && lc != nil {
			answers[i], _ = firstAnswer(lc.output)
		}
	}
	var answer message
	for i := len(answers) - 1; i >= 0 && answer.empty(); i-- {
		answer = answers[i]
	}
	if answer.empty() && (len(calls) != 1 || calls[0] != root) {
		answer = spanOutput(root.span)
	}
	c.output = cut(answerText(answer))

	for _, a := range answers {
		for _, tc := range a.toolCalls {
			c.attachments = append(c.attachments, attachment{
				Type: "code", Language: "json", Role: "output", Name: tc.name, Value: cut(tc.arguments),
			})
		}
	}
	stack := slices.Clone(root.children)
	var results []*node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, _, ok := toolResult(n.span.Attributes()); ok {
			results = append(results, n)
		}
		stack = append(stack, n.children...)
	}
	slices.SortStableFunc(results, func(a, b *node) int {
		if c := compareUint(a.span.StartTimestamp(), b.span.StartTimestamp()); c != 0 {
			return c
		}
		return comparePos(a.pos, b.pos)
	})
	for _, n := range results {
		name, value, _ := toolResult(n.span.Attributes())
		c.attachments = append(c.attachments, attachment{
			Type: "code", Language: "json", Role: "input", Name: name, Value: cut(asString(value)),
		})
	}
	return c, truncated
}

// toolResult tells whether a span records a tool's result, and the tool's name.
func toolResult(attrs pcommon.Map) (string, any, bool) {
	for _, k := range toolResultKeys {
		if v, ok := attrJSON(attrs, k.result); ok {
			name, _ := attrString(attrs, k.name...)
			return name, v, true
		}
	}
	return "", nil, false
}

func roundMillis(ms float64) float64 {
	return math.Round(ms*1000) / 1000
}
