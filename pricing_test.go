package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fp(v float64) *float64 { return &v }

func newTestPriceTable(t *testing.T, overrides ...ModelPrice) *priceTable {
	t.Helper()
	pt, err := newPriceTable(overrides)
	require.NoError(t, err)
	return pt
}

func TestPricingCost(t *testing.T) {
	pt := newTestPriceTable(t)
	tests := []struct {
		name      string
		model     string
		provider  string
		usage     tokenUsage
		in, out   float64
		wantFound bool
	}{
		{
			name:  "plain input and output",
			model: "gpt-4o-mini", usage: tokenUsage{input: 1_000_000, output: 1_000_000},
			in: 0.15, out: 0.6, wantFound: true,
		},
		{
			// 1M input of which 400K cache reads: 600K at 2.5, 400K at 1.25.
			name:  "openai cache reads priced once at their own price",
			model: "gpt-4o", usage: tokenUsage{input: 1_000_000, cacheRead: 400_000, output: 100_000},
			in: 0.6*2.5 + 0.4*1.25, out: 0.1 * 10, wantFound: true,
		},
		{
			// 100K input: 20K cache read at 0.3, 30K cache write at 3.75, 50K plain at 3.
			name:  "anthropic cache read and write",
			model: "claude-sonnet-4-5-20250929",
			usage: tokenUsage{input: 100_000, cacheRead: 20_000, cacheWrite: 30_000, output: 10_000},
			in:    0.05*3 + 0.02*0.3 + 0.03*3.75, out: 0.01 * 15, wantFound: true,
		},
		{
			// Reasoning is part of output and costs the output price for o3.
			name:  "reasoning tokens within output",
			model: "o3-2025-04-16", usage: tokenUsage{input: 10_000, output: 50_000, reasoning: 40_000},
			in: 0.01 * 2, out: 0.05 * 8, wantFound: true,
		},
		{
			name:  "gemini 2.5 pro at 200K input stays on the base price",
			model: "gemini-2.5-pro", usage: tokenUsage{input: 200_000, output: 1_000},
			in: 0.2 * 1.25, out: 0.001 * 10, wantFound: true,
		},
		{
			// Above 200K every token costs the long-context price, cached ones included.
			name:  "gemini 2.5 pro long context",
			model: "models/gemini-2.5-pro", usage: tokenUsage{input: 300_000, cacheRead: 100_000, output: 2_000},
			in: 0.2*2.5 + 0.1*0.25, out: 0.002 * 15, wantFound: true,
		},
		{
			name:  "claude sonnet 4.5 long context counts cache reads towards the threshold",
			model: "claude-sonnet-4-5", usage: tokenUsage{input: 250_000, cacheRead: 150_000, output: 1_000},
			in: 0.1*6 + 0.15*0.6, out: 0.001 * 22.5, wantFound: true,
		},
		{
			name:  "bedrock regional endpoint costs 10% more",
			model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: tokenUsage{input: 100_000, output: 100_000},
			in: 0.33, out: 1.65, wantFound: true,
		},
		{
			name:  "bedrock global endpoint costs the maker's price",
			model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: tokenUsage{input: 100_000, output: 100_000},
			in: 0.3, out: 1.5, wantFound: true,
		},
		{
			name:  "bedrock provider without a regional prefix",
			model: "claude-haiku-4-5", provider: "aws.bedrock", usage: tokenUsage{input: 1_000_000},
			in: 1.1, wantFound: true,
		},
		{
			name:  "older claude on bedrock falls back to the maker's price",
			model: "anthropic.claude-3-5-haiku-20241022-v1:0", usage: tokenUsage{input: 1_000_000},
			in: 0.8, wantFound: true,
		},
		{
			name:  "llama 4 scout on groq",
			model: "meta-llama/llama-4-scout-17b-16e-instruct", provider: "groq",
			usage: tokenUsage{input: 1_000_000, output: 1_000_000}, in: 0.11, out: 0.34, wantFound: true,
		},
		{
			name:  "llama 4 scout on together",
			model: "meta-llama/Llama-4-Scout-17B-16E-Instruct", provider: "together_ai",
			usage: tokenUsage{input: 1_000_000, output: 1_000_000}, in: 0.18, out: 0.59, wantFound: true,
		},
		{
			name:  "llama 4 scout without a provider is not guessed",
			model: "meta-llama/llama-4-scout-17b-16e-instruct", usage: tokenUsage{input: 1},
		},
		{
			name:  "inconsistent counts are floored at zero",
			model: "gpt-4o-mini", usage: tokenUsage{input: 100, cacheRead: 300, output: 10, reasoning: 20},
			in: 300 * 0.075 / 1e6, out: 20 * 0.6 / 1e6, wantFound: true,
		},
		{name: "unknown model", model: "some-new-model", usage: tokenUsage{input: 1}},
		{name: "empty model", model: "", usage: tokenUsage{input: 1}},
		{
			name:  "fine-tuned model is not priced as its base",
			model: "ft:gpt-4o-mini-2024-07-18:org::abc", usage: tokenUsage{input: 1},
		},
		{
			name:  "gateway variant is not priced as its base",
			model: "openrouter/meta-llama/llama-3.3-70b-instruct:free", usage: tokenUsage{input: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pt.cost(tt.model, tt.provider, tt.usage)
			require.Equal(t, tt.wantFound, ok)
			if !tt.wantFound {
				assert.Equal(t, costResult{}, got)
				return
			}
			assert.InDelta(t, tt.in, got.input, 1e-12, "input cost")
			assert.InDelta(t, tt.out, got.output, 1e-12, "output cost")
			assert.InDelta(t, tt.in+tt.out, got.total, 1e-12, "total cost")
			assert.Equal(t, costSourceTable, got.source)
		})
	}
}

