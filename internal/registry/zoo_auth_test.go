package registry

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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
// round trippers, are answered by h (a *hosts, a *schemeHosts).
func hostsClient(t *testing.T, h http.RoundTripper, cfg Config) *Client {
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
		switch r.URL.Path {
		case "/v2/", "/v2":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "<html><body><h1>404 Not Found</h1></body></html>")
		case "/v2/token":
			ts.ServeHTTP(w, r)
		case "/v2/acme/prefect/tags/list":
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

// checkMessage checks that err's message holds each of want, and that
// neither it nor the logs hold any of secrets.
func checkMessage(t *testing.T, err error, want []string, logs *logRecorder, secrets ...string) {
	t.Helper()
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("the message lacks %q: %s", w, msg)
		}
	}
	for _, s := range secrets {
		if strings.Contains(msg+logs.text(), s) {
			t.Errorf("a secret leaked:\n%s\n%s", msg, logs.text())
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
// host instead of its registry's) fails with the ping's 404, said as the
// host's, not the repository's: the repository's path is asked too, and
// its 404 proves it (TestHostWithoutRegistryAPI).
func TestZooAuthPing404NoRegistry(t *testing.T) {
	const host = "gitlab.zoo.test"
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
	})
	h := &hosts{handlers: map[string]http.Handler{host: web}}
	c := hostsClient(t, h, Config{MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/prefect"))
	if err == nil || IsNotFound(err) || !strings.Contains(err.Error(), host+" answered GET /v2/, the registry API's base, with HTTP 404 Not Found") {
		t.Fatalf("got %v, want the ping's 404 naming %s, as no registry's", err, host)
	}
	if got := h.requests(); len(got) != 2 || got[1] != "GET "+host+"/v2/acme/prefect/tags/list?n=1" {
		t.Errorf("requests %v; want the ping and one question to the repository's tag list", got)
	}
}

// issued reports whether the request carries a token the service issued.
func (s *tokenService) issuedToken(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	_, known := s.issued[tok]
	return ok && known
}

// bearerRegistry is a registry behind a token service (ts, at realm) that
// serves the tag lists of the repositories in pullable, and answers every
// other request 401 with the challenge Docker Hub sends for a repository
// the token does not open, scope and error="insufficient_scope" included,
// and its body (distribution/distribution#2376: an anonymous token is
// issued for library/alpine2, which does not exist, and its tag list is
// answered 401 UNAUTHORIZED "authentication required"). Harbor answers a
// robot or user without pull permission on a private project the same way
// (goharbor/harbor#22274: token issued, tag list 401).
func bearerRegistry(realm, service string, ts *tokenService, pullable ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/v2/")
		name, _, _ = strings.Cut(name, "/tags/list")
		name, _, _ = strings.Cut(name, "/manifests/")
		challenge := fmt.Sprintf(`Bearer realm=%q,service=%q`, realm, service)
		switch {
		case r.URL.Path == "/v2/":
			w.Header().Set("WWW-Authenticate", challenge)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		case ts.issuedToken(r) && strings.HasSuffix(r.URL.Path, "/tags/list") && slices.Contains(pullable, name) && ts.granted(r, name):
			listTwoTags(w, r)
		default:
			if ts.issuedToken(r) {
				challenge += fmt.Sprintf(`,scope="repository:%s:pull",error="insufficient_scope"`, name)
			}
			w.Header().Set("WWW-Authenticate", challenge)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
				"code": "UNAUTHORIZED", "message": "authentication required",
				"detail": []map[string]string{{"Type": "repository", "Class": "", "Name": name, "Action": "pull"}},
			}}})
		}
	}
}

