package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A registry whose token service is another host (auth.docker.io for
// Docker Hub) over time: a token that stops working after a few requests,
// as Docker Hub's does after its expires_in (300 s), mid-listing and
// under a fleet of HEADs; a token service that fails while the provider
// asks it for a token, first or again; a registry that refuses every
// token its token service issues.

const (
	expHost  = "reg.zoo.test"
	expRealm = "https://auth.zoo.test/token"
	expAuth  = "auth.zoo.test"
)

// expiringRegistry serves tags (three a page) and store's manifests to a
// request carrying a token its token service issued ("tok-…") that has
// served fewer than life requests; any other is answered 401 with the
// challenge, error="invalid_token" when it carried a token (as
// distribution answers an expired one). never: no token works. Tokens
// numbered longFrom or later (when set) do not expire: under concurrent
// requests a token good for a count of requests can be used up by others
// before the request it was issued for is sent, which a token good for a
// time (Docker Hub's 300 s) is not.
type expiringRegistry struct {
	life     int64
	tags     []string
	store    *zooStore
	never    bool
	longFrom atomic.Int64

	mu   sync.Mutex
	uses map[string]int64
}

func (e *expiringRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	e.mu.Lock()
	if e.uses == nil {
		e.uses = map[string]int64{}
	}
	valid := bearer && strings.HasPrefix(tok, "tok-") && !e.never
	if valid {
		e.uses[tok]++
		n, _ := strconv.ParseInt(strings.TrimPrefix(tok, "tok-"), 10, 64)
		long := e.longFrom.Load() > 0 && n >= e.longFrom.Load()
		valid = long || e.uses[tok] <= e.life
	}
	e.mu.Unlock()
	if !valid {
		ch := fmt.Sprintf(`Bearer realm=%q,service=%q,scope="repository:%s:pull"`, expRealm, expHost, zooRepo)
		if bearer {
			ch += `,error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", ch)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	switch {
	case r.URL.Path == "/v2/":
		writeJSON(w, http.StatusOK, map[string]any{})
	case strings.HasSuffix(r.URL.Path, "/tags/list"):
		last, page := r.URL.Query().Get("last"), []string(nil)
		for _, t := range e.tags {
			if t > last && len(page) < 3 {
				page = append(page, t)
			}
		}
		if len(page) == 3 && page[2] != e.tags[len(e.tags)-1] {
			w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=3&last=%s>; rel="next"`, zooRepo, page[2]))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": zooRepo, "tags": page})
	default:
		e.store.serve(nil)(w, r)
	}
}

// expiringTags is 30 tags, sorted: ten pages.
func expiringTags() []string {
	var tags []string
	for i := range 30 {
		tags = append(tags, "3.1."+strconv.Itoa(10+i)+"-python3.12")
	}
	slices.Sort(tags)
	return tags
}

// issuer is a token service: the first token request gets a token, and so
// does every later one unless fail answers it (given the token request's
// number, from 1).
type issuer struct {
	fail func(n int64, w http.ResponseWriter, r *http.Request) bool
	n    atomic.Int64
}

func (s *issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.n.Add(1)
	if s.fail != nil && s.fail(n, w, r) {
		return
	}
	// expires_in 0 and an issued_at in the past: neither is read; a
	// token is asked for again when the registry refuses it.
	writeJSON(w, http.StatusOK, map[string]any{"token": fmt.Sprintf("tok-%d", n), "expires_in": 0, "issued_at": "2020-01-01T00:00:00Z"})
}

// stallingHosts is hosts, but for a request stall picks, which gets no
// answer until its context ends, or with midBody a 200 whose body does
// not come.
type stallingHosts struct {
	*hosts
	stall   func(req *http.Request) bool
	midBody bool
	status  int // of the answer whose body stalls; 0 for 200
}

func (s stallingHosts) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.stall == nil || !s.stall(req) {
		return s.hosts.RoundTrip(req)
	}
	if s.midBody {
		return &http.Response{StatusCode: cmp.Or(s.status, http.StatusOK), Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(stalledBody{req.Context()}), Request: req}, nil
	}
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// stalledBody is a body that sends nothing until ctx ends.
type stalledBody struct{ ctx context.Context }

func (b stalledBody) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

