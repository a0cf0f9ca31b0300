package registry

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

// FuzzScrubEscapedSecret: a secret a registry quotes back, as it is or
// escaped as a URL or a JSON encoder may escape it, between any text,
// leaves scrub without the secret in that form.
func FuzzScrubEscapedSecret(f *testing.F) {
	for _, s := range []struct {
		secret, before, after string
		escape                uint8
	}{
		{"s3cr3t pa$$/word+=?", "?echo=", "&n=10", 3},
		{"Tr0ub\"4d\\or&<3>", `{"detail":"`, `"}`, 6},
		{"%41-x", "/v2/", "/tags/list", 4},
		{"abc", "%", "", 5},
		{"Abc-secret", `\`, "", 8}, // hidden by the backslash before it when the text was unescaped instead
	} {
		f.Add(s.secret, s.before, s.after, s.escape)
	}
	upperHex := regexp.MustCompile(`%[0-9A-F]{2}`)
	escapes := []func(string) string{
		func(s string) string { return s },
		url.QueryEscape,
		url.PathEscape,
		func(s string) string { return upperHex.ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower) },
		func(s string) string { return everyByteEscaped(s, "%%%02x") },
		func(s string) string { return everyByteEscaped(s, "%%%02X") },
		func(s string) string { return goJSONEscaped(s, true) },
		func(s string) string { return goJSONEscaped(s, false) },
		func(s string) string { // every character as \uXXXX, as Gson may
			var b strings.Builder
			for _, u := range utf16.Encode([]rune(s)) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
			return b.String()
		},
	}
	f.Fuzz(func(t *testing.T, secret, before, after string, escape uint8) {
		if len(secret) < 3 || strings.ContainsRune(secret, 0) {
			return // addSecret keeps no secret this short
		}
		quoted := escapes[int(escape)%len(escapes)](secret)
		c := &Client{}
		c.addSecret(secret)
		// "[redacted]" may spell the secret with its neighbours: the
		// markers are cut out of what is checked.
		out := strings.ReplaceAll(c.scrub(before+quoted+after), "[redacted]", "\x00")
		if strings.Contains(out, secret) || strings.Contains(out, quoted) {
			t.Fatalf("scrub(%q + %q + %q) keeps the secret %q: %q", before, quoted, after, secret, out)
		}
	})
}

// goJSONEscaped is s as Go's JSON encoder writes it inside a string.
func goJSONEscaped(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // "…"\n
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), `"`), "\"\n")
}

func everyByteEscaped(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}
