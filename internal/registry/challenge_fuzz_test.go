package registry

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// refChallenge is one challenge as RFC 9110 §11.6.1 and §11.2 read it:
// auth-scheme [ 1*SP ( token68 / #auth-param ) ].
type refChallenge struct {
	scheme, token68 string
	params          []string // name=value, the value unquoted
}

func (c refChallenge) String() string {
	return fmt.Sprintf("%s %q %q", c.scheme, c.token68, c.params)
}

// refChallenges reads WWW-Authenticate field values as RFC 9110 writes
// them, one character at a time: the list rule (§5.6.1, empty elements
// ignored), OWS and BWS, token, quoted-string and token68 (§5.6.2,
// §5.6.4, §11.2). An auth-param after a comma belongs to the challenge
// before it. valid is false for values that are not challenges.
func refChallenges(values []string) (out []refChallenge, valid bool) {
	for _, v := range values {
		cs, ok := refChallengesOf(v)
		if !ok {
			return nil, false
		}
		out = append(out, cs...)
	}
	return out, true
}

func refChallengesOf(s string) (out []refChallenge, valid bool) {
	sc := &fieldScanner{s: s}
	ows, token, quoted := sc.ows, sc.token, sc.quoted
	// param reads "token BWS = BWS ( token / quoted-string )" at sc.i, or
	// leaves sc.i as it was.
	param := func() (string, bool) {
		j := sc.i
		name, ok := token()
		if ok {
			ows()
			if sc.i < len(s) && s[sc.i] == '=' {
				sc.i++
				ows()
				var value string
				if sc.i < len(s) && s[sc.i] == '"' {
					value, ok = quoted()
				} else {
					value, ok = token()
				}
				if ok {
					return strings.ToLower(name) + "=" + value, true
				}
			}
		}
		sc.i = j
		return "", false
	}
	token68 := func() (string, bool) {
		j := sc.i
		for sc.i < len(s) && (s[sc.i] >= 'a' && s[sc.i] <= 'z' || s[sc.i] >= 'A' && s[sc.i] <= 'Z' || s[sc.i] >= '0' && s[sc.i] <= '9' || strings.IndexByte("-._~+/", s[sc.i]) >= 0) {
			sc.i++
		}
		if sc.i == j {
			return "", false
		}
		for sc.i < len(s) && s[sc.i] == '=' {
			sc.i++
		}
		return s[j:sc.i], true
	}
	// end reports whether an element ends at sc.i: OWS, then a comma or
	// the end.
	end := func() bool {
		ows()
		return sc.i == len(s) || s[sc.i] == ','
	}
	for {
		ows()
		if sc.i == len(s) {
			return out, true
		}
		if s[sc.i] == ',' {
			sc.i++
			continue
		}
		if p, ok := param(); ok {
			if len(out) == 0 || out[len(out)-1].token68 != "" || !end() {
				return nil, false
			}
			out[len(out)-1].params = append(out[len(out)-1].params, p)
			continue
		}
		scheme, ok := token()
		if !ok {
			return nil, false
		}
		c := refChallenge{scheme: scheme}
		if sc.i < len(s) && s[sc.i] == ' ' {
			for sc.i < len(s) && s[sc.i] == ' ' {
				sc.i++
			}
			if p, ok := param(); ok {
				c.params = append(c.params, p)
			} else if t, ok := token68(); ok {
				c.token68 = t
			}
		}
		if !end() {
			return nil, false
		}
		out = append(out, c)
	}
}

// FuzzChallenges: on WWW-Authenticate fields that RFC 9110 reads,
// challenges finds the same challenges, each one string that reads as
// that one challenge alone (as go-containerregistry, docker and
// containerd read a field), so that a Bearer challenge after a Basic one
// is found and a scheme inside a quoted parameter is none.
func FuzzChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`,
		`Basic realm="artifactory", Bearer realm="https://auth.example/token",service="registry.example"`,
		`Basic realm="a, Bearer realm=\"https://evil.example/\", b" , Bearer realm="https://auth.example/token"`,
		`basic realm=artifactory,bearer realm="https://auth.example/token",service=registry.example`,
		`Bearer realm = "x" , error="invalid_token"`, `Negotiate, Basic realm="x"`, `Basic dXNlcjpwYXNz==`,
		`Bearer , realm="x"`, `Bearer =x`, `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
	} {
		f.Add(s, "")
	}
	f.Add(`Basic realm="x"`, `Bearer realm="https://auth.example/token"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		fields := []string{a}
		if b != "" {
			fields = append(fields, b)
		}
		want, valid := refChallenges(fields)
		if !valid {
			return
		}
		got := challenges(fields)
		var read []refChallenge
		for _, c := range got {
			one, ok := refChallengesOf(c)
			if !ok || len(one) != 1 {
				t.Fatalf("challenges(%q) = %q: %q reads as %v (%v), not one challenge", fields, got, c, one, ok)
			}
			read = append(read, one[0])
		}
		if !slices.EqualFunc(read, want, func(x, y refChallenge) bool { return x.String() == y.String() }) {
			t.Fatalf("challenges(%q) = %q, which read as %v; RFC 9110 reads %v", fields, got, read, want)
		}
	})
}
