package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Cost sources, sent as cost_source so that a reader knows how far to trust a cost.
const (
	costSourceTable  = "table"
	costSourceConfig = "config"
)

// tokenUsage holds one interaction's token counts with the semantic conventions' meaning:
// input includes cached (cache read and cache write) tokens; output includes reasoning tokens.
type tokenUsage struct {
	input, output, cacheRead, cacheWrite, reasoning int64
}

// costResult is a computed cost in USD and where its prices came from.
type costResult struct {
	total, input, output float64
	source               string // costSourceTable or costSourceConfig
}

// ModelPrice is one user price entry under the exporter's `pricing` key. It adds a model the
// built-in table lacks or replaces the table's price for a model. All prices are in USD per
// one million tokens.
type ModelPrice struct {
	// Model is the model name the price applies to. It is compared after the same
	// normalisation as span models (see PRICING.md): lower case, without provider prefixes
	// such as "openai/" and without date suffixes such as "-2024-07-18". A trailing "*" makes
	// it a prefix pattern: "my-finetune-*" matches every model starting with "my-finetune-".
	Model string `mapstructure:"model"`

	// Provider limits the entry to spans from this provider, as the span names it
	// (gen_ai.provider.name, for example "aws.bedrock" or "gcp.vertex_ai"). Empty (the default)
	// matches every provider.
	Provider string `mapstructure:"provider"`

	// Input is the price of one million input tokens that were neither read from nor written
	// to a prompt cache. Required.
	Input *float64 `mapstructure:"input"`

	// Output is the price of one million output tokens that are not reasoning tokens. Required.
	Output *float64 `mapstructure:"output"`

	// CacheRead is the price of one million input tokens read from a prompt cache.
	// Default: the input price.
	CacheRead *float64 `mapstructure:"cache_read"`

	// CacheWrite is the price of one million input tokens written to a prompt cache.
	// Default: the input price.
	CacheWrite *float64 `mapstructure:"cache_write"`

	// Reasoning is the price of one million reasoning (thinking) output tokens.
	// Default: the output price.
	Reasoning *float64 `mapstructure:"reasoning"`

	// Tiers are higher prices for long requests. A tier applies, to every token of a request,
	// when the request's input tokens (cached ones included) exceed its above_input_tokens;
	// the tier with the highest threshold below the input count wins. Default: none.
	Tiers []PriceTier `mapstructure:"tiers"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// PriceTier is the price of a model for requests above a number of input tokens. Prices are in
// USD per one million tokens; unset cache prices default to the tier's input price and an unset
// reasoning price to the tier's output price.
type PriceTier struct {
	// AboveInputTokens is the threshold: the tier applies when a request has more input
	// tokens than this. Required, greater than zero.
	AboveInputTokens int64 `mapstructure:"above_input_tokens"`

	// Input is the tier's price of one million non-cached input tokens. Required.
	Input *float64 `mapstructure:"input"`

	// Output is the tier's price of one million non-reasoning output tokens. Required.
	Output *float64 `mapstructure:"output"`

	// CacheRead is the tier's price of one million cache-read tokens. Default: the tier's input price.
	CacheRead *float64 `mapstructure:"cache_read"`

	// CacheWrite is the tier's price of one million cache-write tokens. Default: the tier's input price.
	CacheWrite *float64 `mapstructure:"cache_write"`

	// Reasoning is the tier's price of one million reasoning tokens. Default: the tier's output price.
	Reasoning *float64 `mapstructure:"reasoning"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// keyError is a validation failure of one YAML key, so that callers can prefix the key with
// where the entry sits (pricing[2].input).
type keyError struct {
	key, msg string
}

// Validate checks one price entry without applying defaults.
func (p *ModelPrice) Validate() error {
	var errs []error
	for _, e := range p.check() {
		errs = append(errs, fmt.Errorf("%s: %s", e.key, e.msg))
	}
	return errors.Join(errs...)
}

func (p *ModelPrice) check() []keyError {
	var errs []keyError
	if err := checkModelPattern(p.Model); err != "" {
		errs = append(errs, keyError{"model", err})
	}
	errs = append(errs, checkRates("", p.Input, p.Output, p.CacheRead, p.CacheWrite, p.Reasoning)...)
	var prev int64
	for i, t := range p.Tiers {
		prefix := fmt.Sprintf("tiers[%d].", i)
		switch {
		case t.AboveInputTokens <= 0:
			errs = append(errs, keyError{prefix + "above_input_tokens", "must be greater than zero"})
		case t.AboveInputTokens <= prev:
			errs = append(errs, keyError{
				prefix + "above_input_tokens",
				fmt.Sprintf("must be greater than the previous tier's (%d)", prev),
			})
		}
		prev = max(prev, t.AboveInputTokens)
		errs = append(errs, checkRates(prefix, t.Input, t.Output, t.CacheRead, t.CacheWrite, t.Reasoning)...)
	}
	return errs
}

func checkModelPattern(model string) string {
	m := strings.TrimSpace(model)
	switch {
	case m == "":
		return "must not be empty"
	case m == "*":
		return `"*" alone would price every model; name a prefix before the "*"`
	case strings.Contains(strings.TrimSuffix(m, "*"), "*"):
		return fmt.Sprintf("%q: only a single trailing \"*\" is supported", model)
	case !strings.HasSuffix(m, "*") && len(normaliseModel(m)) == 0:
		return fmt.Sprintf("%q does not name a model after normalisation", model)
	}
	return ""
}

func checkRates(prefix string, input, output, cacheRead, cacheWrite, reasoning *float64) []keyError {
	var errs []keyError
	if input == nil {
		errs = append(errs, keyError{prefix + "input", "must be set"})
	}
	if output == nil {
		errs = append(errs, keyError{prefix + "output", "must be set"})
	}
	for _, r := range []struct {
		key string
		v   *float64
	}{
		{"input", input}, {"output", output}, {"cache_read", cacheRead},
		{"cache_write", cacheWrite}, {"reasoning", reasoning},
	} {
		if r.v != nil && (*r.v < 0 || math.IsNaN(*r.v) || math.IsInf(*r.v, 0)) {
			errs = append(errs, keyError{prefix + r.key, fmt.Sprintf("must be a non-negative number, got %v", *r.v)})
		}
	}
	return errs
}

// rates are prices in USD per one million tokens, with defaults already applied.
type rates struct {
	input, output, cacheRead, cacheWrite, reasoning float64
}

type tier struct {
	above int64
	rates rates
}

// price is a model's resolved price: base rates and ascending long-context tiers.
type price struct {
	base  rates
	tiers []tier
}

// ratesFor picks the rates for a request with the given input tokens: the tier with the
// highest threshold the request exceeds, else the base rates.
func (p *price) ratesFor(inputTokens int64) rates {
	r := p.base
	for _, t := range p.tiers {
		if inputTokens > t.above {
			r = t.rates
		}
	}
	return r
}

// override is one config entry, resolved.
type override struct {
	name     string // normalised model name, or the prefix of a pattern
	pattern  bool
	provider string // lower case; empty matches every provider
	price    *price
}

// priceTable answers "what did this call cost" from config overrides and the built-in table.
// It is built once at start-up and read concurrently without locks.
type priceTable struct {
	exact    map[string][]override // config entries without "*", by normalised name
	patterns []override            // config entries with "*", in config order
	builtin  map[string]*price     // key: host + "|" + normalised name

	// found remembers each (model, provider) lookup: an application uses a handful of
	// models, and normalising a name costs more than pricing it. Bounded by maxFound.
	found     sync.Map // lookupKey -> foundPrice
	foundSize atomic.Int64
}

type lookupKey struct{ model, provider string }

type foundPrice struct {
	price  *price
	source string
}

// maxFound bounds the lookup memo; past it, names are looked up every time.
const maxFound = 4096

// newPriceTable validates the overrides and builds the lookup maps. Errors name the YAML key,
// for example "pricing[1].input: must be set".
func newPriceTable(overrides []ModelPrice) (*priceTable, error) {
	t := &priceTable{exact: map[string][]override{}}
	var errs []error
	seen := map[string]int{}
	for i := range overrides {
		mp := &overrides[i]
		if kerrs := mp.check(); len(kerrs) > 0 {
			for _, e := range kerrs {
				errs = append(errs, fmt.Errorf("pricing[%d].%s: %s", i, e.key, e.msg))
			}
			continue
		}
		o := override{provider: strings.ToLower(strings.TrimSpace(mp.Provider)), price: mp.resolve()}
		m := strings.ToLower(strings.TrimSpace(mp.Model))
		if prefix, ok := strings.CutSuffix(m, "*"); ok {
			o.pattern, o.name = true, prefix
		} else {
			o.name = normaliseModel(m)[0]
		}
		key := fmt.Sprintf("%t|%s|%s", o.pattern, o.name, o.provider)
		if j, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("pricing[%d].model: %q duplicates pricing[%d]", i, mp.Model, j))
			continue
		}
		seen[key] = i
		if o.pattern {
			t.patterns = append(t.patterns, o)
		} else {
			t.exact[o.name] = append(t.exact[o.name], o)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	builtin, err := loadBuiltinPrices()
	if err != nil {
		return nil, fmt.Errorf("built-in price table: %w", err)
	}
	t.builtin = builtin
	return t, nil
}

// resolve applies the documented defaults; check must have passed.
func (p *ModelPrice) resolve() *price {
	res := &price{base: resolveRates(p.Input, p.Output, p.CacheRead, p.CacheWrite, p.Reasoning)}
	for _, t := range p.Tiers {
		res.tiers = append(res.tiers, tier{
			above: t.AboveInputTokens,
			rates: resolveRates(t.Input, t.Output, t.CacheRead, t.CacheWrite, t.Reasoning),
		})
	}
	return res
}

func resolveRates(input, output, cacheRead, cacheWrite, reasoning *float64) rates {
	r := rates{input: *input, output: *output, cacheRead: *input, cacheWrite: *input, reasoning: *output}
	if cacheRead != nil {
		r.cacheRead = *cacheRead
	}
	if cacheWrite != nil {
		r.cacheWrite = *cacheWrite
	}
	if reasoning != nil {
		r.reasoning = *reasoning
	}
	return r
}

// cost prices one interaction. It reports false when no price is known for the model, and
// never falls back to a similar model's price.
func (t *priceTable) cost(model, provider string, u tokenUsage) (costResult, bool) {
	key := lookupKey{model, provider}
	if f, ok := t.found.Load(key); ok {
		fp := f.(foundPrice)
		if fp.price == nil {
			return costResult{}, false
		}
		return computeCost(fp.price, u, fp.source), true
	}
	var fp foundPrice
	if names := normaliseModel(model); len(names) > 0 {
		fp.price, fp.source = t.lookup(model, names, strings.ToLower(strings.TrimSpace(provider)))
	}
	if t.foundSize.Load() < maxFound {
		if _, loaded := t.found.LoadOrStore(key, fp); !loaded {
			t.foundSize.Add(1)
		}
	}
	if fp.price == nil {
		return costResult{}, false
	}
	return computeCost(fp.price, u, fp.source), true
}

func (t *priceTable) lookup(model string, names []string, provider string) (*price, string) {
	host := hostOf(model, provider)
	for _, n := range names {
		if p := matchOverride(t.exact[n], provider, host); p != nil {
			return p, costSourceConfig
		}
	}
	if len(t.patterns) > 0 {
		raw := lastPathSegment(strings.ToLower(strings.TrimSpace(model)))
		for _, o := range t.patterns {
			if !providerMatches(o.provider, provider, host) {
				continue
			}
			if strings.HasPrefix(raw, o.name) {
				return o.price, costSourceConfig
			}
			for _, n := range names {
				if strings.HasPrefix(n, o.name) {
					return o.price, costSourceConfig
				}
			}
		}
	}
	for _, n := range names {
		if host != "" {
			if p := t.builtin[host+"|"+n]; p != nil {
				return p, costSourceTable
			}
		}
		if p := t.builtin["|"+n]; p != nil {
			return p, costSourceTable
		}
	}
	return nil, ""
}

// matchOverride prefers an entry for the span's provider over one for every provider.
func matchOverride(os []override, provider, host string) *price {
	var anyProvider *price
	for _, o := range os {
		switch {
		case o.provider == "":
			anyProvider = o.price
		case providerMatches(o.provider, provider, host):
			return o.price
		}
	}
	return anyProvider
}

func providerMatches(want, provider, host string) bool {
	if want == "" || want == provider {
		return true
	}
	h := providerHost(want)
	return h != "" && h == host
}

// computeCost applies the semantic conventions' meaning of the counts: cached tokens are part
// of input and reasoning tokens part of output, so each token is priced exactly once.
func computeCost(p *price, u tokenUsage, source string) costResult {
	input := max(u.input, 0)
	cacheRead := max(u.cacheRead, 0)
	cacheWrite := max(u.cacheWrite, 0)
	output := max(u.output, 0)
	reasoning := max(u.reasoning, 0)
	r := p.ratesFor(input)

	uncached := max(input-cacheRead-cacheWrite, 0)
	plainOutput := max(output-reasoning, 0)
	in := (float64(uncached)*r.input + float64(cacheRead)*r.cacheRead + float64(cacheWrite)*r.cacheWrite) / 1e6
	out := (float64(plainOutput)*r.output + float64(reasoning)*r.reasoning) / 1e6
	return costResult{total: in + out, input: in, output: out, source: source}
}

var (
	// Bedrock model ids: optional inference-profile geography, vendor, model, version.
	// "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "meta.llama3-3-70b-instruct-v1:0".
	bedrockID = regexp.MustCompile(
		`^(?:(us|us-gov|eu|apac|au|jp|ca|global)\.)?` +
			`(anthropic|meta|mistral|amazon|cohere|ai21|deepseek|openai|qwen|google|writer)\.(.+)$`)
	bedrockVersion = regexp.MustCompile(`-v\d+(?::\d+)?$`)
	// Dated snapshots: OpenAI "-2024-07-18", Anthropic "-20250929".
	dateSuffix = regexp.MustCompile(`-(?:\d{4}-\d{2}-\d{2}|20\d{6})$`)
	// Gemini stable revisions: "gemini-2.0-flash-001".
	geminiRevision = regexp.MustCompile(`^(gemini-.+)-\d{3}$`)
	// Claude names with the version before the family ("claude-3-5-sonnet"), reordered to the
	// newer family-first form ("claude-sonnet-3-5") so both spellings meet in one key.
	claudeVersionFirst = regexp.MustCompile(`^claude-(\d+(?:-\d+)?)-(opus|sonnet|haiku)(-.*)?$`)
	claudeRevision     = regexp.MustCompile(`-v\d+$`)
)

// normaliseModel turns a span's model name into lookup keys, most specific first: the
// normalised name, then the same without its date or revision suffix. It returns nil for names
// that must not be priced from the table (fine-tuned models, gateway variants such as ":free").
func normaliseModel(model string) []string {
	m := lastPathSegment(strings.ToLower(strings.TrimSpace(model)))
	if m == "" || strings.HasPrefix(m, "ft:") {
		return nil
	}
	if i := strings.IndexByte(m, '@'); i >= 0 { // Vertex: "claude-sonnet-4-5@20250929"
		m = m[:i]
	}
	if sm := bedrockID.FindStringSubmatch(m); sm != nil {
		m = bedrockVersion.ReplaceAllString(sm[3], "")
	}
	if m == "" || strings.ContainsAny(m, ":@ ") {
		return nil
	}
	if strings.HasPrefix(m, "claude-") {
		m = strings.ReplaceAll(m, ".", "-")
		m = claudeRevision.ReplaceAllString(m, "")
		m = strings.TrimSuffix(m, "-latest")
		if sm := claudeVersionFirst.FindStringSubmatch(m); sm != nil {
			m = "claude-" + sm[2] + "-" + sm[1] + sm[3]
		}
	}

	names := []string{m}
	if d := dateSuffix.ReplaceAllString(m, ""); d != m && d != "" {
		names = append(names, d)
	}
	if sm := geminiRevision.FindStringSubmatch(m); sm != nil {
		names = append(names, sm[1])
	}
	return names
}

func lastPathSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// hostOf says which host's prices apply when a host prices a model differently from its maker:
// from the provider attribute, else from the shape of the model name. Empty means the maker's
// own price.
func hostOf(model, provider string) string {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		// A gateway prefix such as "bedrock/" or "groq/" names the host.
		if h := providerHost(m[:strings.IndexByte(m, '/')]); h != "" && provider == "" {
			provider = h
		}
		m = m[i+1:]
	}
	if sm := bedrockID.FindStringSubmatch(m); sm != nil {
		if sm[1] == "global" {
			return "" // global inference profiles cost what the maker's own API costs
		}
		return hostBedrock
	}
	return providerHost(provider)
}

// Hosts whose prices the table records separately from the model maker's.
const (
	hostBedrock  = "bedrock"
	hostGroq     = "groq"
	hostTogether = "together"
)

// providerHost maps a provider name (gen_ai.provider.name and the usual library spellings) to a
// host with its own prices, or "" when the maker's prices apply.
func providerHost(provider string) string {
	switch strings.ToLower(strings.TrimSpace(provider)) {
	case "aws.bedrock", "bedrock", "amazon-bedrock", "amazon_bedrock", "bedrock_converse":
		return hostBedrock
	case "groq":
		return hostGroq
	case "together", "together_ai", "together-ai", "togetherai":
		return hostTogether
	}
	return ""
}