// TestPricingNameMatching pins which table entry each spelling reaches, by its input price per
// million tokens (for a short request, below every long-context tier), and that similar names
// never reach a neighbour's price.
func TestPricingNameMatching(t *testing.T) {
	pt := newTestPriceTable(t)
	tests := []struct {
		model, provider string
		wantInput       float64 // 0: must not be priced
	}{
		{"gpt-4o-mini", "", 0.15},
		{"gpt-4o-mini-2024-07-18", "", 0.15},
		{"openai/gpt-4o-mini", "openrouter", 0.15},
		{"GPT-4o-Mini", "openai", 0.15},
		{"gpt-4o", "", 2.5},
		{"gpt-4o-2024-08-06", "", 2.5},
		{"gpt-4o-2024-05-13", "", 5}, // a dated snapshot with its own price
		{"gpt-4", "", 30},
		{"gpt-4-0613", "", 30},
		{"gpt-4.1-mini-2025-04-14", "azure.ai.openai", 0.4},
		{"o1", "", 15},
		{"o1-mini", "", 1.1},
		{"o1-mini-2024-09-12", "", 1.1},
		{"o3-mini", "", 1.1},
		{"gpt-5-nano-2025-08-07", "", 0.05},
		{"anthropic/claude-sonnet-4.5", "openrouter", 3},
		{"claude-sonnet-4-5-20250929", "anthropic", 3},
		{"claude-sonnet-4-5@20250929", "gcp.vertex_ai", 3},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock", 3.3},
		{"claude-3-5-haiku-20241022", "", 0.8},
		{"claude-3.5-haiku", "", 0.8},
		{"claude-3-5-sonnet-v2@20241022", "", 3},
		{"claude-3-5-sonnet-latest", "", 3},
		{"anthropic/claude-3.7-sonnet", "", 3},
		{"claude-opus-4-1-20250805", "", 15},
		{"claude-opus-4-20250514", "", 15},
		{"claude-opus-4-5", "", 5},
		{"claude-4-5-haiku", "", 1},
		{"models/gemini-2.5-flash", "", 0.3},
		{"publishers/google/models/gemini-2.5-flash", "gcp.vertex_ai", 0.3},
		{"projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash", "", 0.3},
		{"gemini-2.5-flash-lite", "", 0.1},
		{"gemini-2.0-flash-001", "", 0.1},
		{"gemini-1.5-pro-002", "", 1.25},
		{"google/gemini-2.5-pro", "openrouter", 1.25},
		{"us.meta.llama3-3-70b-instruct-v1:0", "", 0.72},
		{"groq/llama-3.3-70b-versatile", "", 0.59},

		// Never a neighbour by a loose match.
		{"gpt-4o-mini-realtime-preview", "", 0},
		{"gpt-4o-audio-preview", "", 0},
		{"gpt-4-32k", "", 0},
		{"gpt-5.3", "", 0},
		{"o1-preview-2024-09-12", "", 0},
		{"claude-3-sonnet-20240229", "", 0},
		{"claude-sonnet-4-7", "", 0},
		{"gemini-2.5-flash-preview-05-20", "", 0},
		{"gemini-2.5-flash-image", "", 0},
		{"mistral-large-latest", "", 0},
		{"mistral-large-2512", "", 0},
		{"deepseek-chat", "", 0},
		{"grok-4", "", 0},
		{"my-gpt-4o-deployment", "azure.ai.openai", 0},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			got, ok := pt.cost(tt.model, tt.provider, tokenUsage{input: 100_000})
			if tt.wantInput == 0 {
				assert.False(t, ok, "must not be priced, got %v", got)
				return
			}
			require.True(t, ok, "must be priced")
			assert.InDelta(t, tt.wantInput/10, got.input, 1e-9)
		})
	}
}

