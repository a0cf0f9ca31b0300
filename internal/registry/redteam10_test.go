package registry

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// A registry whose ping (GET /v2/) redirects to another host, whose 401
// names a token service there: go-containerregistry took that challenge
// and sent the registry's Basic credentials to the other host's token
// service. Docker applies a challenge only to the host that sent it, so
// it sends them nowhere. The redirect is refused.
func TestRedteam10PingRedirectToAnotherHostRefused(t *testing.T) {
	const reg, other = "registry.redteam10.test", "other.redteam10.test"
	var mu sync.Mutex
	var leaked []string
	h := &hosts{handlers: map[string]http.Handler{
		reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/" {
				http.Redirect(w, r, "https://"+other+"/v2/", http.StatusFound)
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		}),
		other: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a := r.Header.Get("Authorization"); a != "" {
				mu.Lock()
				leaked = append(leaked, r.URL.Path+" Authorization: "+a)
				mu.Unlock()
			}
			if r.URL.Path == "/token" {
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "no")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+other+`/token",service="other"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		}),
	}}
	c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "u", Password: "redteam10-password"}}})
	_, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
	if err == nil || !strings.Contains(err.Error(), "to another host, "+other) {
		t.Errorf("got %v; want an error saying the redirect to %s was refused", err, other)
	}
	if len(leaked) > 0 {
		t.Errorf("the registry's credentials went to %s:\n%s", other, strings.Join(leaked, "\n"))
	}
}

// A token service that answers the OAuth POST (an identity token in its
// body, as `az acr login` leaves one in the Docker config) with a 307 or
// 308 to another host: Go resends the body there. Refused.
func TestRedteam10TokenPostRedirectToAnotherHostRefused(t *testing.T) {
	const reg, other = "registry.redteam10.test", "other.redteam10.test"
	const identity = "redteam10-identity-token"
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var mu sync.Mutex
		var leaked []string
		h := &hosts{handlers: map[string]http.Handler{
			reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth2/token" {
					http.Redirect(w, r, "https://"+other+"/oauth2/token", code)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+reg+`/oauth2/token",service="`+reg+`"`)
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			}),
			other: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				leaked = append(leaked, r.Method+" "+r.URL.Path+" "+string(body))
				mu.Unlock()
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "no")
			}),
		}}
		kc := keychainFunc(func(authn.Resource) (authn.Authenticator, error) {
			return authn.FromConfig(authn.AuthConfig{IdentityToken: identity}), nil
		})
		c := hostsClient(t, h, Config{MaxRetries: 0, Keychain: kc})
		_, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
		if err == nil || strings.Contains(err.Error(), identity) {
			t.Errorf("%d: got %v; want an error without the identity token", code, err)
		}
		for _, l := range leaked {
			if strings.Contains(l, identity) {
				t.Errorf("%d: the identity token went to %s: %s", code, other, l)
			}
		}
	}
}
