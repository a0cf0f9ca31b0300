package registry

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Fault injection: the in-process registry (internal/registrytest) behind a
// middleware that fails chosen requests. Every case ends in success after
// bounded retries, or in a clear *Error within RequestTimeout ×
// (MaxRetries+1); none hangs. The tests here set an anonymous keychain
// instead of pointing HOME at a temp dir, so that they can run in parallel.

// faultTags is a small catalog; WithMaxPageSize(2) makes it four pages.
var faultTags = []string{
	"3.4.1-python3.12", "3.4.2-python3.11", "3.4.2-python3.12",
	"3.4.2-python3.12-conda", "3-latest", "3.4-python3.12", "3.5.0-python3.12",
}

const faultRepo = "prefecthq/prefect"

// faultClient is a client that never reads a Docker config.
func faultClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.Keychain = authn.NewMultiKeychain()
	return newTestClient(t, cfg)
}

// memoryFaultClient is a faultClient that reaches r in memory
// (serverTransport), for a test in a synctest bubble: there the request
// timeout is synctest's clock, which moves only when every goroutine of the
// test waits on it, so that an answer the registry gives at once is never
// taken for a stall because the machine is loaded; over the loopback
// network it would be (a healthy GET given less than 500ms, on a loaded
// CI machine, timed out). r is started outside the bubble, the Client made
// inside it.
func memoryFaultClient(t *testing.T, r *registrytest.Registry, cfg Config) *Client {
	t.Helper()
	c := faultClient(t, cfg)
	u, err := url.Parse(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.base = serverTransport{h: r.Handler(), scheme: u.Scheme}
	return c
}

// serverTransport answers every request, the ping included, with h in
// memory, given as a server is given it, if it is for scheme: one for the
// other scheme fails as a plain HTTP server's answer to HTTPS fails (the
// client's HTTPS ping then falls back to plain HTTP). A request whose
// context ends while h holds it fails with the context's error, as a
// network transport gives up on it. h cannot hijack the connection:
// faults that drop it (cut) take the network.
type serverTransport struct {
	h      http.Handler
	scheme string
}

func (st serverTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != st.scheme {
		return nil, http.ErrSchemeMismatch
	}
	return serveInMemory(st.h, req)
}

// serveInMemory answers req with h in memory, h given the request as a
// server is given it. A request whose context ends while h holds it fails
// with the context's error, as a network transport gives up on it.
func serveInMemory(h http.Handler, req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.Host = cmp.Or(req.Host, req.URL.Host)
	in.RemoteAddr = "127.0.0.1:1"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// faultKind classifies a request as registrytest counts it.
func faultKind(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		return "ping"
	case p == "/token":
		return "token"
	case strings.HasSuffix(p, "/tags/list"):
		return "list"
	case strings.Contains(p, "/manifests/") && r.Method == http.MethodHead:
		return "head"
	case strings.Contains(p, "/manifests/"):
		return "get"
	case strings.Contains(p, "/blobs/"):
		return "blob"
	}
	return "other"
}

// faultMiddleware runs fail instead of the registry for the requests that
// when selects, given the number (from 1) of that request among those that
// match kinds ("" matches every kind).
type faultMiddleware struct {
	kinds  []string
	when   func(n int64) bool
	fail   func(w http.ResponseWriter, r *http.Request, next http.Handler)
	seen   atomic.Int64 // requests of the kinds
	failed atomic.Int64 // requests failed
}

func (f *faultMiddleware) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(f.kinds) > 0 && !slices.Contains(f.kinds, faultKind(r)) {
			next.ServeHTTP(w, r)
			return
		}
		if n := f.seen.Add(1); f.when(n) {
			f.failed.Add(1)
			f.fail(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func always(int64) bool  { return true }
func first(n int64) bool { return n == 1 }

// everyNth fails requests N, 2N, 3N, ...
func everyNth(n int64) func(int64) bool { return func(i int64) bool { return i%n == 0 } }

// status answers code with a registry error body and optional headers.
func status(code int, header ...string) func(w http.ResponseWriter, r *http.Request, next http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeRegError(w, code, "FAULT", http.StatusText(code))
	}
}

// faultRegistry seeds faultTags in a registry behind mws.
func faultRegistry(t *testing.T, mws []*faultMiddleware, opts ...registrytest.Option) *registrytest.Registry {
	t.Helper()
	for _, mw := range mws {
		opts = append(opts, registrytest.WithMiddleware(mw.wrap))
	}
	opts = append([]registrytest.Option{registrytest.WithMaxPageSize(2)}, opts...)
	return seeded(t, faultTags, opts...)
}

// resolveAll lists, heads and reads the platforms of one tag, as the
// provider does for a selector with a platform, and checks the answers
// against the registry.
func resolveAll(t *testing.T, c *Client, r *registrytest.Registry) error {
	t.Helper()
	ctx := context.Background()
	repo := r.Host() + "/" + faultRepo
	tags, err := c.ListTags(ctx, repoOf(t, repo))
	if err != nil {
		return err
	}
	if !slices.Equal(tags, slices.Sorted(slices.Values(faultTags))) {
		return fmt.Errorf("tags %v", tags)
	}
	d, err := c.Head(ctx, repoOf(t, repo), "3.4.2-python3.12")
	if err != nil {
		return err
	}
	if want, _ := r.Digest(faultRepo, "3.4.2-python3.12"); d.Digest != want {
		return fmt.Errorf("digest %s, want %s", d.Digest, want)
	}
	p, err := c.Platforms(ctx, repoOf(t, repo), "3.4.2-python3.12")
	if err != nil {
		return err
	}
	if len(p.ByPlatform) != 2 || p.Digest != d.Digest {
		return fmt.Errorf("platforms %+v", p)
	}
	return nil
}

// withinBudget fails when a call took longer than RequestTimeout ×
// (MaxRetries+1), with a small margin for scheduling.
func withinBudget(t *testing.T, start time.Time, c *Client) {
	t.Helper()
	if el, budget := time.Since(start), c.budget(); el > budget+500*time.Millisecond {
		t.Errorf("took %s, beyond request_timeout × (max_retries+1) = %s", el, budget)
	}
}

// 429 once, with Retry-After in seconds, as an HTTP date, or without it:
// the wait asked (or the backoff) is honoured and the retry succeeds.
func TestFaultRateLimitedOnceThenSuccess(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter func() string
		minWait    time.Duration
	}{
		{"Retry-After seconds", func() string { return "1" }, 950 * time.Millisecond},
		// An HTTP date has whole seconds: 2s ahead is a wait of 1 to 2s.
		{"Retry-After HTTP date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 950 * time.Millisecond},
		{"no Retry-After", nil, 140 * time.Millisecond}, // backoff: 200ms ± 25%
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"head"}, when: first, fail: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
				if tc.retryAfter != nil {
					w.Header().Set("Retry-After", tc.retryAfter())
				}
				writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "You have reached your pull rate limit.")
			}}
			r := faultRegistry(t, []*faultMiddleware{mw})
			c := faultClient(t, Config{MaxRetries: 2, RequestTimeout: 2 * time.Second})
			start := time.Now()
			d, err := c.Head(context.Background(), repoOf(t, r.Host()+"/"+faultRepo), "3-latest")
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := r.Digest(faultRepo, "3-latest"); d.Digest != want {
				t.Errorf("digest %s, want %s", d.Digest, want)
			}
			if el := time.Since(start); el < tc.minWait {
				t.Errorf("retried after %s; want at least %s", el, tc.minWait)
			}
			withinBudget(t, start, c)
			if got := r.Counts().Head; got != 2 {
				t.Errorf("%d HEADs, want 2", got)
			}
		})
	}
}

