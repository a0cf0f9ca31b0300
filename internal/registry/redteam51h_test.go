package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A registry may quote the password back escaped for HTML or XML: a
// message escaped against cross-site scripting (html.EscapeString's &#34;
// and &#39;, html/template's &#43; for +), XML's named entities (&quot;,
// &apos;), every character as a hexadecimal reference, in a text/plain
// body or an errors array's message, both quoted as "The registry said".
// Scrubbing knew JSON's and URLs' escapes only: the password reached the
// error (and so Terraform's diagnostics and TF_LOG=trace).
func TestRedteam51hHTMLEscapedPasswordScrubbed(t *testing.T) {
	noDockerConfig(t)
	const password = `p&ss<w>rd"q'+x`
	everyHex := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#x%X;", r)
		}
		return b.String()
	}
	escapes := map[string]string{
		"html.EscapeString": html.EscapeString(password),
		"html/template":     strings.ReplaceAll(html.EscapeString(password), "+", "&#43;"),
		"xml named":         strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(password),
		"every char hex":    everyHex(password),
		"decimal zeros":     strings.NewReplacer("&", "&#0038;", "<", "&#60;", ">", "&#62;", `"`, "&#34;", "'", "&#39;").Replace(password),
	}
	for name, quoted := range escapes {
		for _, asJSON := range []bool{false, true} {
			f := newFake(t, withBasic("u", password))
			f.hook = func(w http.ResponseWriter, r *http.Request) bool {
				if _, _, ok := r.BasicAuth(); f.kind(r) != "list" || !ok {
					return false
				}
				if asJSON {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusForbidden)
					fmt.Fprintf(w, `{"errors":[{"code":"DENIED","message":"refused password %s"}]}`, strings.ReplaceAll(quoted, `"`, `\"`))
					return true
				}
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, "refused password %s", quoted)
				return true
			}
			logs := &logRecorder{}
			c := newTestClient(t, Config{Logger: logs, MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: "u", Password: password}}})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if statusOf(err) != http.StatusForbidden {
				t.Fatalf("%s: got %v, want the registry's 403", name, err)
			}
			if msg := err.Error(); strings.Contains(msg, quoted) || !strings.Contains(msg, "refused password [redacted]") {
				t.Errorf("%s (JSON %v): the password, escaped as %s, is not scrubbed: %s", name, asJSON, quoted, msg)
			}
			if strings.Contains(logs.text(), quoted) {
				t.Errorf("%s: the escaped password is in the log:\n%s", name, logs.text())
			}
		}
	}
	// Text holding no secret keeps its references.
	c := newTestClient(t, Config{Credentials: []Credential{{Host: "registry.test", Username: "u", Password: password}}})
	if s := "a &amp; b &lt;p&gt; &#43; &#x26;ss"; c.scrub(s) != s {
		t.Errorf("scrub(%s) = %s, want it unchanged", s, c.scrub(s))
	}
}

// A handshake redirected without end, its ping (GET /v2/) or its token
// request, on the registry's host: the tenth redirect is refused as a tag
// list's or manifest's is (TestTenthRedirectRefused), not retried, and the
// error gives the status, the last address in full and what to do. It was
// net/http's `Get "/v2/loop10": stopped after 10 redirects` with the advice
// to check the registry address and the network, which had answered.
func TestRedteam51hHandshakeRedirectsWithoutEnd(t *testing.T) {
	noDockerConfig(t)
	for _, what := range []string{"ping", "token"} {
		var f *fake
		var n atomic.Int32
		prefix := map[string]string{"ping": "/v2/loop", "token": "/tokenloop"}[what]
		f = newFake(t, withBearer("u", "handshake-loop-pw"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
			if f.kind(r) != what && !strings.HasPrefix(r.URL.Path, prefix) {
				return false
			}
			http.Redirect(w, r, fmt.Sprintf("%s%d?x=y", prefix, n.Add(1)), http.StatusFound)
			return true
		}))
		c := newTestClient(t, Config{MaxRetries: 2, Credentials: []Credential{{Host: f.host, Username: "u", Password: "handshake-loop-pw"}}})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if err == nil || n.Load() != 10 {
			t.Fatalf("%s: %d redirects, %v; want 10, the tenth refused and not retried", what, n.Load(), err)
		}
		msg := err.Error()
		for _, want := range []string{"HTTP 302", "redirected the request 10 times, the last time to " + f.srv.URL + prefix + "10?x=y", "its redirects do not end", "ask the registry's operator"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q does not say %q", what, msg, want)
			}
		}
		if strings.Contains(msg, "Check the registry address") || strings.Contains(msg, "handshake-loop-pw") {
			t.Errorf("%s: error %q sends the user to the address, which answered, or quotes the password", what, msg)
		}
	}
}

