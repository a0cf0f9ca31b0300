package registry

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// The ping (GET /v2/) says what a registry host speaks, HTTPS or a
// loopback or insecure host's plain HTTP, and how it authenticates (its
// challenge): it names no repository, and is made once per host and
// Client. A plan pinning prefecthq/prefect, prefecthq/prefect-client and
// a mirror on one host pinged it once per repository, and tried HTTPS
// each time before the plain HTTP it speaks. The tokens, of a
// repository's scope, stay one per repository.
func TestPingOncePerHostForSeveralRepositories(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("alice", "s3cret"))
	repos := []string{"prefecthq/prefect", "prefecthq/prefect-client", "mirror/prefect"}
	for _, r := range repos {
		f.setTags(r, []string{"3.1.0", "3.2.0"})
	}
	c := newTestClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: "alice", Password: "s3cret"}}})
	var https atomic.Int32 // TLS dials to the registry: the ping's HTTPS attempts
	dialTLS := c.verified.DialTLSContext
	c.verified.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == f.host {
			https.Add(1)
		}
		return dialTLS(ctx, network, addr)
	}
	for _, r := range repos {
		if _, err := c.ListTags(context.Background(), repoOf(t, f.repo(r))); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
	}
	if pings, tokens, n := f.count("ping"), f.count("token"), https.Load(); pings != 1 || tokens != len(repos) || n != 1 {
		t.Errorf("%d repositories on one host sent %d pings over plain HTTP after %d HTTPS attempts, and %d token requests; want 1 ping after 1 HTTPS attempt, and %d tokens",
			len(repos), pings, n, tokens, len(repos))
	}
}

// pingGate is an in-memory registry at zooHost whose ping waits for gate
// and answers with a Bearer challenge (or, refused, 404 as a proxy in
// front of Nexus does, or an HTML page, its repositories' paths answering
// the challenge); its token service and tag lists answer at once.
type pingGate struct {
	gate       chan struct{}
	pings      atomic.Int32
	fail       atomic.Int32 // pings still to answer failStatus
	hang       atomic.Int32 // pings still to get no answer
	failStatus int          // 503 when 0
	ping       string       // "404" or "html": the ping's answer, refused
}

func (g *pingGate) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	switch p := req.URL.Path; {
	case p == "/v2/":
		g.pings.Add(1)
		gate := g.gate
		if g.hang.Add(-1) >= 0 {
			gate = nil
		}
		select {
		case <-gate:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		switch {
		case g.fail.Add(-1) >= 0:
			rec.WriteHeader(cmp.Or(g.failStatus, http.StatusServiceUnavailable))
		case g.ping == "404":
			rec.WriteHeader(http.StatusNotFound)
		case g.ping == "html":
			rec.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(rec, "<html><body>Registry console</body></html>")
		default:
			rec.Header().Set("WWW-Authenticate", `Bearer realm="https://`+zooHost+`/token",service="zoo"`)
			rec.WriteHeader(http.StatusUnauthorized)
		}
	case p == "/token":
		rec.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rec, `{"token":"tok-%s"}`, strings.NewReplacer(":", "-", "/", "-").Replace(req.URL.Query().Get("scope")))
	case strings.HasSuffix(p, "/tags/list") && strings.HasPrefix(req.Header.Get("Authorization"), "Bearer tok-"):
		rec.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rec, `{"name":%q,"tags":["3.1.0"]}`, strings.TrimSuffix(strings.TrimPrefix(p, "/v2/"), "/tags/list"))
	default:
		rec.Header().Set("WWW-Authenticate", `Bearer realm="https://`+zooHost+`/token",service="zoo"`)
		rec.WriteHeader(http.StatusUnauthorized)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// Two repositories of one host read at once wait for one ping, which
// both take.
func TestConcurrentRepositoriesShareOnePing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &pingGate{gate: make(chan struct{})}
		c := newTestClient(t, Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 0})
		c.base = g
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, r := range []string{"prefecthq/prefect", "prefecthq/prefect-client"} {
			wg.Go(func() {
				_, errs[i] = c.ListTags(context.Background(), repoOf(t, zooHost+"/"+r))
			})
		}
		synctest.Wait() // both handshakes wait for the ping
		if n := g.pings.Load(); n != 1 {
			t.Errorf("two repositories read at once sent %d pings, want 1 they share", n)
		}
		close(g.gate)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := g.pings.Load(); n != 1 {
			t.Errorf("%d pings in all, want 1", n)
		}
	})
}

