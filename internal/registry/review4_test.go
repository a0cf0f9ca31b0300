package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A registry quoting the bearer token in a Link URL: the path of the next
// page, a debug log field, is scrubbed like every other field.
func TestReview4TokenInLinkNotLogged(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("u", "p"))
	f.setTags("acme/x", []string{"a", "b"})
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		q := r.URL.Query()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if f.kind(r) != "list" || !ok || q.Has("last") || q.Has("token") {
			return false
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s?n=1000&last=a&token=%s>; rel="next"`, r.URL.Path, tok))
		writeTags(w, []string{"a"})
		return true
	}
	logs := &logRecorder{}
	c := newTestClient(t, Config{Logger: logs, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tokens) == 0 {
		t.Fatal("no token was handed out")
	}
	for tok := range f.tokens {
		if strings.Contains(logs.text(), tok) {
			t.Errorf("the bearer token %s is in the log:\n%s", tok, logs.text())
		}
	}
}

// A registry echoing the bearer token at the end of a 503 body that the
// 64 KiB read limit cuts through the token: the half that was read is no
// full secret, so scrubbing misses it, and the retry's debug line would
// carry it. A body past the limit is not quoted at all.
func TestReview4ErrorBodyCutThroughSecret(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("u", "p"))
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		auth := r.Header.Get("Authorization")
		if f.kind(r) != "list" || !strings.HasPrefix(auth, "Bearer ") {
			return false
		}
		prefix := `{"errors":[{"code":"UNAVAILABLE","message":"`
		pad := strings.Repeat("x", maxErrorBody-len(prefix)-len("Bearer tok-")-16)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, prefix+pad+auth+`"}]}`)
		return true
	}
	logs := &logRecorder{}
	c := newTestClient(t, Config{Logger: logs, MaxRetries: 1, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if statusOf(err) != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want the 503", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok := range f.tokens {
		half := tok[:len("tok-")+16] // what the limit lets through
		if strings.Contains(logs.text(), half) || strings.Contains(err.Error(), half) {
			t.Errorf("the first part of the token, %s, leaked into the error or the log", half)
		}
	}
}

// Token answers are noted wherever the realm lives, Quay's (/v2/auth) and
// GCR's (/v2/token) under /v2/ too: go-containerregistry quotes a whole
// answer without a token in its error.
func TestReview4TokenAnswersNotedAnywhere(t *testing.T) {
	noDockerConfig(t)
	const refresh = "rt-5d1c7e0a9b3f42c8"
	for _, realm := range []string{"/v2/auth", "/v2/token"} {
		t.Run(realm, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == realm {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"refresh_token":%q}`, refresh)
					return
				}
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s%s",service="x"`, srv.URL, realm))
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "auth")
			}))
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			logs := &logRecorder{}
			c := newTestClient(t, Config{Logger: logs, MaxRetries: 0, Credentials: []Credential{{Host: host, Username: "u", Password: "p4ssw0rd"}}})
			_, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/x"))
			if err == nil {
				t.Fatal("the listing succeeded without a token")
			}
			if strings.Contains(err.Error(), refresh) || strings.Contains(logs.text(), refresh) {
				t.Errorf("the refresh token leaked:\n%s\n%s", err, logs.text())
			}
		})
	}
}

// A registry quoting the password in a JSON body that is not the
// registry's errors shape (an OAuth-style error, say): go-containerregistry
// shows such a body raw, so the password appears JSON-escaped when it holds
// a quote, a backslash or one of <, > and &.
func TestReview4JSONEscapedPasswordScrubbed(t *testing.T) {
	noDockerConfig(t)
	const password = `Tr0ub"4d\or&<3>`
	for _, escapeHTML := range []bool{true, false} {
		f := newFake(t, withBasic("u", password))
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			_, p, ok := r.BasicAuth()
			if f.kind(r) != "list" || !ok {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(escapeHTML)
			_ = enc.Encode(map[string]string{"error": "invalid_request", "error_description": "refused password " + p})
			return true
		}
		logs := &logRecorder{}
		c := newTestClient(t, Config{Logger: logs, MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: "u", Password: password}}})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if statusOf(err) != http.StatusBadRequest {
			t.Fatalf("got %v, want the registry's 400", err)
		}
		for _, leak := range []string{"Tr0ub", `4d\\or`} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("escapeHTML %v: the password leaked: %s", escapeHTML, err)
			}
		}
	}
}

// A registry quoting the password in a Link URL, escaped as a URL query or
// path escapes it, or as any other percent-encoder may (lowercase hex,
// every byte): the request's path, a debug field, carries the escaped
// form, which scrubbing must know too.
func TestPasswordEscapedInLinkURLNotLogged(t *testing.T) {
	noDockerConfig(t)
	const password = "s3cr3t pa$$/word+=?"
	lowerHex := func(s string) string {
		return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower)
	}
	everyByte := func(s string) string { return everyByteEscaped(s, "%%%02x") }
	for _, escape := range []func(string) string{url.QueryEscape, url.PathEscape, lowerHex, everyByte} {
		f := newFake(t, withBasic("u", password))
		f.setTags("acme/x", []string{"a", "b"})
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			_, p, ok := r.BasicAuth()
			if f.kind(r) != "list" || !ok || r.URL.Query().Has("last") {
				return false
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s?n=1000&last=a&echo=%s>; rel="next"`, r.URL.Path, escape(p)))
			writeTags(w, []string{"a"})
			return true
		}
		logs := &logRecorder{}
		c := newTestClient(t, Config{Logger: logs, Credentials: []Credential{{Host: f.host, Username: "u", Password: password}}})
		if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
			t.Fatal(err)
		}
		if leak := escape(password); strings.Contains(logs.text(), leak) {
			t.Errorf("the password, escaped as %s, is in the log:\n%s", leak, logs.text())
		}
	}
	// Text holding no secret keeps its escapes.
	c := newTestClient(t, Config{Credentials: []Credential{{Host: "registry.test", Username: "u", Password: password}}})
	if s := "/v2/acme/x/tags/list?last=a%2fb+c%2B&n=10"; c.scrub(s) != s {
		t.Errorf("scrub(%s) = %s, want it unchanged", s, c.scrub(s))
	}
}