// A registry may quote the basic credentials it was sent otherwise than
// as sent: without base64's padding, or in base64's URL alphabet. Only the
// form sent was scrubbed, and each of these decodes to the password.
func TestRedteam51hBasicCredentialsReencodedScrubbed(t *testing.T) {
	noDockerConfig(t)
	const user, password = "u", "p>>?w~~~" // 10 bytes with the user: padded, with + and /
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		quoted := enc.EncodeToString([]byte(user + ":" + password))
		if sent := base64.StdEncoding.EncodeToString([]byte(user + ":" + password)); quoted == sent || !strings.ContainsAny(sent, "+/=") {
			t.Fatalf("%s is quoted as sent, %s", quoted, sent)
		}
		f := newFake(t, withBasic(user, password))
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if _, _, ok := r.BasicAuth(); f.kind(r) != "list" || !ok {
				return false
			}
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "refused Basic %s", quoted)
			return true
		}
		logs := &logRecorder{}
		c := newTestClient(t, Config{Logger: logs, MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: user, Password: password}}})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if statusOf(err) != http.StatusForbidden {
			t.Fatalf("got %v, want the registry's 403", err)
		}
		if msg := err.Error(); strings.Contains(msg, quoted) || !strings.Contains(msg, "refused Basic [redacted]") {
			t.Errorf("the basic credentials, encoded as %s, are not scrubbed: %s", quoted, msg)
		}
	}
}

// A registry whose Bearer challenge names no token service (no realm:
// `Bearer service="…"`, or `Bearer` alone), a token service left out of its
// configuration: no token can be asked for, with credentials or without,
// and every try gets the same challenge. The error says so and sends the
// user to the registry's operator; it was go-containerregistry's bare
// "malformed www-authenticate, missing realm: map[service:fake]" with the
// advice to check the registry address and the network, or try again.
func TestRedteam51hBearerChallengeWithoutRealm(t *testing.T) {
	noDockerConfig(t)
	for _, challenge := range []string{`Bearer service="fake"`, `Bearer`} {
		for _, creds := range []bool{false, true} {
			_, err := listChallenged(t, challenge, creds, "no-realm-password")
			if err == nil {
				t.Fatalf("%s: listed", challenge)
			}
			msg := err.Error()
			for _, want := range []string{"names no token service (no realm)", "ask the registry's operator"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s (credentials %v): error %q does not say %q", challenge, creds, msg, want)
				}
			}
			if strings.Contains(msg, "Check the registry address") || strings.Contains(msg, "try again later") {
				t.Errorf("%s (credentials %v): error %q advises what cannot mend it", challenge, creds, msg)
			}
		}
	}
}

// A token answer holding both token and access_token sends access_token,
// as go-containerregistry, Docker and containerd take it: a token field
// with a line break beside a good access_token is unused, and the answer
// is no fault. It was refused ("holds a token with control characters").
// An access_token with one is still refused (TestRedteam16TokenWithControlCharacters).
func TestRedteam51hUnusedTokenFieldNotChecked(t *testing.T) {
	noDockerConfig(t)
	const good = "tok-access-good"
	var f *fake
	f = newFake(t, withBearer("u", "unused-token-pw"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if f.kind(r) != "token" {
			return false
		}
		f.mu.Lock()
		f.tokens[good] = true
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"unused\nline","access_token":%q,"expires_in":300}`, good)
		return true
	}))
	f.setTags("acme/x", []string{"a", "b"})
	c := newTestClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: "u", Password: "unused-token-pw"}}})
	tags, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(tags) != 2 {
		t.Fatalf("got %v, %v; want the two tags, read with the access_token", tags, err)
	}
}
