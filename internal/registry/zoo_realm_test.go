package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// An on-premises GitLab addressed by IP: the registry listens on port
// 5050 and names a token service (realm) on the same IP's port 443, or one
// over plain HTTP (GitLab behind a TLS proxy with an http external_url).
// go-containerregistry (since #2243, v0.21.5) refuses to send credentials
// to either, allowing a private IP only on the registry's own host and
// port (#2258, #2302). The error said "Check the registry address and the
// network, or try again later", which is no help; it says what was refused
// and what to change. A realm on the registry's own host and port is used.
func TestZooRealmRefused(t *testing.T) {
	for _, tc := range []struct {
		name, registry, realm string
		want                  []string // "" when the tags are read
	}{
		{"private IP, another port", "10.1.2.3:5050", "https://10.1.2.3/jwt/auth", []string{
			"go-containerregistry, the provider's registry client, refused the token service the registry's challenge names: it sends credentials to no such address but the registry's own host and port.",
			`Give the token service a DNS name (GitLab: its external_url), or serve it on the registry's host and port (realm host "10.1.2.3" is a private or link-local address).`,
		}},
		{"plain HTTP realm", "gitlab.zoo.test:5050", "http://gitlab.zoo.test/jwt/auth", []string{
			"refused the token service the registry's challenge names: it sends no credentials over plain HTTP for a registry reached over HTTPS.",
			`Serve the token service over HTTPS (GitLab: an https external_url) (realm scheme "http" not allowed for a secure registry; use https).`,
		}},
		// A realm that is no absolute URL is refused too, and is no matter
		// of plain HTTP.
		{"relative realm", "gitlab.zoo.test:5050", "/jwt/auth", []string{
			"refused the token service the registry's challenge names: it takes only an absolute https URL as a challenge's realm.",
			`(realm scheme "" not allowed; must be https (or http for insecure registries)).`,
		}},
		// The token service redirects to one at a private address.
		{"token service redirected to a private IP", "gitlab.zoo.test:5050", "https://gitlab.zoo.test/jwt/moved", []string{
			"Give the token service a DNS name (GitLab: its external_url), or serve it on the registry's host and port (",
			`redirect to "https://10.1.2.3/jwt/auth": realm host "10.1.2.3" is a private or link-local address).`,
		}},
		{"private IP, the registry's own host and port", "10.1.2.3:5050", "https://10.1.2.3:5050/jwt/auth", nil},
		// Spelled otherwise: the default port written (Artifactory's
		// https://host:443/artifactory/api/docker/…/v2/token,
		// containerd/nerdctl#4244) or left out, another case. They were
		// refused, advising to serve the token service where it was.
		{"private IP, the registry's own host with its default port", "10.1.2.3", "https://10.1.2.3:443/jwt/auth", nil},
		{"private IP, the registry's own host without its default port", "10.1.2.3:443", "https://10.1.2.3/jwt/auth", nil},
		{"private IP, the registry's own host in upper case", "[fd00::a]:5050", "https://[FD00::A]:5050/jwt/auth", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &hosts{handlers: map[string]http.Handler{}}
			registry := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/jwt/moved" {
					http.Redirect(w, r, "https://10.1.2.3/jwt/auth", http.StatusTemporaryRedirect)
					return
				}
				if r.URL.Path == "/jwt/auth" {
					writeJSON(w, http.StatusOK, map[string]any{"token": "t"})
					return
				}
				if r.Header.Get("Authorization") != "Bearer t" {
					w.Header().Set("WWW-Authenticate", `Bearer realm="`+tc.realm+`",service="container_registry"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
					return
				}
				listTwoTags(w, r)
			})
			h.handlers[tc.registry], h.handlers["10.1.2.3"] = registry, registry
			if _, after, ok := strings.Cut(tc.realm, "//"); ok {
				h.handlers[strings.SplitN(after, "/", 2)[0]] = registry
			}
			c := hostsClient(t, h, Config{})
			got, err := c.ListTags(context.Background(), repoOf(t, tc.registry+"/group/prefect"))
			if tc.want == nil {
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v; want the realm refused", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s\nlacks %q", err, w)
				}
			}
			if tc.name == "relative realm" && strings.Contains(err.Error(), "plain HTTP") {
				t.Errorf("%s\nspeaks of plain HTTP, which the realm is not", err)
			}
			if strings.Contains(err.Error(), "try again later") {
				t.Errorf("%s\nadvises trying again, which cannot help", err)
			}
		})
	}
}