// expiryClient is a client of the registry and token service, whose waits
// before a retry are recorded, not taken.
func expiryClient(t *testing.T, reg *expiringRegistry, ts *issuer, stall stallingHosts, timeout time.Duration) (*Client, *hosts, func() []time.Duration) {
	h := &hosts{handlers: map[string]http.Handler{expHost: reg, expAuth: ts}}
	stall.hosts = h
	c := hostsClient(t, stall, Config{MaxRetries: 2, RequestTimeout: timeout})
	var mu sync.Mutex
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return nil
	}
	return c, h, func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(waits)
	}
}

// A token that stops working mid-listing and under a fleet of HEADs is
// asked for again and the work goes on, the listing from where it was;
// the token service's 429 to that request waits its Retry-After (7 s),
// as it does in the handshake: it was retried after the backoff (0.2 s,
// then 0.4 s), spending the token service's patience.
func TestTokenExpiresMidWork(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(n int64, w http.ResponseWriter, r *http.Request) bool
		wait time.Duration // a wait at least this long, before a retry
	}{
		{name: "refreshed"},
		{name: "refresh answered 429 Retry-After once", wait: 7 * time.Second, fail: func(n int64, w http.ResponseWriter, _ *http.Request) bool {
			if n != 2 {
				return false
			}
			w.Header().Set("Retry-After", "7")
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
			return true
		}},
		{name: "refresh answered 503 once", fail: func(n int64, w http.ResponseWriter, _ *http.Request) bool {
			if n != 2 {
				return false
			}
			writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "down")
			return true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _, _ := zooIndexStore()
			tags := expiringTags()
			for _, tag := range tags[:8] {
				store.tag(tag, store.tags["3.1.15-python3.12"])
			}
			reg := &expiringRegistry{life: 4, tags: tags, store: store}
			ts := &issuer{fail: tc.fail}
			c, h, waits := expiryClient(t, reg, ts, stallingHosts{}, 10*time.Second)
			ref := repoOf(t, expHost+"/"+zooRepo)
			got, err := c.ListTags(context.Background(), ref)
			if err != nil || !slices.Equal(got, tags) {
				t.Fatalf("got %v, %v; want the 30 tags\n%s", got, err, strings.Join(h.requests(), "\n"))
			}
			if n := count(h.requests(), "GET "+expHost+"/v2/"+zooRepo+"/tags/list?n=*"); n > 10+4 {
				t.Errorf("%d tag list requests for 10 pages: the listing started again\n%s", n, strings.Join(h.requests(), "\n"))
			}
			if tc.wait > 0 && !slices.ContainsFunc(waits(), func(d time.Duration) bool { return d >= tc.wait }) {
				t.Errorf("waits %v before retries; want one of at least the token service's Retry-After, %s", waits(), tc.wait)
			}
			// A fleet of HEADs on one token, which expires under them (it
			// has at most 4 uses left, for 8 HEADs); the tokens asked for
			// then last, as Docker Hub's do for 300 s.
			issued := ts.n.Load()
			reg.longFrom.Store(issued + 1)
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i, tag := range tags[:8] {
				wg.Go(func() { _, errs[i] = c.Head(context.Background(), ref, tag) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("HEAD %s: %v", tags[i], err)
				}
			}
			if ts.n.Load() == issued {
				t.Errorf("no token was asked for under the HEADs: the token did not expire under them")
			}
		})
	}
}

