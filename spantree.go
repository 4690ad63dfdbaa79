package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The span tree: how a batch's spans are linked, what part each plays, and which spans make
// up an interaction.

type role uint8

const (
	roleOther role = iota
	roleEmbedding
	roleCall    // one model call
	roleWrapper // an operation or agent span that makes model calls
)

func (r role) interactive() bool { return r == roleCall || r == roleWrapper }

type node struct {
	span     ptrace.Span
	resource pcommon.Map
	pos      spanPos
	role     role
	parent   *node
	children []*node
	// top is the outermost interactive span on the path from the trace root to this span.
	top   *node
	state uint8
}

const (
	unresolved uint8 = iota
	resolving
	resolved
)

func indexSpans(td ptrace.Traces) []*node {
	type key struct {
		trace pcommon.TraceID
		span  pcommon.SpanID
	}
	total := td.SpanCount()
	// One allocation for every node; the pointers into it stay valid since it never grows.
	store := make([]node, 0, total)
	nodes := make([]*node, 0, total)
	byID := make(map[key]*node, total)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				store = append(store, node{
					span:     s,
					resource: rs.Resource().Attributes(),
					pos:      spanPos{i, j, k},
					role:     classify(s),
				})
				n := &store[len(store)-1]
				nodes = append(nodes, n)
				id := key{s.TraceID(), s.SpanID()}
				if _, dup := byID[id]; !dup && !s.SpanID().IsEmpty() {
					byID[id] = n
				}
			}
		}
	}
	for _, n := range nodes {
		if p := n.span.ParentSpanID(); !p.IsEmpty() {
			if parent, ok := byID[key{n.span.TraceID(), p}]; ok && parent != n {
				n.parent = parent
			}
		}
	}
	return nodes
}

// resolveTop sets top on n and its ancestors without recursion, so deep traces cannot
// exhaust the stack, and cuts parent links that would close a cycle.
func resolveTop(n *node) {
	var path []*node
	cur := n
	for cur != nil && cur.state == unresolved {
		cur.state = resolving
		path = append(path, cur)
		cur = cur.parent
		if cur != nil && cur.state == resolving {
			path[len(path)-1].parent = nil
			cur = nil
		}
	}
	var top *node
	if cur != nil {
		top = cur.top
	}
	for i := len(path) - 1; i >= 0; i-- {
		p := path[i]
		if top == nil && p.role.interactive() {
			top = p
		}
		p.top = top
		p.state = resolved
	}
}

// classify tells what part a span plays, by the first convention that claims it.
func classify(span ptrace.Span) role {
	attrs := span.Attributes()
	if op, ok := attrString(attrs, keyOperationName); ok {
		switch {
		case slices.Contains(callOperations, op):
			return roleCall
		case slices.Contains(wrapperOperations, op):
			return roleWrapper
		case slices.Contains(embeddingOperations, op):
			return roleEmbedding
		}
	}
	if op, ok := attrString(attrs, keyVercelOperationID); ok {
		switch {
		case strings.HasPrefix(op, "ai.embed"):
			return roleEmbedding
		case strings.HasSuffix(op, ".doGenerate"), strings.HasSuffix(op, ".doStream"):
			return roleCall
		case op == "ai.generateText", op == "ai.streamText", op == "ai.generateObject",
			op == "ai.streamObject":
			return roleWrapper
		}
		return roleOther
	}
	if kind, ok := attrString(attrs, keyLLMRequestType); ok {
		switch kind {
		case "chat", "completion":
			return roleCall
		case "embedding", "rerank":
			return roleEmbedding
		}
	}
	for _, k := range []struct {
		key                      string
		call, wrapper, embedding string
	}{
		{keyOpenInferenceKind, "LLM", "AGENT", "EMBEDDING"},
		{keyLangfuseType, "generation", "agent", "embedding"},
		{keyLangSmithKind, "llm", "", "embedding"},
	} {
		switch v, _ := attrString(attrs, k.key); v {
		case "":
		case k.call:
			// Langfuse's OpenAI wrapper records embeddings as generations named
			// OpenAI.embeddings.
			if k.key == keyLangfuseType && strings.HasSuffix(span.Name(), ".embeddings") {
				return roleEmbedding
			}
			return roleCall
		case k.wrapper:
			return roleWrapper
		case k.embedding:
			return roleEmbedding
		}
	}
	// GenAI 1.26 spans name no operation: a provider with a model is a model call.
	if _, ok := attrString(attrs, "gen_ai.system"); ok {
		if _, ok := attrString(attrs, requestModelKeys...); ok {
			return roleCall
		}
	}
	// An agent run that names its agent but no operation (pydantic-ai's "agent run" and
	// "invoke_agent {name}" spans) wraps the calls the agent makes.
	if _, ok := attrString(attrs, keyAgentName); ok {
		if _, hasOp := attrs.Get(keyOperationName); !hasOp {
			return roleWrapper
		}
	}
	return roleOther
}

// calls returns the model calls an interaction made, in the order they started: the root
// itself when it is a call (children of a call, such as a gateway's provider attempts, are
// part of it), else the outermost calls below it.
func calls(root *node) []*node {
	if root.role == roleCall {
		return []*node{root}
	}
	var out []*node
	stack := slices.Clone(root.children)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.role == roleCall {
			out = append(out, n)
			continue
		}
		stack = append(stack, n.children...)
	}
	slices.SortStableFunc(out, func(a, b *node) int {
		if c := compareUint(a.span.StartTimestamp(), b.span.StartTimestamp()); c != 0 {
			return c
		}
		return comparePos(a.pos, b.pos)
	})
	return out
}

// spansOf returns the spans an interaction depends on: its ancestors, which can carry its
// user and conversation, then its own subtree; and how many ancestors lead the list.
func spansOf(root *node, positions *slab[spanPos]) ([]spanPos, int) {
	out := positions.room(8)
	for a := root.parent; a != nil; a = a.parent {
		out = append(out, a.pos)
	}
	ancestors := len(out)
	var room [16]*node
	stack := append(room[:0], root)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, n.pos)
		stack = append(stack, n.children...)
	}
	positions.keep(out)
	return out, ancestors
}

func compareUint(a, b pcommon.Timestamp) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func comparePos(a, b spanPos) int {
	if a.resource != b.resource {
		return a.resource - b.resource
	}
	if a.scope != b.scope {
		return a.scope - b.scope
	}
	return a.span - b.span
}
