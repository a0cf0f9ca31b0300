package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// secretsOf are the strings that must never appear in a log line or an
// error: the password, the basic credentials as sent, the bearer token and
// any Authorization header.
func secretsOf(user, password, token string) []string {
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	out := []string{password, basic, "Authorization", "Basic " + basic}
	if token != "" {
		out = append(out, token, "Bearer "+token)
	}
	return out
}

// With a Logger capturing every debug line (the level the provider logs the
// client at), no success, retry or failure path logs a credential, a token
// or an Authorization header, and no error carries one, even when the
// registry echoes the request's Authorization header in its error body.
func TestSecretsNeverLoggedOrInErrors(t *testing.T) {
	const user, password = "ci-bot", "Sup3r-secret-Passw0rd"
	echo := func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		// A registry that quotes the request's credentials back.
		writeRegError(w, http.StatusBadRequest, "DENIED", "refused "+r.Header.Get("Authorization"))
	}
	for _, tc := range []struct {
		name   string
		auth   func(user, password string) registrytest.Option
		faults []*faultMiddleware
		pass   string // the password the client sends
		ok     bool
	}{
		{"bearer", registrytest.WithBearerAuth, nil, password, true},
		{"basic", registrytest.WithBasicAuth, nil, password, true},
		{"bearer, 503 every other request", registrytest.WithBearerAuth, []*faultMiddleware{{kinds: []string{"list", "head", "get"}, when: everyNth(2), fail: status(503)}}, password, true},
		{"basic, 503 every other request", registrytest.WithBasicAuth, []*faultMiddleware{{when: everyNth(2), fail: status(503)}}, password, true},
		{"bearer, connection cut", registrytest.WithBearerAuth, []*faultMiddleware{{kinds: []string{"list"}, when: first, fail: cut(true)}}, password, true},
		{"bearer, wrong password", registrytest.WithBearerAuth, nil, "not-" + password, false},
		{"basic, wrong password", registrytest.WithBasicAuth, nil, "not-" + password, false},
		{"bearer, token endpoint 500", registrytest.WithBearerAuth, []*faultMiddleware{{kinds: []string{"token"}, when: always, fail: status(500)}}, password, false},
		{"bearer, registry echoes Authorization", registrytest.WithBearerAuth, []*faultMiddleware{{kinds: []string{"list"}, when: always, fail: echo}}, password, false},
		{"basic, registry echoes Authorization", registrytest.WithBasicAuth, []*faultMiddleware{{kinds: []string{"list"}, when: always, fail: echo}}, password, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := faultRegistry(t, tc.faults, tc.auth(user, password))
			logs := &logRecorder{}
			c := faultClient(t, Config{
				MaxRetries: 1, RequestTimeout: 2 * time.Second, Logger: logs,
				Credentials: []Credential{{Host: r.Host(), Username: user, Password: tc.pass}},
			})
			err := resolveAll(t, c, r)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok && err == nil {
				t.Fatal("want an error")
			}
			text := logs.text()
			if !strings.Contains(text, "registry") {
				t.Fatalf("nothing was logged, so the test proves nothing:\n%s", text)
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			for _, s := range secretsOf(user, tc.pass, r.Token()) {
				if strings.Contains(text, s) {
					t.Errorf("the log holds %q:\n%s", s, text)
				}
				if strings.Contains(msg, s) {
					t.Errorf("the error holds %q: %s", s, msg)
				}
			}
		})
	}
}

// A Logger line for every request, with the fields the provider shows at
// TF_LOG=debug, and nothing else: method, path, status, timing, registry,
// repository and where the credentials came from.
func TestLoggerFields(t *testing.T) {
	t.Parallel()
	r := faultRegistry(t, nil, registrytest.WithBearerAuth("u", "p"))
	logs := &fieldRecorder{}
	c := faultClient(t, Config{Logger: logs, Credentials: []Credential{{Host: r.Host(), Username: "u", Password: "p"}}})
	if err := resolveAll(t, c, r); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"registry": true, "repository": true, "method": true, "path": true, "status": true,
		"elapsed_ms": true, "credentials": true, "attempt": true, "wait_ms": true, "error": true, "tag": true,
	}
	if len(logs.fields) == 0 {
		t.Fatal("nothing was logged")
	}
	for _, f := range logs.fields {
		for k := range f {
			if !allowed[k] {
				t.Errorf("unexpected log field %q = %v", k, f[k])
			}
		}
	}
}

