package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// sameHost folds each side's default port by that side's own scheme: a
// plain-HTTP registry on its default port and an HTTPS URL of the same
// host on 443 are one host, and an explicit port never matches another
// scheme's default, for names and IPv6 addresses alike.
func TestSameHostFoldsEachSidesDefaultPort(t *testing.T) {
	for _, tc := range []struct {
		a, schemeA, b, schemeB string
		want                   bool
	}{
		{"registry.test", "http", "registry.test:443", "https", true},
		{"registry.test:80", "http", "registry.test", "https", true},
		{"registry.test:443", "https", "registry.test:80", "http", true},
		{"registry.test", "https", "registry.test:80", "https", false},
		{"registry.test:443", "http", "registry.test", "https", false},
		{"registry.test", "http", "registry.test:80", "https", false},
		{"[fd00::1]:443", "https", "[fd00::1]", "https", true},
		{"[fd00::1]", "http", "[fd00::1]:80", "http", true},
		{"[fd00::1]:443", "http", "[fd00::1]", "http", false},
		{"[fd00::1]:5000", "https", "[fd00::1]", "https", false},
	} {
		if got := sameHost(tc.a, tc.schemeA, tc.b, tc.schemeB); got != tc.want {
			t.Errorf("sameHost(%s %s, %s %s) = %v, want %v", tc.schemeA, tc.a, tc.schemeB, tc.b, got, tc.want)
		}
	}
}

// A ping answered 503 with a Retry-After is retried after that wait, not
// after the backoff: go-containerregistry's handshake error lacks the
// header, which repositoryPing noted.
func TestPingRetryAfterWaited(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.setTags("acme/x", []string{"a"})
	var pings atomic.Int32
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if f.kind(r) != "ping" {
			return false
		}
		if pings.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
			return true
		}
		return false
	}
	waits := listingWaits(t, f, 2)
	if len(waits) != 1 || waits[0] != 7*time.Second {
		t.Errorf("waited %v, want one wait of the ping's Retry-After, 7s", waits)
	}
}

// A token service's 400 is its fault, named as such, as every error
// answer but a refusal of the credentials (401, 403) is; a 403 is the
// refusal, never said to be a fault of the token service.
func TestTokenServiceRefusalOrFault(t *testing.T) {
	for _, tc := range []struct {
		status    int
		want, not string
	}{
		{http.StatusBadRequest, "the registry's token service (auth.zoo.test) answered HTTP 400 Bad Request", ""},
		{http.StatusForbidden, "HTTP 403 Forbidden: the credentials do not grant pull access", "token service"},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			reg := &expiringRegistry{life: 4, tags: expiringTags(), store: newZooStore()}
			ts := &issuer{fail: func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
				writeRegError(w, tc.status, "FAULT", http.StatusText(tc.status))
				return true
			}}
			c, _, _ := expiryClient(t, reg, ts, stallingHosts{}, 300*time.Millisecond)
			_, err := c.ListTags(context.Background(), repoOf(t, expHost+"/"+zooRepo))
			if err == nil {
				t.Fatal("listed; want the token service's answer")
			}
			if msg := err.Error(); tc.want != "" && !strings.Contains(msg, tc.want) || tc.not != "" && strings.Contains(msg, tc.not) {
				t.Errorf("%s\nwant %q in it, and not %q", msg, tc.want, tc.not)
			}
		})
	}
}

// What Client.scrub removes, secret by secret: a configured password
// (each time it is said) and the Basic credentials it makes, from the
// Client's start (before either is sent); a proxy's password; a secret whose only escape is a space
// written +; and of two secrets, one inside the other, the longer whole,
// plain or escaped.
func TestScrubEachSecret(t *testing.T) {
	const user, password = "robot", "pa55word-of-robot"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	c := newTestClient(t, Config{Credentials: []Credential{{Host: "registry.test", Username: user, Password: password}}})
	c.proxy = func(*http.Request) (*url.URL, error) {
		return url.Parse("http://proxy-user:proxy-pa55@proxy.test:3128")
	}
	req, _ := http.NewRequest(http.MethodGet, "https://registry.test/v2/", nil)
	if _, err := c.proxyFor(req); err != nil {
		t.Fatal(err)
	}
	c.addSecret("two words")
	c.addSecret("inner")       // added first, inside the next
	c.addSecret("inner-outer") // and longer
	c.addSecret("in er")       // likewise, escaped
	c.addSecret("in er and out er")
	for _, tc := range []struct{ text, want string }{
		{"said " + password, "said [redacted]"},
		{password + " said twice " + password, "[redacted] said twice [redacted]"},
		{"Basic " + basic, "Basic [redacted]"},
		{"proxy said proxy-pa55", "proxy said [redacted]"},
		{"/v2/x/tags/list?echo=two+words", "/v2/x/tags/list?echo=[redacted]"},
		{"quoted inner-outer", "quoted [redacted]"},
		{"echo=in+er+and+out+er", "echo=[redacted]"},
	} {
		if got := c.scrub(tc.text); got != tc.want {
			t.Errorf("scrub(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// Which statuses are retried: 408, 429 and the 5xx of a server or gateway
// that may mend; never another 4xx, nor a 501 (it will not be
// implemented on the next attempt).
func TestRetryableStatusEach(t *testing.T) {
	retried := map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true}
	for status := 400; status <= 511; status++ {
		if status == 418 {
			continue
		}
		if got := retryableStatus(status); got != retried[status] {
			t.Errorf("retryableStatus(%d) = %v, want %v", status, got, retried[status])
		}
	}
}

// A Retry-After shorter than the backoff waits the backoff: 1s is asked
// for by each of four 503s, and the fourth retry's backoff (1.6s, less at
// most 25%) is longer.
func TestRetryAfterShorterThanBackoffWaitsBackoff(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && lists.Add(1) <= 4 {
			w.Header().Set("Retry-After", "1")
			writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
			return true
		}
		return false
	}))
	f.setTags("acme/x", []string{"a"})
	waits := listingWaits(t, f, 5)
	if len(waits) != 4 || waits[0] != time.Second || waits[3] < retryBase*8*3/4 {
		t.Errorf("waited %v; want 1s first and at least %v (the backoff) fourth", waits, retryBase*8*3/4)
	}
}