// 429 on every attempt: a rate-limit error after MaxRetries+1 attempts,
// within the budget, with the advice to authenticate or use a mirror.
func TestFaultRateLimitedForever(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter func() string
	}{
		{"Retry-After seconds", func() string { return "1" }},
		{"Retry-After HTTP date", func() string { return time.Now().Add(time.Second).UTC().Format(http.TimeFormat) }},
		{"no Retry-After", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"list"}, when: always, fail: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
				if tc.retryAfter != nil {
					w.Header().Set("Retry-After", tc.retryAfter())
				}
				writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "You have reached your pull rate limit.")
			}}
			r := faultRegistry(t, []*faultMiddleware{mw})
			c := faultClient(t, Config{MaxRetries: 2, RequestTimeout: time.Second})
			start := time.Now()
			_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
			withinBudget(t, start, c)
			if !IsRateLimited(err) {
				t.Fatalf("got %v, want a rate-limit error", err)
			}
			for _, want := range []string{"rate-limited", "429", r.Host()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q: %s", want, err)
				}
			}
			if n := mw.failed.Load(); n > 3 {
				t.Errorf("%d attempts, more than max_retries+1 = 3", n)
			}
		})
	}
}

// 500, 502, 503 and 504 on every Nth request of any kind (ping, token, tag
// pages, HEAD, GET, blob): all succeed with one retry. The ping and the
// token request are retried together, as one handshake, so with bearer
// auth a registry failing every second request would fail every handshake
// attempt: that case runs without auth, every third request with it.
func TestFaultServerErrorEveryNthRequest(t *testing.T) {
	for _, code := range []int{500, 502, 503, 504} {
		for _, n := range []int64{2, 3} {
			t.Run(fmt.Sprintf("%d every %d", code, n), func(t *testing.T) {
				t.Parallel()
				mw := &faultMiddleware{when: everyNth(n), fail: status(code)}
				var opts []registrytest.Option
				if n > 2 {
					opts = append(opts, registrytest.WithBearerAuth("u", "p"))
				}
				r := faultRegistry(t, []*faultMiddleware{mw}, opts...)
				c := faultClient(t, Config{MaxRetries: 1, RequestTimeout: 2 * time.Second, Credentials: []Credential{{Host: r.Host(), Username: "u", Password: "p"}}})
				if err := resolveAll(t, c, r); err != nil {
					t.Fatal(err)
				}
				if mw.failed.Load() < 3 {
					t.Errorf("only %d requests failed; the fault was not exercised", mw.failed.Load())
				}
			})
		}
	}
}

