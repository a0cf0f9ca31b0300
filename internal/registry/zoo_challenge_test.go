package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Registries whose ping does not tell the truth about their repositories'
// authentication: GET /v2/ answers 200 (`{}`, JSON) or a Basic challenge,
// and the repository's own requests a Bearer one. A pull-through or
// reverse proxy that answers /v2/ itself in front of a bearer registry;
// Nexus or Artifactory with an anonymous /v2/ and a repository that is
// not; a front that asks for Basic and a repository behind it for Bearer.
// containerd takes the challenge of the request's own 401 and sends the
// request again (remotes/docker/authorizer.go, AddResponses), so
// `docker pull` on the containerd image store reads them.
// go-containerregistry (crane) and docker's classic store take the ping's
// word for the whole run.

// lyingPing is such a registry: its ping answers as ping says ("200",
// "basic" for a 401 with a Basic challenge, "bearer" for one with the
// Bearer challenge of realm, as an honest registry's does), and every
// repository request without a token ts issued for the scope the registry
// wants (scope, or the repository's pull) is answered 401 with the Bearer
// challenge of realm (service and scope included, error="insufficient_scope"
// when it carried a token), whatever else it carries (Basic credentials
// too). With the token, it serves store's manifests and blobs and two
// tags, but for the repository denied, which no token opens.
type lyingPing struct {
	ping, realm string
	ts          *tokenService
	store       *zooStore
	scope       func(name string) string // nil: "repository:<name>:pull"
	denied      string
	basicFirst  bool // a Basic challenge before the Bearer one (Artifactory can send both)
	// hold, when set, is waited for by every refused manifest request
	// before it is answered; refused counts the refused requests.
	hold    chan struct{}
	refused atomic.Int64
}

func (l *lyingPing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		switch l.ping {
		case "basic":
			w.Header().Set("WWW-Authenticate", `Basic realm="proxy"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		case "bearer":
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="registry.zoo.test"`, l.realm))
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		default:
			writeJSON(w, http.StatusOK, map[string]any{})
		}
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/v2/")
	for _, sep := range []string{"/tags/list", "/manifests/", "/blobs/"} {
		name, _, _ = strings.Cut(name, sep)
	}
	scope := "repository:" + name + ":pull"
	if l.scope != nil {
		scope = l.scope(name)
	}
	if name == l.denied || !l.ts.grantedScope(r, scope) {
		challenge := fmt.Sprintf(`Bearer realm=%q,service="registry.zoo.test",scope=%q`, l.realm, scope)
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			challenge += `,error="insufficient_scope"`
		}
		l.refused.Add(1)
		if l.hold != nil && strings.Contains(r.URL.Path, "/manifests/") {
			select {
			case <-l.hold:
			case <-r.Context().Done():
			}
		}
		if l.basicFirst {
			w.Header().Add("WWW-Authenticate", `Basic realm="proxy"`)
		}
		w.Header().Add("WWW-Authenticate", challenge)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	if strings.HasSuffix(r.URL.Path, "/tags/list") {
		listTwoTags(w, r)
		return
	}
	l.store.serve(nil)(w, r)
}

// grantedScope reports whether the request carries a token issued for a
// request that asked for scope (among others).
func (s *tokenService) grantedScope(r *http.Request, scope string) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	asked, known := s.issued[tok]
	return ok && known && slices.Contains(strings.Fields(asked), scope)
}

