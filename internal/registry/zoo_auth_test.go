package registry

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Models of how real registries and their token services answer the
// handshake (ping, challenge, token), each served in memory on the host
// names it has, so that a realm on another host is reached as it would be.
// Unlike handlerTransport, the Client's own round trippers stay in place
// (credentialWatcher notes the tokens), and the ping is the model's.

// hosts serves requests to several host names from handlers in memory.
type hosts struct {
	mu       sync.Mutex
	handlers map[string]http.Handler // host[:port] -> handler
	seen     []string                // "METHOD host path?query"
}

func (h *hosts) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	handler := h.handlers[req.URL.Host]
	h.seen = append(h.seen, req.Method+" "+req.URL.Host+req.URL.RequestURI())
	h.mu.Unlock()
	if req.Body != nil {
		defer req.Body.Close()
	}
	if handler == nil {
		return nil, fmt.Errorf("dial tcp: lookup %s: no such host", req.URL.Hostname())
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (h *hosts) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// hostsClient is a Client whose HTTPS and HTTP requests, below its own
// round trippers, are answered by h.
func hostsClient(t *testing.T, h *hosts, cfg Config) *Client {
	t.Helper()
	if cfg.Keychain == nil {
		cfg.Keychain = authn.NewMultiKeychain()
	}
	c := newTestClient(t, cfg)
	// An empty TLSNextProto keeps HTTP/2 from claiming "https".
	tr := &http.Transport{TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}
	tr.RegisterProtocol("https", h)
	tr.RegisterProtocol("http", h)
	c.verified, c.unverified = tr, tr
	return c
}

// tokenService issues a token for every request whose Basic credentials,
// if any, are user:pass (anonymous too when anonymous is set), and records
// the scopes it was asked for, so that registries can check them.
type tokenService struct {
	user, pass string
	anonymous  bool

	mu     sync.Mutex
	issued map[string]string // token -> scope asked
}

func (s *tokenService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	switch {
	case ok && (u != s.user || p != s.pass), !ok && !s.anonymous:
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "incorrect username or password")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.issued == nil {
		s.issued = map[string]string{}
	}
	tok := fmt.Sprintf("tok-%d-%s", len(s.issued), base64.RawURLEncoding.EncodeToString([]byte(u)))
	s.issued[tok] = strings.Join(r.URL.Query()["scope"], " ")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok, "expires_in": 300})
}

// granted reports whether the request carries a token issued for a scope
// that names repo.
func (s *tokenService) granted(r *http.Request, repo string) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok && strings.Contains(s.issued[tok], "repository:"+repo+":pull")
}

// listTwoTags answers a tag list with two tags.
func listTwoTags(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "tags": []string{"3.1.15-python3.12", "3.1.16-python3.12"}})
}

// nexusBehindProxy is a Sonatype Nexus Docker repository behind a reverse
// proxy that routes the repositories' paths and the token endpoint but not
// the bare /v2/, which the web server behind it answers 404: skopeo (which,
// like go-containerregistry, takes only 200 or 401 from the ping) fails
// with "invalid status code from registry 404" where docker pull works
// (containers/skopeo#1000, containers/skopeo#1253, both Nexus 3). The
// repository's own endpoints challenge as Nexus's Docker Bearer Token
// Realm does: realm /v2/token on the same host, service naming it too.
func nexusBehindProxy(host string, ts *tokenService) http.HandlerFunc {
	realm := "https://" + host + "/v2/token"
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/" || r.URL.Path == "/v2":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "<html><body><h1>404 Not Found</h1></body></html>")
		case r.URL.Path == "/v2/token":
			ts.ServeHTTP(w, r)
		case r.URL.Path == "/v2/acme/prefect/tags/list":
			if !ts.granted(r, "acme/prefect") {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service=%q`, realm, realm))
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Access denied to remote repository")
				return
			}
			listTwoTags(w, r)
		default:
			writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		}
	}
}

// A /v2/ that answers 404 (or anything but 200 and 401) is no reason to
// give up: the repository's own tag list is asked the ping's question, and
// its challenge opens the listing, anonymous or with credentials.
func TestZooAuthNexusBehindProxyPing404(t *testing.T) {
	const host = "nexus.zoo.test"
	for name, cfg := range map[string]Config{
		"anonymous":   {},
		"credentials": {Credentials: []Credential{{Host: host, Username: "ci", Password: "nexus-" + secret}}},
	} {
		t.Run(name, func(t *testing.T) {
			ts := &tokenService{user: "ci", pass: "nexus-" + secret, anonymous: true}
			h := &hosts{handlers: map[string]http.Handler{host: nexusBehindProxy(host, ts)}}
			cfg.MaxRetries = 0
			c := hostsClient(t, h, cfg)
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/prefect"))
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
			}
		})
	}
}

// A host that serves no registry API at all (a web server, GitLab's main
// host instead of its registry's) still gives the ping's 404: the
// repository's path is asked too, and its 404 changes nothing.
func TestZooAuthPing404NoRegistry(t *testing.T) {
	const host = "gitlab.zoo.test"
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
	})
	h := &hosts{handlers: map[string]http.Handler{host: web}}
	c := hostsClient(t, h, Config{MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/prefect"))
	if !IsNotFound(err) || !strings.Contains(err.Error(), host) {
		t.Fatalf("got %v, want the ping's 404 naming %s", err, host)
	}
	if got := h.requests(); len(got) != 2 || got[1] != "GET "+host+"/v2/acme/prefect/tags/list?n=1" {
		t.Errorf("requests %v; want the ping and one question to the repository's tag list", got)
	}
}
