package registry

import (
	"context"
	"encoding/base64"
	"net/http"
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