// A 5xx on every attempt: an error naming the status and the attempts,
// within the budget.
func TestFaultServerErrorForever(t *testing.T) {
	for _, code := range []int{500, 502, 503, 504} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"head"}, when: always, fail: status(code)}
			r := faultRegistry(t, []*faultMiddleware{mw})
			c := faultClient(t, Config{MaxRetries: 2, RequestTimeout: time.Second})
			start := time.Now()
			_, err := c.Head(context.Background(), repoOf(t, r.Host()+"/"+faultRepo), "3-latest")
			withinBudget(t, start, c)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != code {
				t.Fatalf("got %v, want an *Error with status %d", err, code)
			}
			want := fmt.Sprintf("HTTP %d %s after 3 attempts", code, http.StatusText(code))
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), r.Host()) {
				t.Errorf("message lacks %q: %s", want, err)
			}
			if mw.failed.Load() != 3 {
				t.Errorf("%d attempts, want 3", mw.failed.Load())
			}
		})
	}
}

// cut sends the registry's answer with its full Content-Length but only
// half of its body, then drops the connection: closed (the client reads an
// unexpected EOF) or reset (TCP RST, ECONNRESET). A HEAD is cut before its
// status line.
func cut(reset bool) func(w http.ResponseWriter, r *http.Request, next http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if r.Method != http.MethodHead {
			body := rec.Body.Bytes()
			fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
			rec.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_ = rec.Header().Write(buf)
			_, _ = buf.WriteString("\r\n")
			_, _ = buf.Write(body[:len(body)/2])
			_ = buf.Flush()
		}
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	}
}

// The connection dropped mid-body, once for each kind of request: each is
// retried and the whole resolution succeeds.
func TestFaultConnectionCutOnceThenSuccess(t *testing.T) {
	for _, reset := range []bool{false, true} {
		for _, kind := range []string{"ping", "token", "list", "head", "get", "blob"} {
			name := kind + " closed"
			if reset {
				name = kind + " reset"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				mw := &faultMiddleware{kinds: []string{kind}, when: first, fail: cut(reset)}
				r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth("u", "p"))
				if _, err := r.PushSingle("acme/single", "1.4.1-python3.7", "linux/amd64"); err != nil {
					t.Fatal(err)
				}
				c := faultClient(t, Config{MaxRetries: 1, RequestTimeout: 2 * time.Second, Credentials: []Credential{{Host: r.Host(), Username: "u", Password: "p"}}})
				start := time.Now()
				if err := resolveAll(t, c, r); err != nil {
					t.Fatal(err)
				}
				// A single manifest: its config blob is read.
				if _, err := c.Platforms(context.Background(), repoOf(t, r.Host()+"/acme/single"), "1.4.1-python3.7"); err != nil {
					t.Fatal(err)
				}
				if mw.failed.Load() != 1 {
					t.Errorf("%d %s requests cut, want 1", mw.failed.Load(), kind)
				}
				if el := time.Since(start); el > 5*time.Second {
					t.Errorf("took %s", el)
				}
			})
		}
	}
}

