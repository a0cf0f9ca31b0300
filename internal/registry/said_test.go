package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// An error answer's own words reach the message, as the registry said
// them: its errors' codes and messages, else its text; never an HTML page,
// never a secret it quotes back, never a novel.
func TestErrorSaysWhatTheRegistrySaid(t *testing.T) {
	const password = "s3cret-Passw0rd"
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   string // "" for no quote at all
	}{
		{"errors-array", func(w http.ResponseWriter) {
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "You have reached your pull rate limit.")
		}, `The registry said: "TOOMANYREQUESTS: You have reached your pull rate limit.".`},
		{"errors-without-code", func(w http.ResponseWriter) { // Artifactory's
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"status":401,"message":"Bad credentials"}]}`))
		}, `The registry said: "Bad credentials".`},
		{"one-error-object", func(w http.ResponseWriter) { // zot's wrong password
			writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "UNAUTHORIZED", "message": "authentication required", "detail": nil})
		}, `The registry said: "UNAUTHORIZED: authentication required".`},
		{"plain-text", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("  access\n denied  "))
		}, `The registry said: "access denied".`},
		{"quotes-the-password", func(w http.ResponseWriter) {
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "wrong password "+password)
		}, `The registry said: "UNAUTHORIZED: wrong password [redacted]".`},
		{"html-page", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body>Not Found</body></html>"))
		}, ""},
		{"long", func(w http.ResponseWriter) {
			writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", long)
		}, `The registry said: "NAME_UNKNOWN: ` + strings.TrimSpace(long)[:200-len("NAME_UNKNOWN: ")] + `…".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{Keychain: authn.NewMultiKeychain(), Credentials: []Credential{{Host: zooHost, Username: "me", Password: password}}})
			if err != nil {
				t.Fatal(err)
			}
			c.base = handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.answer(w) })}
			ref, err := ParseRepository(zooHost + "/prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListTags(context.Background(), ref)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, password) {
				t.Errorf("the message holds the password: %s", msg)
			}
			if tc.want == "" {
				if strings.Contains(msg, "The registry said") {
					t.Errorf("the message quotes what it should not: %s", msg)
				}
			} else if !strings.Contains(msg, tc.want) {
				t.Errorf("the message lacks %s: %s", tc.want, msg)
			}
		})
	}
}