// A failed ping is not the host's answer: the next repository, whose
// handshake the current rules send (a 503 is not remembered), pings
// again, and the one after it takes that answer. A ping that spent its
// retries on a 429 stops every later request to the host (retry): no
// repository pings it again.
func TestFailedPingAskedAgainByNextRepository(t *testing.T) {
	for _, tc := range []struct {
		status, pings int
	}{
		{http.StatusServiceUnavailable, 2},
		{http.StatusTooManyRequests, 1},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			g := &pingGate{gate: make(chan struct{}), failStatus: tc.status}
			close(g.gate)
			g.fail.Store(1)
			c := newTestClient(t, Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 0})
			c.base = g
			if _, err := c.ListTags(context.Background(), repoOf(t, zooHost+"/prefecthq/prefect")); statusOf(err) != tc.status {
				t.Fatalf("a ping answered %d without retries: %v, want its %d", tc.status, err, tc.status)
			}
			for _, r := range []string{"prefecthq/prefect-client", "mirror/prefect"} {
				_, err := c.ListTags(context.Background(), repoOf(t, zooHost+"/"+r))
				if tc.status == http.StatusTooManyRequests && statusOf(err) != tc.status {
					t.Errorf("%s after the host's rate limit: %v, want its 429", r, err)
				} else if tc.status != http.StatusTooManyRequests && err != nil {
					t.Errorf("%s: %v", r, err)
				}
			}
			if n := g.pings.Load(); n != int32(tc.pings) {
				t.Errorf("a ping answered %d and two repositories after it sent %d pings, want %d", tc.status, n, tc.pings)
			}
		})
	}
}

// A ping refused 404 (a proxy that routes only the repositories' paths)
// or answered with an HTML page sends each repository to its own tag list
// for the challenge (repositoryPing): it is no answer of the host's, and
// each repository asks it again, as before.
func TestRefusedPingAskedAgainByEachRepository(t *testing.T) {
	for _, ping := range []string{"404", "html"} {
		t.Run(ping, func(t *testing.T) {
			g := &pingGate{gate: make(chan struct{}), ping: ping}
			close(g.gate)
			c := newTestClient(t, Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 0})
			c.base = g
			for _, r := range []string{"prefecthq/prefect", "prefecthq/prefect-client"} {
				if _, err := c.ListTags(context.Background(), repoOf(t, zooHost+"/"+r)); err != nil {
					t.Fatalf("%s: %v", r, err)
				}
			}
			if n := g.pings.Load(); n != 2 {
				t.Errorf("two repositories behind a refused ping sent %d pings, want 2", n)
			}
		})
	}
}

// The ping is shared, the credentials are not: two namespaces of one host
// with their own logins in Podman's auth file (podman login host/org-a,
// host/org-b) ping it once, and each asks the token service with its own.
// The token service's refusal of org-b's has the ping asked once more, to
// see whether the registry moved to another token service since (it did
// not: no token request more).
func TestSharedPingKeepsCredentialsPerRepository(t *testing.T) {
	var mu sync.Mutex
	var users []string
	var f *fake
	f = newFake(t, withBearer("a", "p"), withHook(func(_ http.ResponseWriter, r *http.Request) bool {
		if f.kind(r) == "token" {
			u, _, _ := r.BasicAuth()
			mu.Lock()
			users = append(users, u)
			mu.Unlock()
		}
		return false
	}))
	f.setTags("org-a/prefect", []string{"a"})
	f.setTags("org-b/prefect", []string{"b"})
	podmanAuth(t, `{"auths":{"`+f.host+`/org-a":{"auth":"`+b64("a:p")+`"},"`+f.host+`/org-b":{"auth":"`+b64("b:p")+`"}}}`)
	c := newTestClient(t, Config{MaxRetries: 0})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("org-a/prefect"))); err != nil {
		t.Fatal(err)
	}
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("org-b/prefect")))
	if statusOf(err) != http.StatusUnauthorized {
		t.Errorf("org-b with its own login, which the token service refuses: %v, want a 401", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(users, " "); got != "a b" || f.count("ping") != 2 {
		t.Errorf("token requests of users %q after %d pings; want a, then b, after 1 ping, and 1 ping after b's refusal", got, f.count("ping"))
	}
}

// A ping that gets no answer is sent again by the next attempt, as each
// attempt sent its own: a repository that joined it later does not keep
// it waiting past its own attempt's time for the retries of both to
// join (here the second repository starts a second after the first, on
// synctest's clock, and the first's retry, after 0.2 s, came before the
// second's attempt ended).
func TestHungPingSentAgainByRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &pingGate{gate: make(chan struct{})}
		close(g.gate)
		g.hang.Store(1)
		c := newTestClient(t, Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 3, RequestTimeout: 5 * time.Second})
		c.base = g
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, r := range []string{"prefecthq/prefect", "prefecthq/prefect-client"} {
			if i > 0 {
				time.Sleep(time.Second)
			}
			wg.Go(func() {
				_, errs[i] = c.ListTags(context.Background(), repoOf(t, zooHost+"/"+r))
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := g.pings.Load(); n != 2 {
			t.Errorf("%d pings, want 2: the one that got no answer, and one the retries share", n)
		}
	})
}
