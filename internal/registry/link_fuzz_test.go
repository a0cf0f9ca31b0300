package registry

import (
	"slices"
	"strings"
	"testing"
)

// refNextLinks reads Link header values as RFC 8288 §3 writes them, with
// RFC 9110's list rule (§5.6.1: empty elements ignored on receipt), OWS,
// BWS, token and quoted-string (§5.6.2, §5.6.4), one character at a time:
// the targets of the link-values whose first rel parameter, unquoted,
// holds the relation type "next" (compared without case, §2.1.1), and
// whether the values are valid at all. A target is taken as any visible
// characters but '<', '>' and '"'.
func refNextLinks(values []string) (next []string, valid bool) {
	for _, v := range values {
		n, ok := refNextLinksOf(v)
		if !ok {
			return nil, false
		}
		next = append(next, n...)
	}
	return next, true
}

// refNextLinksOf is refNextLinks of one field line: no element spans two.
func refNextLinksOf(s string) (next []string, valid bool) {
	sc := &fieldScanner{s: s}
	ows, token, quoted := sc.ows, sc.token, sc.quoted
	for {
		// Elements, empty ones ignored, separated by OWS "," OWS.
		ows()
		if sc.i == len(s) {
			return next, true
		}
		if s[sc.i] == ',' {
			sc.i++
			continue
		}
		if s[sc.i] != '<' {
			return nil, false
		}
		j := strings.IndexByte(s[sc.i:], '>')
		if j < 0 {
			return nil, false
		}
		target := s[sc.i+1 : sc.i+j]
		for k := 0; k < len(target); k++ {
			if c := target[k]; c <= 0x20 || c >= 0x7f || c == '<' || c == '"' {
				return nil, false
			}
		}
		sc.i += j + 1
		rel, hasRel := "", false
		for {
			k := sc.i
			ows()
			if sc.i == len(s) || s[sc.i] != ';' {
				sc.i = k
				break
			}
			sc.i++
			ows()
			name, ok := token()
			if !ok {
				return nil, false
			}
			ows() // BWS
			value := ""
			if sc.i < len(s) && s[sc.i] == '=' {
				sc.i++
				ows() // BWS
				if sc.i < len(s) && s[sc.i] == '"' {
					value, ok = quoted()
				} else {
					value, ok = token()
				}
				if !ok {
					return nil, false
				}
			}
			if strings.EqualFold(name, "rel") && !hasRel {
				rel, hasRel = value, true
			}
		}
		ows()
		if sc.i < len(s) && s[sc.i] != ',' {
			return nil, false
		}
		for _, t := range strings.FieldsFunc(rel, func(r rune) bool { return r == ' ' || r == '\t' }) {
			if strings.EqualFold(t, "next") {
				next = append(next, target)
				break
			}
		}
	}
}

// FuzzNextLinkRFC8288: on every Link header that RFC 8288 reads, nextLink
// finds the same next link, none, or (for two different ones) an error.
// Headers it does not read are skipped here: TestNextLinkRFC8288 holds
// which of them nextLink refuses.
func FuzzNextLinkRFC8288(f *testing.F) {
	for _, s := range []string{
		`</v2/a/tags/list?n=2&last=b>; rel="next"`, `</b>; rel=next`, `</b>; REL=NEXT`, `</b> ; rel = "next" ;`,
		`</a>; rel="prev", </b>; rel="next"`, `</p>; title="x; rel=next"; rel="prev", </b>; rel="next"`,
		`</x>; rel="next-archive", </b>; rel="next"`, `</b>; rel="last next"`, `, </b>; rel="next",`,
		`</b>; rel="n\ext"`, `</a>; rel="\"next\""`,
		`</b>; rel='next'`, `</b>; rel="next"; rel=prev`, `</b>;rel=next;title*=UTF-8'de'n%c3%a4chstes`,
		"</b>;\trel=\"next\"", `<https://quay.io/v2/x/tags/list?n=100&next_page=gAAAA%3D>; rel="next"`,
	} {
		f.Add(s, "")
	}
	f.Add(`</p>; rel="prev"`, `</b>; rel="next"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		values := []string{a}
		if b != "" {
			values = append(values, b)
		}
		got, ok, err := nextLink(values)
		want, valid := refNextLinks(values)
		if !valid {
			return
		}
		slices.Sort(want)
		want = slices.Compact(want)
		switch {
		case len(want) > 1 && err == nil:
			t.Fatalf("nextLink(%q) = %q, %v; RFC 8288 reads two next links %q", values, got, ok, want)
		case len(want) > 1:
		case err != nil:
			t.Fatalf("nextLink(%q): %v; RFC 8288 reads it (next: %q)", values, err, want)
		case len(want) == 0 && ok:
			t.Fatalf("nextLink(%q) = %q; RFC 8288 reads no next link", values, got)
		case len(want) == 1 && (!ok || got != want[0]):
			t.Fatalf("nextLink(%q) = %q, %v; RFC 8288 reads the next link %q", values, got, ok, want[0])
		}
	})
}