// The connection dropped on every attempt: a network error after
// MaxRetries+1 attempts, within the budget.
func TestFaultConnectionCutForever(t *testing.T) {
	for _, reset := range []bool{false, true} {
		t.Run(fmt.Sprintf("reset=%v", reset), func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"list"}, when: always, fail: cut(reset)}
			r := faultRegistry(t, []*faultMiddleware{mw})
			c := faultClient(t, Config{MaxRetries: 2, RequestTimeout: time.Second})
			start := time.Now()
			_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
			withinBudget(t, start, c)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != 0 {
				t.Fatalf("got %v, want a network *Error", err)
			}
			if !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(err.Error(), r.Host()) {
				t.Errorf("message %s", err)
			}
			if mw.failed.Load() != 3 {
				t.Errorf("%d attempts, want 3", mw.failed.Load())
			}
		})
	}
}

// stall holds the answer back until the request's context ends.
func stall(w http.ResponseWriter, r *http.Request, _ http.Handler) {
	<-r.Context().Done()
}

// A response slower than RequestTimeout, once for each kind of request
// (the ping and token exchange included): that attempt times out and the
// retry succeeds. In memory, in a synctest bubble (memoryFaultClient): the
// stalled attempt ends at its timeout, 700ms on the bubble's clock, and
// everything else answers at once on it, so the whole resolution takes
// that timeout and one backoff (200ms ± 25%), however loaded the machine.
// Over the network the retry had what was left of 1.4s, and a loaded
// machine timed it out too.
func TestFaultSlowResponseOnceThenSuccess(t *testing.T) {
	for _, kind := range []string{"ping", "token", "list", "head", "get"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{kind}, when: first, fail: stall}
			r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth("u", "p"))
			synctest.Test(t, func(t *testing.T) {
				c := memoryFaultClient(t, r, Config{MaxRetries: 1, RequestTimeout: 700 * time.Millisecond, Credentials: []Credential{{Host: r.Host(), Username: "u", Password: "p"}}})
				start := time.Now()
				if err := resolveAll(t, c, r); err != nil {
					t.Fatal(err)
				}
				if el, least, most := time.Since(start), 700*time.Millisecond+retryBase*3/4, 700*time.Millisecond+retryBase*5/4; el < least || el > most {
					t.Errorf("took %s; want the stalled attempt's 700ms and one backoff, %s to %s", el, least, most)
				}
			})
			if mw.failed.Load() != 1 {
				t.Errorf("%d %s requests stalled, want 1", mw.failed.Load(), kind)
			}
		})
	}
}

// Slower than RequestTimeout on every attempt, the handshake included: an
// error that names the timeout, within the budget. In memory, in a
// synctest bubble (memoryFaultClient): the budget, 900ms, is measured on
// the bubble's clock, with no margin, and the answers that are not stalled
// (the ping, for the list) come at once on it. Over the network the
// ping's time and a loaded machine's scheduling counted against a margin
// of 500ms, and overran it.
func TestFaultSlowResponseForever(t *testing.T) {
	for _, kind := range []string{"ping", "list"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{kind}, when: always, fail: stall}
			r := faultRegistry(t, []*faultMiddleware{mw})
			synctest.Test(t, func(t *testing.T) {
				c := memoryFaultClient(t, r, Config{MaxRetries: 2, RequestTimeout: 300 * time.Millisecond})
				start := time.Now()
				_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
				if el := time.Since(start); el > c.budget() {
					t.Errorf("took %s, beyond request_timeout × (max_retries+1) = %s", el, c.budget())
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("got %v, want a timeout", err)
				}
				if !strings.Contains(err.Error(), "300ms") || !strings.Contains(err.Error(), r.Host()) {
					t.Errorf("message does not name the timeout and registry: %s", err)
				}
			})
			if n := mw.failed.Load(); n < 2 {
				t.Errorf("%d %s requests stalled; want every attempt the budget allows, at least 2", n, kind)
			}
		})
	}
}

// listAnswer answers tag list requests with body and Link.
func listAnswer(body, link func(r *http.Request) string) func(w http.ResponseWriter, r *http.Request, next http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		if l := link(r); l != "" {
			w.Header().Set("Link", l)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body(r))
	}
}