// count is how many requests of seen are want, or start with it when it
// ends in "*".
func count(seen []string, want string) int {
	n := 0
	for _, s := range seen {
		if prefix, ok := strings.CutSuffix(want, "*"); s == want || ok && strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// A repository whose requests answer a Bearer challenge is read, anonymous
// or with credentials, when the ping said 200 or Basic: the handshake is
// made again, once, from the repository's Bearer challenge (alone, when a
// Basic one comes first), and the refused request sent again. The tag
// list, a manifest HEAD and the platforms are read with one more ping and
// one token, and only the first request is refused.
func TestZooAuthPingSaysNoBearer(t *testing.T) {
	const host, authHost = "proxy.zoo.test", "auth.zoo.test"
	const user, pass = "ci", "proxy-" + secret
	for _, ping := range []string{"200", "basic", "200+basic-challenge-first"} {
		for _, who := range []string{"anonymous", "credentials"} {
			t.Run(ping+"/"+who, func(t *testing.T) {
				store, idx, platforms := zooIndexStore()
				ts := &tokenService{user: user, pass: pass, anonymous: who == "anonymous"}
				reg := &lyingPing{ping: ping, realm: "https://" + authHost + "/token", ts: ts, store: store, basicFirst: strings.HasSuffix(ping, "first")}
				h := &hosts{handlers: map[string]http.Handler{host: reg, authHost: ts}}
				logs := &logRecorder{}
				cfg := Config{MaxRetries: 1, Logger: logs}
				if who == "credentials" {
					cfg.Credentials = login(host, user, pass, false)
				}
				c := hostsClient(t, h, cfg)
				ref := repoOf(t, host+"/"+zooRepo)
				got, err := c.ListTags(context.Background(), ref)
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
				}
				d, err := c.Head(context.Background(), ref, "3.1.15-python3.12")
				checkResolved(t, c, h, ref, d, err, idx, "", platforms)
				seen := h.requests()
				if pings, tokens := count(seen, "GET "+host+"/v2/"), count(seen, "GET "+authHost+"/token*"); pings > 2 || tokens != 1 {
					t.Errorf("%d pings and %d token requests; want at most 2 and 1\n%s", pings, tokens, strings.Join(seen, "\n"))
				}
				if n := reg.refused.Load(); n != 1 {
					t.Errorf("%d requests refused; want 1, the first: later ones go with the new handshake's token\n%s", n, strings.Join(seen, "\n"))
				}
				if strings.Contains(logs.text(), pass) || strings.Contains(logs.text(), "tok-") {
					t.Errorf("a secret reached the log:\n%s", logs.text())
				}
			})
		}
	}
}

// What the repository's challenge cannot open is a clear error naming the
// registry and the repository, quoting no password or token, after at
// most one handshake more per request: a repository the token service's
// token does not open is the denial of an issued token; a wrong password,
// the token service's refusal of the credentials.
func TestZooAuthPingSaysNoBearerRefused(t *testing.T) {
	const host, authHost = "proxy.zoo.test", "auth.zoo.test"
	const user, pass = "ci", "proxy-" + secret
	for _, tc := range []struct {
		name, repo string
		wrong      bool
		want       []string
		issued     bool // the 401 answered a token the token service issued
	}{
		{"denied", host + "/acme/private", false, []string{"HTTP 401", "acme/private", host, "do not grant pull access"}, true},
		{"wrong-password", host + "/" + zooRepo, true, []string{"HTTP 401", zooRepo, host, "did not accept the credentials"}, false},
	} {
		for _, ping := range []string{"200", "basic"} {
			t.Run(tc.name+"/"+ping, func(t *testing.T) {
				store, _, _ := zooIndexStore()
				ts := &tokenService{user: user, pass: pass}
				h := &hosts{handlers: map[string]http.Handler{
					host:     &lyingPing{ping: ping, realm: "https://" + authHost + "/token", ts: ts, store: store, denied: "acme/private"},
					authHost: ts,
				}}
				logs := &logRecorder{}
				c := hostsClient(t, h, Config{MaxRetries: 2, Logger: logs, Credentials: login(host, user, pass, tc.wrong)})
				ref := repoOf(t, tc.repo)
				for _, call := range []func() error{
					func() error { _, err := c.ListTags(context.Background(), ref); return err },
					func() error { _, err := c.Head(context.Background(), ref, "3.1.15-python3.12"); return err },
				} {
					err := call()
					var e *Error
					if !errors.As(err, &e) || !IsUnauthorized(err) || e.TokenRefused() != tc.issued {
						t.Fatalf("got %v; want a 401 (token refused: %v)\n%s", err, tc.issued, strings.Join(h.requests(), "\n"))
					}
					checkMessage(t, err, tc.want, logs, pass, "tok-", "Authorization")
				}
				// Each request: itself, the handshake made again (ping,
				// token), itself again (and the bearer transport's one
				// refresh of its token and resend); never more.
				seen := h.requests()
				if pings := count(seen, "GET "+host+"/v2/"); pings > 3 {
					t.Errorf("%d pings; want at most 3 (the first, then one per request)\n%s", pings, strings.Join(seen, "\n"))
				}
				if n := len(seen); n > 14 {
					t.Errorf("%d requests; want at most 14\n%s", n, strings.Join(seen, "\n"))
				}
			})
		}
	}
}

// The repository's challenge is checked as the ping's is: a realm at a
// private address other than the registry's own host, or over plain HTTP
// for a registry reached over HTTPS, is refused before anything is sent
// to it, with the handshake's own error.
func TestZooAuthPingSaysNoBearerRealmRefused(t *testing.T) {
	const host = "proxy.zoo.test"
	for realm, want := range map[string]string{
		"https://10.1.2.3/token":    "private or link-local",
		"http://" + host + "/token": "not allowed for a secure registry",
	} {
		t.Run(realm, func(t *testing.T) {
			store, _, _ := zooIndexStore()
			ts := &tokenService{user: "ci", pass: "proxy-" + secret}
			h := &hosts{handlers: map[string]http.Handler{
				host:       &lyingPing{ping: "200", realm: realm, ts: ts, store: store},
				"10.1.2.3": ts,
			}}
			c := hostsClient(t, h, Config{MaxRetries: 1, Credentials: login(host, "ci", "proxy-"+secret, false)})
			_, err := c.ListTags(context.Background(), repoOf(t, host+"/"+zooRepo))
			if !errors.As(err, new(*realmRefusedError)) || !strings.Contains(fmt.Sprint(err), want) || !strings.Contains(fmt.Sprint(err), host) {
				t.Fatalf("got %v; want the realm refused (%s)", err, want)
			}
			for _, r := range h.requests() {
				if strings.Contains(r, "/token") {
					t.Errorf("the refused realm was asked: %s", r)
				}
			}
		})
	}
}

// A registry that wants a scope other than the one asked (a proxy whose
// upstream names the repository under its own path) answers the token's
// request 401, error="insufficient_scope", naming that scope: the token is
// asked again with it and the request sent again, whether the ping took a
// Bearer challenge or the repository's challenge made the handshake
// again. One that names a new scope in every challenge, which no token
// holds, is an error, without a loop.
func TestZooAuthInsufficientScope(t *testing.T) {
	const host, authHost = "proxy.zoo.test", "auth.zoo.test"
	mirror := func(name string) string { return "repository:mirror/" + name + ":pull" }
	for _, ping := range []string{"bearer", "200", "basic"} {
		for _, never := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/never-%v", ping, never), func(t *testing.T) {
				store, idx, platforms := zooIndexStore()
				ts := &tokenService{anonymous: true}
				scope := mirror
				if never { // a scope never asked before in every challenge
					var n atomic.Int64
					scope = func(name string) string { return fmt.Sprintf("repository:mirror-%d/%s:pull", n.Add(1), name) }
				}
				h := &hosts{handlers: map[string]http.Handler{
					host:     &lyingPing{ping: ping, realm: "https://" + authHost + "/token", ts: ts, store: store, scope: scope},
					authHost: ts,
				}}
				c := hostsClient(t, h, Config{MaxRetries: 1})
				ref := repoOf(t, host+"/"+zooRepo)
				got, err := c.ListTags(context.Background(), ref)
				seen := h.requests()
				if never {
					if !IsUnauthorized(err) || !strings.Contains(fmt.Sprint(err), zooRepo) {
						t.Fatalf("got %v, %v; want a 401 naming the repository", got, err)
					}
					if n := count(seen, "GET "+authHost+"/token*"); n > 3 {
						t.Errorf("%d token requests; want at most 3\n%s", n, strings.Join(seen, "\n"))
					}
					return
				}
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(seen, "\n"))
				}
				d, err := c.Head(context.Background(), ref, "3.1.15-python3.12")
				checkResolved(t, c, h, ref, d, err, idx, "", platforms)
			})
		}
	}
}

