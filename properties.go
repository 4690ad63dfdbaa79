package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// consumedKeys are the attributes the event already carries in another form; forwarding them
// as well would only repeat them under a second name.
var consumedKeys = func() map[string]bool {
	set := map[string]bool{}
	for _, list := range [][]string{
		responseModelKeys, requestModelKeys, providerKeys, finishReasonKeys,
		inputTokenKeys, outputTokenKeys, totalTokenKeys, cacheReadTokenKeys,
		cacheWriteTokenKeys, reasoningTokenKeys, totalCostKeys, inputCostKeys, outputCostKeys,
		ttftSecondsKeys, ttftMillisKeys, raindropEventIDKeys, raindropEventNameKeys,
		userIDKeys, convoIDKeys, sessionIDKeys, functionNameKeys, traceNameKeys, contentKeys,
		usageDetailKeys,
		{keyErrorType},
	} {
		for _, k := range list {
			set[k] = true
		}
	}
	return set
}()

// neverForwarded tells the keys that hold content or headers.
func neverForwarded(k string) bool {
	for _, prefixes := range [][]string{contentPrefixes, headerPrefixes, {signalPrefix}} {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
	}
	return false
}

// forwardedAttributes returns the attributes the translation did not consume, as properties
// under their own names; keys of the custom-metadata namespaces lose their prefix, the way
// OpenRouter forwards its trace metadata. Where two attributes claim one name, the first wins.
func forwardedAttributes(attrs pcommon.Map) map[string]any {
	props := make(map[string]any, attrs.Len()+16)
	attrs.Range(func(k string, v pcommon.Value) bool {
		if consumedKeys[k] || neverForwarded(k) {
			return true
		}
		name := k
		for _, p := range metadataPrefixes {
			if rest, ok := strings.CutPrefix(k, p); ok && rest != "" {
				name = rest
				break
			}
		}
		if k == "metadata" {
			// OpenInference keeps its metadata as one JSON object in a string.
			if m, ok := decodedObject(v); ok {
				for mk, mv := range m {
					if _, exists := props[mk]; !exists {
						props[mk] = mv
					}
				}
				return true
			}
		}
		if _, exists := props[name]; !exists {
			props[name] = propertyValue(v)
		}
		return true
	})
	return props
}

func decodedObject(v pcommon.Value) (map[string]any, bool) {
	x, ok := valueJSON(v)
	if !ok {
		return nil, false
	}
	m, ok := x.(map[string]any)
	return m, ok
}