// Tag lists that cannot be used end in an error at once, not retried and
// never a partial list: a Link to the page itself, to another host, or
// scheme-relative to another host.
func TestFaultTagListUnusable(t *testing.T) {
	page := func(*http.Request) string {
		return `{"name":"prefecthq/prefect","tags":["3-latest","3.4.1-python3.12"]}`
	}
	for _, tc := range []struct {
		name       string
		body, link func(r *http.Request) string
		want       string
	}{

		{"Link to itself", page, func(r *http.Request) string { return "<" + r.URL.RequestURI() + `>; rel="next"` }, "loop"},
		{"Link to itself, absolute", page, func(r *http.Request) string { return "<http://" + r.Host + r.URL.RequestURI() + `>; rel="next"` }, "loop"},
		{"Link to another host", page, func(*http.Request) string {
			return `<https://registry.evil.example/v2/prefecthq/prefect/tags/list?last=x&n=2>; rel="next"`
		}, "another host (registry.evil.example)"},
		{"Link to another port", page, func(r *http.Request) string {
			host, _, _ := net.SplitHostPort(r.Host)
			return "<http://" + host + ":1/v2/prefecthq/prefect/tags/list?last=x>; rel=\"next\""
		}, "another host"},
		{"scheme-relative Link to another host", page, func(*http.Request) string {
			return `<//registry.evil.example/v2/prefecthq/prefect/tags/list?last=x>; rel="next"`
		}, "another host"},
		{"Link that is not HTTP", page, func(*http.Request) string { return `<file:///etc/passwd>; rel="next"` }, "not an HTTP URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"list"}, when: always, fail: listAnswer(tc.body, tc.link)}
			r := faultRegistry(t, []*faultMiddleware{mw})
			c := faultClient(t, Config{MaxRetries: 3, RequestTimeout: 2 * time.Second})
			// Not retried: no wait before a retry is taken. (Measured on
			// the wall clock, under 1s, a loaded machine overran it.)
			var waits []time.Duration
			c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			tags, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
			var e *Error
			if !errors.As(err, &e) || tags != nil {
				t.Fatalf("got %v, %v; want an *Error and no tags", tags, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), r.Host()) {
				t.Errorf("message lacks %q: %s", tc.want, err)
			}
			if len(waits) != 0 {
				t.Errorf("waited %v to retry; an unusable answer is not worth retrying", waits)
			}
			if n := mw.seen.Load(); n > 2 {
				t.Errorf("%d list requests; want at most 2 (a loop is seen on its second page)", n)
			}
		})
	}
}

// A 200 whose body is not JSON, or is cut inside it, is a fault (a
// proxy's page, an answer cut short): asked again within max_retries,
// then a clear error, never a partial list; answered right on a retry, the
// list is read.
func TestFaultTagListNotJSONRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
	}{
		{"not JSON", "<html><body>Bad gateway</body></html>"},
		{"truncated", `{"name":"prefecthq/prefect","tags":["3-latest","3.4.1-pyt`},
		{"empty", ""},
	} {
		for _, times := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s %d times", tc.name, times), func(t *testing.T) {
				t.Parallel()
				body := func(*http.Request) string { return tc.body }
				mw := &faultMiddleware{kinds: []string{"list"}, when: func(n int64) bool { return n <= int64(times) }, fail: listAnswer(body, func(*http.Request) string { return "" })}
				r := faultRegistry(t, []*faultMiddleware{mw})
				c := faultClient(t, Config{MaxRetries: 3, RequestTimeout: 2 * time.Second})
				var waits []time.Duration
				c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
				tags, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
				if times == 1 {
					if want := slices.Sorted(slices.Values(faultTags)); err != nil || !slices.Equal(tags, want) {
						t.Fatalf("got %v, %v; want %v, read on the retry", tags, err, want)
					}
					if len(waits) != 1 {
						t.Errorf("waited %v; want one backoff", waits)
					}
					return
				}
				var e *Error
				if !errors.As(err, &e) || tags != nil {
					t.Fatalf("got %v, %v; want an *Error and no tags", tags, err)
				}
				if !strings.Contains(err.Error(), "not valid JSON") || !strings.Contains(err.Error(), r.Host()) ||
					!strings.Contains(err.Error(), "cannot be used after 4 attempts") {
					t.Errorf("message lacks what was wrong, where, or how often it was asked: %s", err)
				}
				if n := mw.seen.Load(); n != 4 {
					t.Errorf("%d list requests; want 4 (max_retries 3)", n)
				}
			})
		}
	}
}

// syntheticTags makes n distinct Prefect-like release tags.
func syntheticTags(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("3.%d.%d.dev%d-python3.%d", i/10000, (i/100)%100, i%100, 9+i%5))
	}
	return out
}