// The token service failing, in the handshake or when a token that
// expired mid-listing is asked for again, on every attempt: the error
// says that the token service failed and names its host, calls a 429 a
// rate limit, and calls a 404 no missing repository or tag. It said "the
// registry answered" or "the registry rate-limited the request", and a
// 404 from a token service at the wrong path was "the repository does not
// exist there"; a token service that did not answer was "no answer within
// the request timeout", naming neither.
func TestTokenServiceFaultNamed(t *testing.T) {
	answer := func(status int, header ...string) func(n int64, w http.ResponseWriter, r *http.Request) {
		return func(_ int64, w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			writeRegError(w, status, "FAULT", http.StatusText(status))
		}
	}
	for _, when := range []string{"handshake", "refresh"} {
		for _, tc := range []struct {
			name    string
			fail    func(n int64, w http.ResponseWriter, r *http.Request) // nil: no answer
			midBody bool                                                  // … but an answer whose body does not come
			status  int                                                   // that answer's status; 0 for 200
			want    []string
		}{
			{"429", answer(http.StatusTooManyRequests), false, 0, []string{"the registry's token service (auth.zoo.test) rate-limited the request (HTTP 429 Too Many Requests)"}},
			{"429 Retry-After beyond the budget", answer(http.StatusTooManyRequests, "Retry-After", "3600"), false, 0, []string{"the registry's token service (auth.zoo.test) rate-limited the request (HTTP 429 Too Many Requests)", "its Retry-After asked to wait 1h0m0s"}},
			{"503", answer(http.StatusServiceUnavailable), false, 0, []string{"the registry's token service (auth.zoo.test) answered HTTP 503 Service Unavailable after 3 attempts"}},
			{"404", answer(http.StatusNotFound), false, 0, []string{"the registry's token service (auth.zoo.test) answered HTTP 404 Not Found"}},
			{"stall", nil, false, 0, []string{"no answer from the registry's token service (auth.zoo.test) within the request timeout of 300ms"}},
			{"stall mid-body", nil, true, 0, []string{"no answer from the registry's token service (auth.zoo.test) within the request timeout of 300ms"}},
			{"503 stall mid-body", nil, true, http.StatusServiceUnavailable, []string{"no answer from the registry's token service (auth.zoo.test) within the request timeout of 300ms"}},
		} {
			t.Run(when+"/"+tc.name, func(t *testing.T) {
				first := int64(1) // the failing token requests: every one, or from the refresh on
				if when == "refresh" {
					first = 2
				}
				reg := &expiringRegistry{life: 4, tags: expiringTags(), store: newZooStore()}
				ts := &issuer{}
				if tc.fail != nil {
					ts.fail = func(n int64, w http.ResponseWriter, r *http.Request) bool {
						if n >= first {
							tc.fail(n, w, r)
						}
						return n >= first
					}
				}
				var stalled atomic.Int64
				stall := func(req *http.Request) bool {
					if tc.fail != nil || req.URL.Host != expAuth {
						return false
					}
					return stalled.Add(1) >= first
				}
				c, h, _ := expiryClient(t, reg, ts, stallingHosts{stall: stall, midBody: tc.midBody, status: tc.status}, 300*time.Millisecond)
				_, err := c.ListTags(context.Background(), repoOf(t, expHost+"/"+zooRepo))
				if err == nil {
					t.Fatal("listed; want the token service's failure")
				}
				msg := err.Error()
				for _, w := range append(tc.want, "on registry "+expHost) {
					if !strings.Contains(msg, w) {
						t.Errorf("%s\nlacks %q", msg, w)
					}
				}
				if strings.Contains(msg, "does not exist") || IsNotFound(err) {
					t.Errorf("%s\nblames a missing repository or tag (IsNotFound %v)", msg, IsNotFound(err))
				}
				t.Log(msg)
				if n := count(h.requests(), "GET "+expAuth+"/token*") + int(stalled.Load()); n > int(first)+2 {
					t.Errorf("%d token requests; want at most %d (max_retries 2)", n, first+2)
				}
			})
		}
	}
}

// A registry that refuses, error="invalid_token", every token its token
// service issues (their clocks disagree, or it does not trust the key
// that signs them): one token asked for again per request, and an error
// that says so. It said that the repository does not exist there or that
// the credentials may not pull it, which checking neither mends.
func TestTokenNeverAccepted(t *testing.T) {
	reg := &expiringRegistry{life: 4, tags: expiringTags(), store: newZooStore(), never: true}
	ts := &issuer{}
	c, h, _ := expiryClient(t, reg, ts, stallingHosts{}, time.Second)
	ref := repoOf(t, expHost+"/"+zooRepo)
	_, err := c.ListTags(context.Background(), ref)
	if err == nil {
		t.Fatal("listed; want the registry's refusal")
	}
	msg := err.Error()
	for _, w := range []string{"on registry " + expHost, "HTTP 401 Unauthorized", `refused as invalid (error="invalid_token")`, "a token its token service had just issued"} {
		if !strings.Contains(msg, w) {
			t.Errorf("%s\nlacks %q", msg, w)
		}
	}
	if strings.Contains(msg, "does not exist") {
		t.Errorf("%s\nblames the repository", msg)
	}
	if e := new(Error); !errors.As(err, &e) || !e.TokenInvalid() || e.TokenRefused() {
		t.Errorf("%s\nis no *Error with TokenInvalid and without TokenRefused", msg)
	}
	t.Log(msg)
	if n := count(h.requests(), "GET "+expAuth+"/token*"); n != 2 {
		t.Errorf("%d token requests; want 2 (the handshake's, and one asked again)\n%s", n, strings.Join(h.requests(), "\n"))
	}
}
