package registry

import "strings"

// fieldScanner reads an HTTP field value one character at a time, as RFC
// 9110 writes its rules: OWS, token and quoted-string (§5.6.2, §5.6.3,
// §5.6.4). It is the shared part of the reference readers the fuzz targets
// compare the code with (refChallengesOf, refNextLinksOf); i is where it is.
type fieldScanner struct {
	s string
	i int
}

// ows skips optional white space (and BWS, which is the same).
func (f *fieldScanner) ows() {
	for f.i < len(f.s) && (f.s[f.i] == ' ' || f.s[f.i] == '\t') {
		f.i++
	}
}

func tchar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// token reads 1*tchar.
func (f *fieldScanner) token() (string, bool) {
	j := f.i
	for f.i < len(f.s) && tchar(f.s[f.i]) {
		f.i++
	}
	return f.s[j:f.i], f.i > j
}

// quoted reads a quoted-string at a DQUOTE and returns what it quotes.
func (f *fieldScanner) quoted() (string, bool) {
	var b strings.Builder
	f.i++ // DQUOTE
	for f.i < len(f.s) {
		c := f.s[f.i]
		switch {
		case c == '"':
			f.i++
			return b.String(), true
		case c == '\\':
			if f.i+1 >= len(f.s) || (f.s[f.i+1] != '\t' && (f.s[f.i+1] < 0x20 || f.s[f.i+1] == 0x7f)) {
				return "", false
			}
			b.WriteByte(f.s[f.i+1])
			f.i += 2
		case c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e || c >= 0x80:
			b.WriteByte(c)
			f.i++
		default:
			return "", false
		}
	}
	return "", false
}
