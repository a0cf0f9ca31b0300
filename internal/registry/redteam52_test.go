package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A Bearer challenge whose realm is an absolute URL without a host
// (https:///token, http:/token) names no token service either: every try
// gets it, and the address the user wrote is not at fault. It said
// net/http's "no Host in request URL" with the advice to check the
// registry address.
func TestRedteam52RealmWithoutHost(t *testing.T) {
	noDockerConfig(t)
	for _, realm := range []string{"https:///token", "http:///token", "https://"} {
		for _, creds := range []bool{false, true} {
			var f *fake
			f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if k := f.kind(r); k == "ping" || k == "list" {
					w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="fake"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
					return true
				}
				return false
			}))
			cfg := Config{MaxRetries: 2}
			if creds {
				cfg.Credentials = []Credential{{Host: f.host, Username: "u", Password: "hostless-realm-password"}}
			}
			c := newTestClient(t, cfg)
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if err == nil {
				t.Fatalf("%s: listed", realm)
			}
			msg := err.Error()
			for _, want := range []string{"names a token service (realm) with no host, " + realm + ", so no token", "ask the registry's operator"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: error %q does not say %q", realm, msg, want)
				}
			}
			if strings.Contains(msg, "Check the registry address") || strings.Contains(msg, "try again later") {
				t.Errorf("%s: error %q advises what cannot mend it", realm, msg)
			}
			if f.count("token") != 0 {
				t.Errorf("%s: %d token requests", realm, f.count("token"))
			}
		}
	}
}
