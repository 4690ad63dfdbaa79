package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"maps"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Token counts an interaction reports, in the order they become properties.
const (
	tokInput = iota
	tokOutput
	tokTotal
	tokCacheRead
	tokCacheWrite
	tokReasoning
	numTokenCounts
)

var tokenProperties = [numTokenCounts]struct {
	name string
	keys []string
}{
	{"prompt_tokens", inputTokenKeys},
	{"completion_tokens", outputTokenKeys},
	{"total_tokens", totalTokenKeys},
	{"cached_tokens", cacheReadTokenKeys},
	{"cache_creation_tokens", cacheWriteTokenKeys},
	{"reasoning_tokens", reasoningTokenKeys},
}

const (
	costTotal = iota
	costInput
	costOutput
	numCosts
)

var costProperties = [numCosts]struct {
	name string
	keys []string
}{
	{"total_cost", totalCostKeys},
	{"input_cost", inputCostKeys},
	{"output_cost", outputCostKeys},
}

// usage is what one span or one interaction reports about tokens and cost, with the
// semantic conventions' meaning: input includes cached tokens, output includes reasoning.
type usage struct {
	tokens    [numTokenCounts]float64
	hasTokens [numTokenCounts]bool
	cost      [numCosts]float64
	hasCost   [numCosts]bool
	// costSource says where the cost came from: costSourceSpan, or the price table's source.
	costSource string
}

// costSourceSpan marks a cost the spans carried; a gateway's bill wins over any price table.
const costSourceSpan = "span"

func (u *usage) anyTokens() bool {
	return u.hasTokens[tokInput] || u.hasTokens[tokOutput] || u.hasTokens[tokTotal]
}

func (u *usage) anyCost() bool {
	return u.hasCost[costTotal] || u.hasCost[costInput] || u.hasCost[costOutput]
}

func (u *usage) addTokens(o usage) {
	for i := range u.tokens {
		if o.hasTokens[i] {
			u.tokens[i] += o.tokens[i]
			u.hasTokens[i] = true
		}
	}
}

func (u *usage) addCost(o usage) {
	for i := range u.cost {
		if o.hasCost[i] {
			u.cost[i] += o.cost[i]
			u.hasCost[i] = true
		}
	}
}

// usageKey places an attribute key: the count or cost it gives (costs after the token
// counts) and its rank in that one's precedence list.
type usageKey struct{ slot, rank int }

var usageKeys = func() map[string]usageKey {
	m := map[string]usageKey{}
	for i, p := range tokenProperties {
		for r, k := range p.keys {
			m[k] = usageKey{i, r}
		}
	}
	for i, p := range costProperties {
		for r, k := range p.keys {
			m[k] = usageKey{numTokenCounts + i, r}
		}
	}
	return m
}()

var usageSieve = newKeySieve(maps.Keys(usageKeys))

// spanUsage reads a span's counts and costs in one pass over its attributes; for each, the
// key earliest in its precedence list wins.
func spanUsage(attrs pcommon.Map) usage {
	var u usage
	var best [numTokenCounts + numCosts]int
	attrs.Range(func(k string, v pcommon.Value) bool {
		if !usageSieve.mayHave(k) {
			return true
		}
		uk, ok := usageKeys[k]
		if !ok {
			return true
		}
		f, ok := valueNumber(v)
		if !ok {
			return true
		}
		if uk.slot < numTokenCounts {
			if !u.hasTokens[uk.slot] || uk.rank < best[uk.slot] {
				u.tokens[uk.slot], u.hasTokens[uk.slot], best[uk.slot] = f, true, uk.rank
			}
		} else if c := uk.slot - numTokenCounts; !u.hasCost[c] || uk.rank < best[uk.slot] {
			u.cost[c], u.hasCost[c], best[uk.slot] = f, true, uk.rank
		}
		return true
	})
	if !u.anyTokens() {
		langfuseUsage(attrs, &u)
	}
	// LangSmith keeps its cache and reasoning counts in JSON objects.
	if !u.hasTokens[tokCacheRead] {
		u.tokens[tokCacheRead], u.hasTokens[tokCacheRead] = jsonField(attrs, keyLangSmithInputDetails, "cache_read")
	}
	if !u.hasTokens[tokReasoning] {
		u.tokens[tokReasoning], u.hasTokens[tokReasoning] = jsonField(attrs, keyLangSmithOutputDetails, "reasoning")
	}
	if !u.anyCost() {
		langfuseCost(attrs, &u)
	}
	return u
}

// langfuseUsage reads Langfuse's usage_details, whose buckets do not overlap: "input" leaves
// out cached tokens and "output" leaves out reasoning tokens, so both are added back.
func langfuseUsage(attrs pcommon.Map, u *usage) {
	m, ok := attrObject(attrs, "langfuse.observation.usage_details")
	if !ok {
		return
	}
	get := func(keys ...string) (float64, bool) {
		var sum float64
		found := false
		for _, k := range keys {
			if f, ok := jsonNumber(m[k]); ok {
				sum += f
				found = true
			}
		}
		return sum, found
	}
	cacheRead, hasRead := get("input_cached_tokens", "cache_read_input_tokens", "input_cache_read")
	cacheWrite, hasWrite := get("cache_creation_input_tokens", "input_cache_creation")
	reasoning, hasReasoning := get("output_reasoning_tokens", "reasoning_tokens", "output_reasoning")
	if in, ok := get("input", "prompt_tokens", "input_tokens"); ok {
		u.tokens[tokInput], u.hasTokens[tokInput] = in+cacheRead+cacheWrite, true
	}
	if out, ok := get("output", "completion_tokens", "output_tokens"); ok {
		u.tokens[tokOutput], u.hasTokens[tokOutput] = out+reasoning, true
	}
	u.tokens[tokTotal], u.hasTokens[tokTotal] = get("total")
	u.tokens[tokCacheRead], u.hasTokens[tokCacheRead] = cacheRead, hasRead
	u.tokens[tokCacheWrite], u.hasTokens[tokCacheWrite] = cacheWrite, hasWrite
	u.tokens[tokReasoning], u.hasTokens[tokReasoning] = reasoning, hasReasoning
}