// A 401 to a request that carried the token the registry's own token
// service just issued is no refusal of the credentials: the token service
// accepted them (or anonymous access). The repository does not exist, or
// they do not open it, and the message says so, as docker's "pull access
// denied for …, repository does not exist or may require 'docker login'"
// does, rather than "it did not accept the credentials". A wrong password
// still gets that message, from the token service.
func TestZooAuthTokenRefusedForRepository(t *testing.T) {
	const hub, hubAuth = "hub.zoo.test", "auth.zoo.test"
	const harbor = "harbor.zoo.test"
	const robot, robotSecret = "robot$prefect+ci", "Harbor-r0bot-" + secret
	for _, tc := range []struct {
		name, repo string
		cfg        Config
		want       []string
		oldMessage bool // the credentials really were refused
	}{
		{"docker-hub-no-such-repository", hub + "/acme/prefekt", Config{},
			[]string{"HTTP 401", "does not exist", "acme/prefekt", "This request used anonymous access"}, false},
		{"docker-hub-existing", hub + "/acme/prefect", Config{}, nil, false},
		{"harbor-robot-without-pull", harbor + "/private/prefect",
			Config{Credentials: []Credential{{Host: harbor, Username: robot, Password: robotSecret}}},
			[]string{"HTTP 401", "do not grant pull access", "configured credentials for " + harbor}, false},
		{"harbor-wrong-password", harbor + "/library/prefect",
			Config{Credentials: []Credential{{Host: harbor, Username: robot, Password: "not-" + robotSecret}}},
			[]string{"HTTP 401", "did not accept the credentials", "configured credentials for " + harbor}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hubTokens := &tokenService{anonymous: true}
			harborTokens := &tokenService{user: robot, pass: robotSecret}
			harborRealm := "https://" + harbor + "/service/token"
			harborRegistry := bearerRegistry(harborRealm, "harbor-registry", harborTokens, "library/prefect")
			h := &hosts{handlers: map[string]http.Handler{
				hub:     bearerRegistry("https://"+hubAuth+"/token", "registry.docker.io", hubTokens, "acme/prefect"),
				hubAuth: hubTokens,
				harbor: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/service/token" {
						harborTokens.ServeHTTP(w, r)
						return
					}
					harborRegistry(w, r)
				}),
			}}
			logs := &logRecorder{}
			tc.cfg.Logger, tc.cfg.MaxRetries = logs, 1
			c := hostsClient(t, h, tc.cfg)
			got, err := c.ListTags(context.Background(), repoOf(t, tc.repo))
			if tc.want == nil {
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags", got, err)
				}
				return
			}
			if !IsUnauthorized(err) || IsNotFound(err) {
				t.Fatalf("got %v; want an unauthorized error, which may be a missing repository but is not known to be one", err)
			}
			msg := err.Error()
			checkMessage(t, err, tc.want, logs, robotSecret, "tok-")
			if !tc.oldMessage && strings.Contains(msg, "did not accept the credentials") {
				t.Errorf("the message blames the credentials the token service accepted: %s", msg)
			}
		})
	}
}

// A manifest HEAD answered 401 to the token the registry's token service
// just issued (Docker Hub's answer for a repository that does not exist)
// is not asked again with GET: that would cost a token and a GET, which
// Docker Hub may count as a pull, to learn "authentication required". The
// error is the same denial a tag list gets.
func TestZooAuthHeadRefusedToIssuedTokenNotAskedAgain(t *testing.T) {
	const hub, hubAuth = "hub.zoo.test", "auth.zoo.test"
	tokens := &tokenService{anonymous: true}
	h := &hosts{handlers: map[string]http.Handler{
		hub:     bearerRegistry("https://"+hubAuth+"/token", "registry.docker.io", tokens, "acme/prefect"),
		hubAuth: tokens,
	}}
	c := hostsClient(t, h, Config{MaxRetries: 1})
	_, err := c.Head(context.Background(), repoOf(t, hub+"/acme/prefekt"), "3.1.15-python3.12")
	var e *Error
	if !errors.As(err, &e) || !e.TokenRefused() {
		t.Fatalf("got %v; want the denial of an issued token", err)
	}
	for _, r := range h.requests() {
		if strings.HasPrefix(r, "GET ") && strings.Contains(r, "/manifests/") {
			t.Errorf("the manifest was asked for with GET after the HEAD's 401:\n%s", strings.Join(h.requests(), "\n"))
			break
		}
	}
}