// 100,000 tags: read across 100 pages of 1000 with Link headers, and in one
// answer from a registry that ignores n and last (CNCF distribution 2.x
// does, unsorted). Both end with every tag, sorted, once.
func TestFaultHundredThousandTags(t *testing.T) {
	noDockerConfig(t)
	all := syntheticTags(100000)
	want := slices.Sorted(slices.Values(all))
	if len(slices.Compact(slices.Clone(want))) != 100000 {
		t.Fatal("synthetic tags are not distinct")
	}

	t.Run("paged", func(t *testing.T) {
		f := newFake(t, withPageCap(1000))
		f.setTags("prefecthq/prefect", all)
		c := newTestClient(t, Config{MaxRetries: 1})
		start := time.Now()
		got, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %d tags, want %d", len(got), len(want))
		}
		// 100 pages, and one more to see that the last full page, which
		// has no Link, was the last.
		if n := f.count("list"); n < 100 || n > 101 {
			t.Errorf("%d list requests, want 100 pages (and at most one empty one)", n)
		}
		t.Logf("100,000 tags in %d pages: %s", f.count("list"), time.Since(start))
	})

	t.Run("all at once, unsorted", func(t *testing.T) {
		shuffled := slices.Clone(all)
		rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		body, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": shuffled})
		f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, "/tags/list") {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
				return true
			}
			return false
		}))
		c := newTestClient(t, Config{MaxRetries: 1})
		got, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %d tags, want %d", len(got), len(want))
		}
		// The answer, and the request after its last tag, which brings
		// the same list again: the registry ignores last and n.
		if n := f.count("list"); n != 2 {
			t.Errorf("%d list requests, want 2", n)
		}

		// A range of such a list keeps only its own tags.
		from, until := want[30000], want[60000]
		part, err := c.ListTagRange(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), TagRange{After: from, Before: until})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(part)
		if !slices.Equal(part, want[30001:60000]) {
			t.Errorf("range (%s, %s) has %d tags, want %d", from, until, len(part), 60000-30001)
		}
	})
}

// manifestAnswer answers manifest requests with body as mediaType, with or
// without Docker-Content-Digest.
func manifestAnswer(mediaType, body string, withDigest bool) func(w http.ResponseWriter, r *http.Request, next http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		sum := sha256.Sum256([]byte(body))
		w.Header().Set("Content-Type", mediaType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if withDigest {
			w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
		}
		if r.Method != http.MethodHead {
			fmt.Fprint(w, body)
		}
	}
}