// TestPricingNoNeighbour checks the pairs the issue names: the smaller model never takes the
// larger one's price, nor the other way round.
func TestPricingNoNeighbour(t *testing.T) {
	pt := newTestPriceTable(t)
	for _, pair := range [][2]string{
		{"gpt-4o-mini", "gpt-4o"},
		{"gpt-4", "gpt-4o"},
		{"o1-mini", "o1"},
		{"claude-3-5-haiku", "claude-3-5-sonnet"},
		{"gpt-4.1-nano", "gpt-4.1"},
		{"gemini-2.5-flash-lite", "gemini-2.5-flash"},
		{"claude-haiku-4-5", "claude-sonnet-4-5"},
	} {
		a, okA := pt.cost(pair[0], "", tokenUsage{input: 100_000, output: 100_000})
		b, okB := pt.cost(pair[1], "", tokenUsage{input: 100_000, output: 100_000})
		require.True(t, okA && okB, "%v", pair)
		assert.NotEqual(t, a.total, b.total, "%s priced as %s", pair[0], pair[1])
	}
}

func TestPricingOverrides(t *testing.T) {
	pt := newTestPriceTable(t,
		ModelPrice{Model: "gpt-4o-mini", Input: fp(1), Output: fp(2)},
		ModelPrice{Model: "acme-llm-*", Input: fp(0.5), Output: fp(1), CacheRead: fp(0.1)},
		ModelPrice{Model: "openai/my-finetune", Input: fp(3), Output: fp(4), Reasoning: fp(8)},
		ModelPrice{Model: "claude-sonnet-4-5", Provider: "gcp.vertex_ai", Input: fp(3.3), Output: fp(16.5)},
		ModelPrice{
			Model: "acme-long", Input: fp(1), Output: fp(2),
			Tiers: []PriceTier{
				{AboveInputTokens: 100_000, Input: fp(2), Output: fp(4), CacheRead: fp(0.2)},
				{AboveInputTokens: 500_000, Input: fp(4), Output: fp(8)},
			},
		},
	)
	tests := []struct {
		name, model, provider string
		usage                 tokenUsage
		in, out               float64
		source                string
	}{
		{
			name: "exact override beats the table", model: "gpt-4o-mini-2024-07-18",
			usage: tokenUsage{input: 1_000_000, output: 1_000_000}, in: 1, out: 2, source: costSourceConfig,
		},
		{
			name: "override leaves other models to the table", model: "gpt-4o",
			usage: tokenUsage{input: 1_000_000}, in: 2.5, source: costSourceTable,
		},
		{
			name: "pattern", model: "acme-llm-7b-chat",
			usage: tokenUsage{input: 1_000_000, cacheRead: 500_000}, in: 0.25 + 0.05, source: costSourceConfig,
		},
		{
			name: "pattern on the model as the span spells it", model: "ACME/acme-llm-2",
			usage: tokenUsage{output: 1_000_000}, out: 1, source: costSourceConfig,
		},
		{
			name: "defaults: cache at input price, reasoning as configured", model: "my-finetune",
			usage: tokenUsage{input: 1_000_000, cacheWrite: 1_000_000, output: 1_000_000, reasoning: 500_000},
			in:    3, out: 0.5*4 + 0.5*8, source: costSourceConfig,
		},
		{
			name: "provider-specific override", model: "claude-sonnet-4-5@20250929", provider: "gcp.vertex_ai",
			usage: tokenUsage{input: 100_000}, in: 0.33, source: costSourceConfig,
		},
		{
			name: "provider-specific override does not apply elsewhere", model: "claude-sonnet-4-5", provider: "anthropic",
			usage: tokenUsage{input: 100_000}, in: 0.3, source: costSourceTable,
		},
		{
			name: "config tier: the highest threshold exceeded wins", model: "acme-long",
			usage: tokenUsage{input: 200_000, cacheRead: 100_000, output: 1_000_000},
			in:    0.1*2 + 0.1*0.2, out: 4, source: costSourceConfig,
		},
		{
			name: "top config tier", model: "acme-long",
			usage: tokenUsage{input: 600_000}, in: 0.6 * 4, source: costSourceConfig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pt.cost(tt.model, tt.provider, tt.usage)
			require.True(t, ok)
			assert.InDelta(t, tt.in, got.input, 1e-12, "input cost")
			assert.InDelta(t, tt.out, got.output, 1e-12, "output cost")
			assert.InDelta(t, tt.in+tt.out, got.total, 1e-12, "total cost")
			assert.Equal(t, tt.source, got.source)
		})
	}
}