// A backoff that no longer fits in the time left ends the request, which
// says that the time allowed ran out: 20 retries allowed, 1.05s in all,
// and the third backoff (0.6s at least) outlasts what the first two
// (0.45s at least) leave: 0.6s at most.
func TestBackoffPastBudgetSaysTimeRanOut(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			return false
		}
		writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
		return true
	}))
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 20, RequestTimeout: 50 * time.Millisecond})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if err == nil || !strings.Contains(err.Error(), "allowed ran out") {
			t.Errorf("got %v; want the 503, and that the time allowed ran out", err)
		}
	})
}

// An error answer of exactly maxErrorBody bytes is read and quoted; only
// a longer one is dropped.
func TestErrorBodyAtTheLimitQuoted(t *testing.T) {
	noDockerConfig(t)
	for _, size := range []int{maxErrorBody, maxErrorBody + 1} {
		head := `{"errors":[{"code":"DENIED","message":"refused at the limit"}],"pad":"`
		body := head + strings.Repeat("x", size-len(head)-2) + `"}`
		f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, body)
			return true
		}))
		c := newTestClient(t, Config{MaxRetries: 0})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if statusOf(err) != http.StatusForbidden {
			t.Fatalf("%d bytes: got %v, want the 403", size, err)
		}
		if quoted := strings.Contains(err.Error(), "refused at the limit"); quoted != (size <= maxErrorBody) {
			t.Errorf("%d bytes: quoted %v, want %v: %s", size, quoted, size <= maxErrorBody, err)
		}
	}
}

// listingWaits lists acme/x on f with maxRetries and returns the waits
// between its attempts, which it does not take.
func listingWaits(t *testing.T, f *fake, maxRetries int) []time.Duration {
	t.Helper()
	c := newTestClient(t, Config{MaxRetries: maxRetries, RequestTimeout: time.Minute})
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	return waits
}

// Every secret a Docker config entry can hold is scrubbed once the
// keychain hands it over, whether or not it is ever sent in a header:
// the password, the auth field (kept as written here), the identity
// token (sent in an OAuth form body) and the registry token.
func TestKeychainEntrySecretsScrubbed(t *testing.T) {
	cfg := authn.AuthConfig{Username: "u", Password: "config-pass", Auth: "auth-field-as-written", IdentityToken: "identity-tok", RegistryToken: "registry-tok"}
	c := newTestClient(t, Config{Keychain: keychainFunc(func(authn.Resource) (authn.Authenticator, error) {
		return authn.FromConfig(cfg), nil
	})})
	if _, _, err := c.authenticator(context.Background(), repoOf(t, "registry.test/acme/x")); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken} {
		if got := c.scrub("said " + secret); got != "said [redacted]" {
			t.Errorf("scrub kept %q: %q", secret, got)
		}
	}
}

// Redirects are followed 9 times and the 10th is refused, so that a
// registry redirecting without end is asked 10 times, as net/http's own
// limit would, and not again on a retry (every try would be redirected
// alike). The error names the host and the last redirect's whole address
// (net/http names its Location as written, here a path alone), and does
// not send the user to the address or the network, which answered.
func TestTenthRedirectRefused(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			return false
		}
		http.Redirect(w, r, fmt.Sprintf("%s?n=%d", r.URL.Path, lists.Add(1)), http.StatusFound)
		return true
	}))
	c := newTestClient(t, Config{MaxRetries: 3})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err == nil || lists.Load() != 10 {
		t.Fatalf("%d requests, %v; want 10 and the redirects refused", lists.Load(), err)
	}
	last := fmt.Sprintf("%s/v2/acme/x/tags/list?n=10", f.srv.URL)
	msg := err.Error()
	for _, want := range []string{"HTTP 302", "redirected the request 10 times, the last time to " + last, "its redirects do not end", "ask the registry's operator"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "Check the registry address") {
		t.Errorf("error %q sends the user to the address, which answered", msg)
	}
}

// A connection closed before any answer (io.EOF, as net/http reports a
// server that hung up on a reused connection) is retried.
func TestEOFRetried(t *testing.T) {
	if !retryable(&url.Error{Op: "Get", URL: "https://registry.test/v2/", Err: io.EOF}) {
		t.Error("io.EOF is not retried")
	}
}

// A request whose Retry-After asked to wait past its time is not sent
// again in the run: a later caller gets its error at once.
func TestRetryAfterPastBudgetNotSentAgain(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			return false
		}
		lists.Add(1)
		w.Header().Set("Retry-After", "3600")
		writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
		return true
	}))
	c := newTestClient(t, Config{MaxRetries: 2})
	for range 2 {
		if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err == nil {
			t.Fatal("listed")
		}
	}
	if n := lists.Load(); n != 1 {
		t.Errorf("%d list requests; want 1, the second caller answered with the first's error", n)
	}
}
