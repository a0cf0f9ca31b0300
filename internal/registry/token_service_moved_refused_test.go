package registry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A registry reached over HTTPS whose 401s, once a token is issued, name another
// token service at a private IP or over plain HTTP is not followed there:
// the handshake made again for the new realm (rechallenge) is refused as
// the first handshake's would be, with the same error saying what was
// refused and what to change, and no credentials or token go to it.
func TestTokenServiceMovedToARefusedRealmFails(t *testing.T) {
	for _, tc := range []struct{ name, realm, want string }{
		{"private IP", "https://10.1.2.3/jwt/auth", `serve it on the registry's host and port (realm host "10.1.2.3" is a private or link-local address)`},
		{"plain HTTP", "http://gitlab.zoo.test/jwt/auth", `Serve the token service over HTTPS (GitLab: an https external_url) (realm scheme "http" not allowed for a secure registry; use https)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			realm, token, lists, moved := "https://gitlab.zoo.test:5050/jwt/auth", "t1", 0, 0
			registry := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/jwt/auth" {
					if r.URL.Host != "gitlab.zoo.test:5050" {
						moved++
						writeJSON(w, http.StatusOK, map[string]any{"token": "t2"})
						return
					}
					writeJSON(w, http.StatusOK, map[string]any{"token": "t1"})
					return
				}
				if r.Header.Get("Authorization") == "Bearer t1" && lists == 0 {
					lists++ // the move: this request and the later ones need a token of the new realm
					realm, token = tc.realm, "t2"
				}
				if r.Header.Get("Authorization") != "Bearer "+token {
					w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="container_registry"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
					return
				}
				listTwoTags(w, r)
			})
			h := &hosts{handlers: map[string]http.Handler{"gitlab.zoo.test:5050": registry, "gitlab.zoo.test": registry, "10.1.2.3": registry}}
			c := hostsClient(t, h, Config{Credentials: []Credential{{Host: "gitlab.zoo.test:5050", Username: "ci", Password: "s3cret-password"}}})
			got, err := c.ListTags(context.Background(), repoOf(t, "gitlab.zoo.test:5050/group/prefect"))
			if err == nil {
				t.Fatalf("got %v; want the moved realm refused", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s\nlacks %q", err, tc.want)
			}
			for _, bad := range []string{"try again later", "s3cret-password", "t1", "t2"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("%s\nholds %q", err, bad)
				}
			}
			if moved != 0 {
				t.Errorf("the token service at the refused realm was asked %d times", moved)
			}
		})
	}
}