func TestPricingOverrideValidation(t *testing.T) {
	tests := []struct {
		name    string
		price   ModelPrice
		wantErr []string
	}{
		{
			name:  "valid",
			price: ModelPrice{Model: "x-*", Input: fp(0), Output: fp(0)},
		},
		{
			name:  "missing model and prices",
			price: ModelPrice{},
			wantErr: []string{
				"pricing[0].model: must not be empty",
				"pricing[0].input: must be set",
				"pricing[0].output: must be set",
			},
		},
		{
			name:  "negative price",
			price: ModelPrice{Model: "m", Input: fp(-1), Output: fp(1), CacheRead: fp(-0.5)},
			wantErr: []string{
				"pricing[0].input: must be a non-negative number, got -1",
				"pricing[0].cache_read: must be a non-negative",
			},
		},
		{
			name:    "star alone",
			price:   ModelPrice{Model: "*", Input: fp(1), Output: fp(1)},
			wantErr: []string{`pricing[0].model: "*" alone would price every model`},
		},
		{
			name:    "star inside",
			price:   ModelPrice{Model: "gpt-*-mini", Input: fp(1), Output: fp(1)},
			wantErr: []string{`pricing[0].model: "gpt-*-mini": only a single trailing "*" is supported`},
		},
		{
			name:    "name that normalises to nothing",
			price:   ModelPrice{Model: "ft:gpt-4o", Input: fp(1), Output: fp(1)},
			wantErr: []string{`pricing[0].model: "ft:gpt-4o" does not name a model after normalisation`},
		},
		{
			name: "bad tiers",
			price: ModelPrice{
				Model: "m", Input: fp(1), Output: fp(1),
				Tiers: []PriceTier{
					{AboveInputTokens: 0, Output: fp(-2)},
					{AboveInputTokens: 10, Input: fp(1), Output: fp(1)},
					{AboveInputTokens: 10, Input: fp(1), Output: fp(1)},
				},
			},
			wantErr: []string{
				"pricing[0].tiers[0].above_input_tokens: must be greater than zero",
				"pricing[0].tiers[0].input: must be set",
				"pricing[0].tiers[0].output: must be a non-negative number, got -2",
				"pricing[0].tiers[2].above_input_tokens: must be greater than the previous tier's (10)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newPriceTable([]ModelPrice{tt.price})
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				require.NoError(t, tt.price.Validate())
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			// Validate, run by confmap.Validate under pricing::i, names the same keys without the index.
			verr := tt.price.Validate()
			require.Error(t, verr)
			assert.Contains(t, verr.Error(), strings.TrimPrefix(tt.wantErr[0], "pricing[0]."))
		})
	}

	_, err := newPriceTable([]ModelPrice{
		{Model: "a", Input: fp(1), Output: fp(1)},
		{Model: "openai/A", Input: fp(2), Output: fp(2)},
	})
	require.EqualError(t, err, `pricing[1].model: "openai/A" duplicates pricing[0]`)
}