// Concurrent requests refused on the ping's word share one handshake
// made again: one token for them all, and no other ping, its answer the
// host's (pingHop).
func TestZooAuthPingSaysNoBearerConcurrent(t *testing.T) {
	const host, authHost = "proxy.zoo.test", "auth.zoo.test"
	store, idx, _ := zooIndexStore()
	tags := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for _, tag := range tags {
		store.tag(tag, idx)
	}
	ts := &tokenService{anonymous: true}
	// Every HEAD is refused before any is answered: each then needs the
	// handshake made again.
	reg := &lyingPing{ping: "200", realm: "https://" + authHost + "/token", ts: ts, store: store, hold: make(chan struct{})}
	arrived := make(chan struct{}, len(tags))
	h := &hosts{handlers: map[string]http.Handler{
		host: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && r.Header.Get("Authorization") == "" {
				arrived <- struct{}{}
			}
			reg.ServeHTTP(w, r)
		}),
		authHost: ts,
	}}
	go func() {
		for range tags {
			<-arrived
		}
		close(reg.hold)
	}()
	c := hostsClient(t, h, Config{MaxRetries: 1})
	ref := repoOf(t, host+"/"+zooRepo)
	errs := make(chan error, len(tags))
	for _, tag := range tags {
		go func() {
			d, err := c.Head(context.Background(), ref, tag)
			if err == nil && d.Digest != idx {
				err = fmt.Errorf("tag %s: digest %s, want %s", tag, d.Digest, idx)
			}
			errs <- err
		}()
	}
	for range tags {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	seen := h.requests()
	if pings, tokens := count(seen, "GET "+host+"/v2/"), count(seen, "GET "+authHost+"/token*"); pings != 1 || tokens != 1 {
		t.Errorf("%d pings and %d token requests; want 1 and 1\n%s", pings, tokens, strings.Join(seen, "\n"))
	}
}

