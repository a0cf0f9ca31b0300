package registry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A registry reached over HTTPS whose ping (GET /v2/) redirects to plain
// HTTP: go-containerregistry's ping followed it and took the registry for
// a plain HTTP one, so that every later request, with the Basic
// credentials, went over plain HTTP. The redirect is refused, as for tag
// lists and manifests.
func TestRedteam5PingRedirectToPlainHTTPRefused(t *testing.T) {
	const reg = "registry.redteam5.test"
	var mu sync.Mutex
	var plain []string
	h := &hosts{handlers: map[string]http.Handler{reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Scheme == "http" {
			mu.Lock()
			plain = append(plain, r.Method+" "+r.URL.Path+" Authorization: "+r.Header.Get("Authorization"))
			mu.Unlock()
		}
		switch _, _, ok := r.BasicAuth(); {
		case r.URL.Scheme == "https" && r.URL.Path == "/v2/":
			http.Redirect(w, r, "http://"+reg+"/v2/", http.StatusMovedPermanently)
		case !ok:
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		default:
			listTwoTags(w, r)
		}
	})}}
	c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "u", Password: "redteam5-password"}}})
	got, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
	if err == nil || !strings.Contains(err.Error(), "from HTTPS to plain HTTP") {
		t.Errorf("got %v, %v; want an error saying the redirect to plain HTTP was refused", got, err)
	}
	if len(plain) > 0 {
		t.Errorf("requests sent over plain HTTP to a registry reached over HTTPS:\n%s", strings.Join(plain, "\n"))
	}
}