// A manifest of a media type the client does not know: reading its
// platforms fails at once, naming the type; a HEAD, with a digest or
// without, reads the manifest and fails the same way: its Content-Type says
// it is no image. Docker's schema 1 is named as such.
func TestFaultManifestUnknownMediaType(t *testing.T) {
	const unknownType = "application/vnd.acme.widget.manifest.v1+json"
	unknownBody := `{"schemaVersion":2,"mediaType":"` + unknownType + `","widgets":[]}`
	sum := sha256.Sum256([]byte(unknownBody))
	unknownDigest := "sha256:" + hex.EncodeToString(sum[:])
	repo := func(r *registrytest.Registry) string { return r.Host() + "/" + faultRepo }
	ctx := context.Background()

	t.Run("platforms", func(t *testing.T) {
		t.Parallel()
		mw := &faultMiddleware{kinds: []string{"head", "get"}, when: always, fail: manifestAnswer(unknownType, unknownBody, true)}
		r := faultRegistry(t, []*faultMiddleware{mw})
		c := faultClient(t, Config{MaxRetries: 3})
		_, err := c.Platforms(ctx, repoOf(t, repo(r)), "3-latest")
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), `unsupported media type "`+unknownType+`"`) {
			t.Fatalf("got %v", err)
		}
		if r.Counts().Get != 1 {
			t.Errorf("%d GETs; an unusable manifest is not retried", r.Counts().Get)
		}
		// A HEAD naming that type is not pinned either: it says no
		// image, and the GET refuses it.
		d, err := c.Head(ctx, repoOf(t, repo(r)), "3-latest")
		if err == nil || !strings.Contains(err.Error(), `unsupported media type "`+unknownType+`"`) {
			t.Errorf("Head: %+v, %v; want an error naming %s (%s)", d, err, unknownType, unknownDigest)
		}
	})
	t.Run("HEAD without digest", func(t *testing.T) {
		t.Parallel()
		mw := &faultMiddleware{kinds: []string{"head", "get"}, when: always, fail: manifestAnswer(unknownType, unknownBody, false)}
		r := faultRegistry(t, []*faultMiddleware{mw})
		_, err := faultClient(t, Config{MaxRetries: 3}).Head(ctx, repoOf(t, repo(r)), "3-latest")
		if err == nil || !strings.Contains(err.Error(), "unsupported media type") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("schema 1", func(t *testing.T) {
		t.Parallel()
		mw := &faultMiddleware{kinds: []string{"head", "get"}, when: always, fail: manifestAnswer(
			"application/vnd.docker.distribution.manifest.v1+prettyjws", `{"schemaVersion":1,"name":"prefecthq/prefect","tag":"3-latest","fsLayers":[]}`, true)}
		r := faultRegistry(t, []*faultMiddleware{mw})
		_, err := faultClient(t, Config{MaxRetries: 3}).Platforms(ctx, repoOf(t, repo(r)), "3-latest")
		if err == nil || !strings.Contains(err.Error(), "schema 1") {
			t.Fatalf("got %v", err)
		}
	})
}

// dropDigest removes Docker-Content-Digest from the registry's answers.
func dropDigest(w http.ResponseWriter, r *http.Request, next http.Handler) {
	next.ServeHTTP(noDigestWriter{w}, r)
}

// A HEAD without Docker-Content-Digest: the manifest is read with a GET and
// hashed, and read by that digest (the GET by tag named none either),
// giving the registry's digest; a malformed digest is an error.
func TestFaultHeadWithoutDigest(t *testing.T) {
	t.Parallel()
	mw := &faultMiddleware{kinds: []string{"head", "get"}, when: always, fail: dropDigest}
	r := faultRegistry(t, []*faultMiddleware{mw})
	c := faultClient(t, Config{MaxRetries: 1})
	d, err := c.Head(context.Background(), repoOf(t, r.Host()+"/"+faultRepo), "3.5.0-python3.12")
	if want, _ := r.Digest(faultRepo, "3.5.0-python3.12"); err != nil || d.Digest != want {
		t.Fatalf("got %+v, %v; want %s", d, err, want)
	}
	if cnt := r.Counts(); cnt.Head != 1 || cnt.Get != 2 {
		t.Errorf("counts %+v; want one HEAD and two GETs", cnt)
	}

	bad := &faultMiddleware{kinds: []string{"head"}, when: always, fail: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Docker-Content-Digest", "sha256:not-hex")
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
	}}
	r2 := faultRegistry(t, []*faultMiddleware{bad})
	_, err = faultClient(t, Config{MaxRetries: 1}).Head(context.Background(), repoOf(t, r2.Host()+"/"+faultRepo), "3-latest")
	if err == nil || !strings.Contains(err.Error(), `invalid Docker-Content-Digest "sha256:not-hex"`) {
		t.Fatalf("got %v", err)
	}
}

// challengeRecorder keeps the WWW-Authenticate headers the registry sends.
type challengeRecorder struct {
	mu         sync.Mutex
	challenges []string
}

func (c *challengeRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&challengeWriter{ResponseWriter: w, rec: c}, r)
	})
}

type challengeWriter struct {
	http.ResponseWriter
	rec *challengeRecorder
}