func langfuseCost(attrs pcommon.Map, u *usage) {
	m, ok := attrObject(attrs, "langfuse.observation.cost_details")
	if !ok {
		return
	}
	for i, k := range [numCosts]string{"total", "input", "output"} {
		u.cost[i], u.hasCost[i] = jsonNumber(m[k])
	}
}

// jsonField reads one number from an attribute holding a JSON object.
func jsonField(attrs pcommon.Map, key, field string) (float64, bool) {
	m, ok := attrObject(attrs, key)
	if !ok {
		return 0, false
	}
	return jsonNumber(m[field])
}

func jsonNumber(x any) (float64, bool) {
	var f float64
	switch t := x.(type) {
	case float64:
		f = t
	case int64:
		f = float64(t)
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// interactionUsage sums tokens and costs over the calls, so a wrapper that repeats its calls'
// totals (or, as Vercel AI SDK 5 does, only the last step's) is not counted twice. The
// wrapper's own numbers are used only when no call below it has any. Without a cost on the
// spans, each call is priced from the table on its own, so a long-context tier follows the
// size of that call and not of the whole interaction. unpriced names a model with tokens but
// no known price.
func interactionUsage(root *node, calls []*node, prices *priceTable) (total usage, unpriced string) {
	sources := calls
	// Most interactions make a call or two: their usage fits on the stack.
	var room [4]usage
	perCall := room[:0]
	if len(calls) > len(room) {
		perCall = make([]usage, 0, len(calls))
	}
	for i, c := range calls {
		perCall = append(perCall, spanUsage(c.span.Attributes()))
		total.addTokens(perCall[i])
		total.addCost(perCall[i])
	}
	if !total.anyTokens() || !total.anyCost() {
		own := spanUsage(root.span.Attributes())
		if !total.anyTokens() {
			total.addTokens(own)
			sources, perCall = []*node{root}, []usage{own}
		}
		if !total.anyCost() {
			total.addCost(own)
		}
	}
	if !total.hasTokens[tokTotal] && (total.hasTokens[tokInput] || total.hasTokens[tokOutput]) {
		total.tokens[tokTotal] = total.tokens[tokInput] + total.tokens[tokOutput]
		total.hasTokens[tokTotal] = true
	}
	if total.anyCost() {
		if !total.hasCost[costTotal] {
			total.cost[costTotal] = total.cost[costInput] + total.cost[costOutput]
			total.hasCost[costTotal] = true
		}
		total.costSource = costSourceSpan
		return total, ""
	}
	if prices == nil || !total.anyTokens() {
		return total, ""
	}
	unpriced = priceCalls(&total, root, sources, perCall, prices)
	return total, unpriced
}

// priceCalls adds the table cost of every call to total. One call the table cannot price
// leaves the whole interaction without a cost: a partial sum would be a wrong number.
func priceCalls(total *usage, root *node, sources []*node, perCall []usage, prices *priceTable) string {
	var sum costResult
	source := costSourceTable
	for i, n := range sources {
		u := perCall[i]
		if !u.anyTokens() {
			continue
		}
		model := modelOf(n)
		if model == "" {
			model = modelOf(root)
		}
		provider, _ := attrString(n.span.Attributes(), providerKeys...)
		c, ok := prices.cost(model, normalizeProvider(provider), tokenUsage{
			input:      int64(u.tokens[tokInput]),
			output:     int64(u.tokens[tokOutput]),
			cacheRead:  int64(u.tokens[tokCacheRead]),
			cacheWrite: int64(u.tokens[tokCacheWrite]),
			reasoning:  int64(u.tokens[tokReasoning]),
		})
		if !ok {
			if model == "" {
				model = "(no model)"
			}
			return model
		}
		sum.total += c.total
		sum.input += c.input
		sum.output += c.output
		if c.source == costSourceConfig {
			source = costSourceConfig
		}
	}
	total.cost = [numCosts]float64{sum.total, sum.input, sum.output}
	total.hasCost = [numCosts]bool{true, true, true}
	total.costSource = source
	return ""
}

// modelOf is the model a span names: the response model, else the request model.
func modelOf(n *node) string {
	m, _ := attrString(n.span.Attributes(), responseModelKeys...)
	if m == "" {
		m, _ = attrString(n.span.Attributes(), requestModelKeys...)
	}
	return m
}

func (u *usage) addProperties(props *properties) {
	for i, p := range tokenProperties {
		// A count past 2^53 is no token count: it would not survive JSON intact anyway.
		if u.hasTokens[i] && math.Abs(u.tokens[i]) < 1<<53 {
			props.addInt(p.name, int64(math.Round(u.tokens[i])))
		}
	}
	for i, p := range costProperties {
		if u.hasCost[i] && isFinite(u.cost[i]) {
			// Twelve decimals keep a millionth of a cent and drop float noise from sums.
			c := math.Round(u.cost[i]*1e12) / 1e12
			if !isFinite(c) {
				c = u.cost[i]
			}
			props.addFloat(p.name, c)
		}
	}
	if u.anyCost() {
		props.addText("cost_source", u.costSource)
	}
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