type fieldRecorder struct {
	mu     sync.Mutex
	fields []map[string]any
}

func (l *fieldRecorder) Debug(_ context.Context, _ string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fields = append(l.fields, fields)
}

// Credentials from the Docker config are never configured in the Client,
// yet a registry quoting them back is scrubbed too: the client notes every
// credential it sends.
func TestSecretsFromDockerConfigScrubbed(t *testing.T) {
	const user, password = "dock-user", "D0cker-config-Passw0rd"
	echo := &faultMiddleware{kinds: []string{"list"}, when: always, fail: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		writeRegError(w, http.StatusBadRequest, "DENIED", "refused "+r.Header.Get("Authorization"))
	}}
	for name, auth := range map[string]func(user, password string) registrytest.Option{
		"basic":  registrytest.WithBasicAuth,
		"bearer": registrytest.WithBearerAuth,
	} {
		t.Run(name, func(t *testing.T) {
			r := faultRegistry(t, []*faultMiddleware{echo}, auth(user, password))
			dockerConfig(t, map[string]string{r.Host(): user + ":" + password})
			logs := &logRecorder{}
			c := newTestClient(t, Config{Logger: logs, MaxRetries: 1})
			_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
			if statusOf(err) != http.StatusBadRequest {
				t.Fatalf("got %v, want the registry's 400", err)
			}
			for _, s := range secretsOf(user, password, r.Token()) {
				if strings.Contains(err.Error(), s) || strings.Contains(logs.text(), s) {
					t.Errorf("%q leaked: %s\n%s", s, err, logs.text())
				}
			}
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("the quoted credential was not replaced: %s", err)
			}
		})
	}
}

// Each token a token service hands out (token, access_token,
// refresh_token) is scrubbed from the moment it arrives, including those
// never sent in an Authorization header: the token beside an access_token
// (go-containerregistry sends the access_token), a refresh token, and
// every token of a refusal that carries them; and a token padded with
// spaces is scrubbed as sent, without them. The registry, or the token
// service, quotes them back.
func TestTokenAnswerSecretsScrubbed(t *testing.T) {
	noDockerConfig(t)
	const tok, access, refresh = "tok-4c1e9b7a2d", "acc-8f3a6c0e5b", "ref-2b7d9e1f4a"
	all := map[string]any{"token": tok, "access_token": access, "refresh_token": refresh}
	for _, tc := range []struct {
		name        string
		tokenStatus int // the token service's answer; 200: the registry refuses the token it issued
		answer      map[string]any
		secrets     []string
	}{
		{"issued, then refused by the registry quoting them", http.StatusOK, all, []string{tok, access, refresh}},
		{"the token service's refusal quoting them", http.StatusUnauthorized, all, []string{tok, access, refresh}},
		{"a token padded with spaces, quoted as sent", http.StatusOK, map[string]any{"token": "  " + tok + " "}, []string{tok}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			quoted := "tokens " + strings.Join(tc.secrets, " ")
			answer := maps.Clone(tc.answer)
			answer["errors"] = []map[string]string{{"code": "DENIED", "message": quoted}}
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/token":
					writeJSON(w, tc.tokenStatus, answer)
				case !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
					w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="x"`, srv.URL))
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
				default:
					writeRegError(w, http.StatusForbidden, "DENIED", quoted)
				}
			}))
			defer srv.Close()
			logs := &logRecorder{}
			c := newTestClient(t, Config{Logger: logs, MaxRetries: 0})
			_, err := c.ListTags(context.Background(), repoOf(t, strings.TrimPrefix(srv.URL, "http://")+"/acme/x"))
			if err == nil || !strings.Contains(err.Error(), "tokens [redacted]") {
				t.Fatalf("got %v; want an error quoting what was said, scrubbed", err)
			}
			for _, secret := range tc.secrets {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.text(), secret) {
					t.Errorf("%q leaked:\n%s\n%s", secret, err, logs.text())
				}
			}
		})
	}
}