func (w *challengeWriter) WriteHeader(code int) {
	if v := w.Header().Get("WWW-Authenticate"); v != "" {
		w.rec.mu.Lock()
		w.rec.challenges = append(w.rec.challenges, v)
		w.rec.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Docker Hub's token flow: the ping gets 401 with a Bearer challenge naming
// the realm and service, the token endpoint is asked for the repository's
// pull scope with the credentials, and the token then opens every request.
func TestFaultTokenFlow(t *testing.T) {
	t.Parallel()
	const user, password = "ci-bot", "t0ken-flow-Passw0rd"
	ch := &challengeRecorder{}
	r := seeded(t, faultTags, registrytest.WithBearerAuth(user, password), registrytest.WithMiddleware(ch.wrap))
	logs := &logRecorder{}
	c := faultClient(t, Config{MaxRetries: 1, Credentials: []Credential{{Host: r.Host(), Username: user, Password: password}}, Logger: logs})
	if err := resolveAll(t, c, r); err != nil {
		t.Fatal(err)
	}
	reqs := r.Requests()
	if len(reqs) < 3 || reqs[0] != "GET /v2/" || !strings.HasPrefix(reqs[1], "GET /token?") {
		t.Fatalf("requests %v; want the ping, then the token", reqs)
	}
	for _, want := range []string{"scope=repository%3Aprefecthq%2Fprefect%3Apull", "service=registrytest"} {
		if !strings.Contains(reqs[1], want) {
			t.Errorf("token request %q lacks %s", reqs[1], want)
		}
	}
	if len(ch.challenges) == 0 || !strings.HasPrefix(ch.challenges[0], `Bearer realm="`+r.URL()+`/token",service="registrytest"`) {
		t.Errorf("challenges %v", ch.challenges)
	}
	if cnt := r.Counts(); cnt.Ping != 1 || cnt.Token != 1 {
		t.Errorf("counts %+v; want one ping and one token for the whole resolution", cnt)
	}
	if text := logs.text(); strings.Contains(text, r.Token()) || strings.Contains(text, password) {
		t.Errorf("the log holds the token or the password:\n%s", text)
	}
}

// A token endpoint that fails: 500 on every attempt is retried, then an
// error naming the registry and the status within the budget; 401 (wrong
// password) is not retried and says where the credentials came from.
func TestFaultTokenEndpointFails(t *testing.T) {
	const user, password = "ci-bot", "t0ken-flow-Passw0rd"
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		mw := &faultMiddleware{kinds: []string{"token"}, when: always, fail: status(http.StatusInternalServerError)}
		r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth(user, password))
		// In memory, on synctest's clock (memoryFaultClient): over the
		// network a loaded machine timed out a healthy ping within the 1s,
		// and the token endpoint was asked fewer times than counted.
		var err error
		synctest.Test(t, func(t *testing.T) {
			c := memoryFaultClient(t, r, Config{MaxRetries: 2, RequestTimeout: time.Second, Credentials: []Credential{{Host: r.Host(), Username: user, Password: password}}})
			start := time.Now()
			_, err = c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
			withinBudget(t, start, c)
		})
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusInternalServerError {
			t.Fatalf("got %v, want an *Error with status 500", err)
		}
		if !strings.Contains(err.Error(), r.Host()) || !strings.Contains(err.Error(), "after 3 attempts") || strings.Contains(err.Error(), password) {
			t.Errorf("message %s", err)
		}
		if n := r.Counts().Token; n != 3 {
			t.Errorf("%d token requests, want 3", n)
		}
		if r.Counts().ListPage != 0 {
			t.Error("the tag list was asked for without a token")
		}
	})
	t.Run("401", func(t *testing.T) {
		t.Parallel()
		r := faultRegistry(t, nil, registrytest.WithBearerAuth(user, password))
		c := faultClient(t, Config{MaxRetries: 3, Credentials: []Credential{{Host: r.Host(), Username: user, Password: "not-the-" + password}}})
		_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
		if !IsUnauthorized(err) {
			t.Fatalf("got %v, want 401", err)
		}
		if !strings.Contains(err.Error(), "configured credentials for "+r.Host()) || strings.Contains(err.Error(), password) {
			t.Errorf("message %s", err)
		}
		if n := r.Counts().Token; n != 1 {
			t.Errorf("%d token requests; a 401 is not retried", n)
		}
	})
}

// Cancelling the caller's context stops the request in flight: the server
// sees its request's context end, and the caller gets context.Canceled at
// once, for every kind of request.
func TestFaultCancelStopsInFlightRequest(t *testing.T) {
	for _, kind := range []string{"ping", "token", "list", "head", "get"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			arrived := make(chan struct{})
			ended := make(chan struct{})
			var once sync.Once
			mw := &faultMiddleware{kinds: []string{kind}, when: always, fail: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
				once.Do(func() { close(arrived) })
				select {
				case <-r.Context().Done():
					close(ended)
				case <-time.After(10 * time.Second):
				}
			}}
			r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth("u", "p"))
			c := faultClient(t, Config{MaxRetries: 3, RequestTimeout: 10 * time.Second, Credentials: []Credential{{Host: r.Host(), Username: "u", Password: "p"}}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				repo := r.Host() + "/" + faultRepo
				var err error
				switch kind {
				case "head":
					_, err = c.Head(ctx, repoOf(t, repo), "3-latest")
				case "get":
					_, err = c.Platforms(ctx, repoOf(t, repo), "3-latest")
				default:
					_, err = c.ListTags(ctx, repoOf(t, repo))
				}
				errc <- err
			}()
			select {
			case <-arrived:
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s request arrived", kind)
			}
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
					t.Errorf("got %v, want a cancellation", err)
				}
			case <-time.After(time.Second):
				t.Fatal("the call did not return within 1s of the cancellation")
			}
			select {
			case <-ended:
			case <-time.After(time.Second):
				t.Fatal("the server did not see the request end within 1s of the cancellation")
			}
			if n := mw.seen.Load(); n != 1 {
				t.Errorf("%d %s requests; nothing is retried after a cancellation", n, kind)
			}
		})
	}
}