// A 401 with a Bearer challenge from another host that a blob request was
// redirected to (a CDN) makes no handshake with the registry's
// credentials: its challenge is that host's, not the registry's.
func TestZooAuthBlobStoreChallengeNotTaken(t *testing.T) {
	const host, cdn = "registry.zoo.test", "cdn.zoo.test"
	const user, pass = "ci", "registry-" + secret
	store := newZooStore()
	d, _ := store.image(types.OCIManifestSchema1, "linux/amd64", true)
	ts := &tokenService{anonymous: true}
	h := &hosts{handlers: map[string]http.Handler{
		host: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/v2/":
				writeJSON(w, http.StatusOK, map[string]any{})
			case strings.Contains(r.URL.Path, "/blobs/"):
				http.Redirect(w, r, "https://"+cdn+r.URL.Path, http.StatusTemporaryRedirect)
			default:
				store.serve(nil)(w, r)
			}
		}),
		cdn: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				ts.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+cdn+`/token",service="cdn"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		}),
	}}
	logs := &logRecorder{}
	c := hostsClient(t, h, Config{MaxRetries: 1, Logger: logs, Credentials: login(host, user, pass, false)})
	_, err := c.Platforms(context.Background(), repoOf(t, host+"/"+zooRepo), d)
	if !IsUnauthorized(err) {
		t.Fatalf("got %v; want the blob store's 401", err)
	}
	checkMessage(t, err, []string{host, zooRepo}, logs, pass)
	seen := h.requests()
	if pings, tokens := count(seen, "GET "+host+"/v2/"), count(seen, "GET "+cdn+"/token*"); pings != 1 || tokens != 0 {
		t.Errorf("%d pings and %d token requests; want 1 and 0\n%s", pings, tokens, strings.Join(seen, "\n"))
	}
}

// Several challenges in one WWW-Authenticate field, as RFC 7235 allows and
// a proxy that joins a registry's two fields (Artifactory's Basic and
// Bearer) into one sends them: the ping and every repository request
// answer `Basic realm="…", Bearer realm="…",service="…"`. go-containerregistry
// (as docker and containerd) reads one challenge a field, the first,
// Basic here: the repository's own Bearer challenge, found after the
// comma, makes the handshake again. A comma, an escaped quote or the word
// Bearer inside a quoted parameter starts no challenge. The Basic
// credentials were refused on every request, reported as "it did not
// accept the credentials".
func TestZooAuthChallengesInOneHeader(t *testing.T) {
	const host, authHost = "proxy.zoo.test", "auth.zoo.test"
	for name, header := range map[string]string{
		"basic, bearer":        `Basic realm="artifactory", Bearer realm="https://auth.zoo.test/token",service="registry.zoo.test"`,
		"quoted commas":        `Basic realm="a, Bearer realm=\"https://evil.zoo.test/\", b" , Bearer realm="https://auth.zoo.test/token", service="registry.zoo.test"`,
		"lower-case, unquoted": `basic realm=artifactory,bearer realm="https://auth.zoo.test/token",service=registry.zoo.test`,
	} {
		t.Run(name, func(t *testing.T) {
			ts := &tokenService{user: "ci", pass: "proxy-" + secret}
			reg := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v2/" && ts.granted(r, zooRepo) {
					listTwoTags(w, r)
					return
				}
				w.Header().Set("WWW-Authenticate", header)
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			})
			h := &hosts{handlers: map[string]http.Handler{host: reg, authHost: ts}}
			c := hostsClient(t, h, Config{MaxRetries: 1, Credentials: login(host, "ci", "proxy-"+secret, false)})
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/"+zooRepo))
			seen := h.requests()
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(seen, "\n"))
			}
			if n := count(seen, "GET "+authHost+"/token*"); n != 1 {
				t.Errorf("%d token requests; want 1\n%s", n, strings.Join(seen, "\n"))
			}
			if n := count(seen, "GET evil.zoo.test*"); n != 0 {
				t.Errorf("a challenge inside a quoted parameter was taken\n%s", strings.Join(seen, "\n"))
			}
		})
	}
}