// TestPricingTableConsistency checks every built-in row: it parses, its prices are sane, it
// says where it came from and when, and no two rows claim one name.
func TestPricingTableConsistency(t *testing.T) {
	prices, err := loadBuiltinPrices()
	require.NoError(t, err)

	keys := map[string]string{}
	for _, b := range builtinPrices {
		t.Run(b.host+"/"+b.model, func(t *testing.T) {
			require.NoError(t, b.check())
			assert.True(t, strings.HasPrefix(b.source, "https://"), "source must be a URL")
			for _, tr := range b.tiers {
				assert.GreaterOrEqual(t, tr.input, b.input, "a long-context tier costs more, not less")
				assert.GreaterOrEqual(t, tr.output, b.output, "a long-context tier costs more, not less")
			}
			if b.cacheRead != 0 {
				assert.Less(t, b.cacheRead, b.input, "cache reads are a discount")
			}
			for _, name := range append([]string{b.model}, b.aliases...) {
				names := normaliseModel(name)
				require.NotEmpty(t, names, name)
				key := b.host + "|" + names[0]
				if prev, dup := keys[key]; dup {
					t.Errorf("%q normalises to %q, already claimed by %s", name, key, prev)
				}
				keys[key] = b.model
				require.Contains(t, prices, key)

				// The row's own name must reach the row, with its own host.
				provider := map[string]string{hostBedrock: "aws.bedrock", hostGroq: "groq", hostTogether: "together_ai"}[b.host]
				p, src := (&priceTable{builtin: prices}).lookup(name, normaliseModel(name), provider)
				require.NotNil(t, p, name)
				assert.Equal(t, costSourceTable, src)
				assert.InDelta(t, b.input, p.base.input, 1e-12, name)
			}
		})
	}

	// The built-in table has exact names only, no patterns, so no row can claim another's
	// model by pattern. What remains: a dated or revised spelling of one row must not fall
	// back to another row's name, except for snapshots deliberately priced apart from their
	// model's current price.
	pricedApart := map[string]bool{"gpt-4o-2024-05-13": true}
	for key, model := range keys {
		host, name, _ := strings.Cut(key, "|")
		for _, stripped := range normaliseModel(name)[1:] {
			if other, ok := keys[host+"|"+stripped]; ok && other != model && !pricedApart[name] {
				t.Errorf("%q falls back to %q, which belongs to %s", name, stripped, other)
			}
		}
	}
}

func TestPricingNormaliseModel(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"gpt-4o-mini-2024-07-18", []string{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"}},
		{"openai/gpt-4o-mini", []string{"gpt-4o-mini"}},
		{"anthropic/claude-sonnet-4.5", []string{"claude-sonnet-4-5"}},
		{"claude-sonnet-4-5-20250929", []string{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"}},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", []string{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"}},
		{"claude-3-5-sonnet-v2@20241022", []string{"claude-sonnet-3-5"}},
		{"claude-3.5-sonnet", []string{"claude-sonnet-3-5"}},
		{"publishers/google/models/gemini-2.5-flash", []string{"gemini-2.5-flash"}},
		{"gemini-2.0-flash-001", []string{"gemini-2.0-flash-001", "gemini-2.0-flash"}},
		{"meta.llama3-3-70b-instruct-v1:0", []string{"llama3-3-70b-instruct"}},
		{"mistral-large-2411", []string{"mistral-large-2411"}},
		{"  ", nil},
		{"ft:gpt-4o-mini:acme::1", nil},
		{"deepseek/deepseek-r1:free", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, normaliseModel(tt.in), tt.in)
	}
}

func TestPricingTableSize(t *testing.T) {
	models := map[string]bool{}
	for _, b := range builtinPrices {
		models[b.model] = true
	}
	t.Logf("built-in table: %d rows, %d distinct models", len(builtinPrices), len(models))
	assert.Greater(t, len(models), 50, "the table should cover the models in use")
}

func BenchmarkPricingCost(b *testing.B) {
	pt, err := newPriceTable([]ModelPrice{{Model: "acme-*", Input: fp(1), Output: fp(1)}})
	require.NoError(b, err)
	u := tokenUsage{input: 12_000, cacheRead: 8_000, output: 900, reasoning: 300}
	for b.Loop() {
		pt.cost("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock", u)
	}
}
