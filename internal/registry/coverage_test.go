package registry

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Tests that reach branches no other test of the package reached (found by
// coverage), each a registry behaviour or fault the branch handles.

// lexicalPage serves the page of up to n sorted tags after last, with a
// Link to the next one made by link (nil for none).
func lexicalPage(w http.ResponseWriter, r *http.Request, sorted []string, n int, last string, link func(last string) string) {
	start, found := slices.BinarySearch(sorted, last)
	if found {
		start++
	}
	end := min(start+n, len(sorted))
	if end < len(sorted) && link != nil {
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, link(sorted[end-1])))
	}
	writeTags(w, sorted[start:end])
}

// A lexical registry that answers the last of one split point, a name
// that is no tag, from a tag further on (as CNCF distribution v3.0.0
// answers some): the piece read from there does not join the piece before
// it, and the range is read from the whole list, with the tag that answer
// skipped.
func TestRangePiecesThatDoNotJoinAreReadWhole(t *testing.T) {
	noDockerConfig(t)
	tags := []string{"1.0", "1.1", "2.0", "2.1", "3.0", "3.1", "4.0"}
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		last := q.Get("last")
		if last == "3." {
			last = "3.0" // skips 3.0
		}
		lexicalPage(w, r, tags, n, last, func(last string) string {
			return url.Values{"n": {q.Get("n")}, "last": {last}}.Encode()
		})
	})
	c := newTestClient(t, Config{})
	c.pageSize = 2
	got, err := c.ListTagRange(context.Background(), repoOf(t, s.repo()), TagRange{After: "0", Before: "9", Splits: []string{"2.", "3."}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, tags) {
		t.Errorf("got %q, want %q", got, tags)
	}
}

// A registry that refuses n (400) and links its pages with n=0, as GHCR
// does, but answers n=0 as the distribution spec says, with no tags: the
// listing, which sends no n since the refusal, follows the Links without
// n and reads every page.
func TestLinkWithNZeroFollowedWithoutNWhenNIsRefused(t *testing.T) {
	noDockerConfig(t)
	tags := []string{"1.0", "1.1", "2.0", "2.1", "3.0"}
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("n") == "0":
			writeTags(w, []string{})
		case q.Has("n"):
			writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "n is not allowed")
		default:
			lexicalPage(w, r, tags, 2, q.Get("last"), func(last string) string {
				return "last=" + url.QueryEscape(last) + "&n=0"
			})
		}
	})
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, tags) {
		t.Errorf("got %q, want %q", got, tags)
	}
}

// A Link that is no URL, or that leaves HTTPS for plain HTTP on the
// registry's own host, stops the listing with an error saying so.
func TestLinkNotURLOrToPlainHTTP(t *testing.T) {
	noDockerConfig(t)
	for name, tc := range map[string]struct {
		link string // %s is the registry's host
		want string
	}{
		"not a URL":     {`<%%zz>; rel="next"`, "is not a URL"},
		"to plain HTTP": {`<http://%s/v2/prefecthq/prefect/tags/list?last=1.0>; rel="next"`, "leaves HTTPS for plain HTTP"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, withTLS(), withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/tags/list") {
					return false
				}
				if r.URL.Query().Get("last") == "" {
					link := tc.link
					if strings.Contains(link, "%s") {
						link = fmt.Sprintf(link, r.Host)
					}
					w.Header().Set("Link", link)
					writeTags(w, []string{"1.0"})
				} else {
					writeTags(w, []string{"2.0"})
				}
				return true
			}))
			c := newTestClient(t, Config{InsecureHosts: []string{f.host}})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// served is a manifest or blob a hook serves: its Content-Type and body,
// without Docker-Content-Digest.
type served struct {
	ct   string
	body string
}

// serving is a registry that answers the manifests and blobs of acme/x
// from m (keyed "manifests/<ref>" or "blobs/<digest>"), a manifest of m
// also by its sha256 digest, and 404 for others.
func serving(t *testing.T, m map[string]served) *fake {
	return newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		rest, ok := strings.CutPrefix(r.URL.Path, "/v2/acme/x/")
		if !ok || (!strings.HasPrefix(rest, "manifests/") && !strings.HasPrefix(rest, "blobs/")) {
			return false
		}
		s, ok := m[rest]
		for k, v := range m {
			if !ok && strings.HasPrefix(k, "manifests/") && rest == "manifests/"+sha([]byte(v.body)) {
				s, ok = v, true
			}
		}
		if !ok {
			writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "not found")
			return true
		}
		w.Header().Set("Content-Type", s.ct)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(s.body))
		}
		return true
	}))
}

// A manifest GET whose body is JSON but no manifest object, or one that
// says schemaVersion 1, or whose mediaType field contradicts its
// Content-Type, is refused: no digest of it is pinned.
func TestHeadRefusesManifestBodiesThatAreNoManifest(t *testing.T) {
	noDockerConfig(t)
	oci, index := string(types.OCIManifestSchema1), string(types.OCIImageIndex)
	for name, tc := range map[string]struct {
		m    served
		want string
	}{
		"an array":         {served{index, `[]`}, "not valid JSON"},
		"schema 1":         {served{oci, `{"schemaVersion":1,"name":"acme/x","tag":"t","fsLayers":[]}`}, "schema 1"},
		"index says image": {served{index, `{"schemaVersion":2,"mediaType":"` + oci + `"}`}, "its mediaType field says"},
	} {
		t.Run(name, func(t *testing.T) {
			f := serving(t, map[string]served{"manifests/t": tc.m})
			d, err := newTestClient(t, Config{}).Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %+v, %v; want an error saying %q", d, err, tc.want)
			}
		})
	}
}

// Platforms refuses an image manifest, an image config or an index that
// parses as JSON but not as what it is, a nested index that is missing,
// and an index entry named an index that is an image.
func TestPlatformsRefusesUnreadableParts(t *testing.T) {
	noDockerConfig(t)
	docker, index := string(types.DockerManifestSchema2), string(types.OCIImageIndex)
	badConfig := `{"os":5}`
	image := func(config string) string {
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":%q,"size":%d,"digest":%q},"layers":[]}`,
			docker, types.DockerConfigJSON, len(config), sha([]byte(config)))
	}
	goodConfig := `{"os":"linux","architecture":"amd64"}`
	img := image(goodConfig)
	entry := func(digest string) string {
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"manifests":[{"mediaType":%q,"size":10,"digest":%q,"platform":{"os":"linux","architecture":"amd64"}}]}`,
			index, index, digest)
	}
	for name, tc := range map[string]struct {
		m    map[string]served
		want string
	}{
		"image manifest": {map[string]served{"manifests/t": {docker, `{"schemaVersion":2,"config":{"digest":"nope"}}`}}, "the image manifest cannot be read"},
		"image config": {map[string]served{
			"manifests/t":                     {docker, image(badConfig)},
			"blobs/" + sha([]byte(badConfig)): {"application/json", badConfig},
		}, "the image config cannot be read"},
		"index":          {map[string]served{"manifests/t": {index, `{"schemaVersion":2,"manifests":[{"digest":"nope"}]}`}}, "the image index cannot be read"},
		"missing nested": {map[string]served{"manifests/t": {index, entry(sha([]byte("gone")))}}, "does not exist"},
		"nested image": {map[string]served{
			"manifests/t":                   {index, entry(sha([]byte(img)))},
			"manifests/" + sha([]byte(img)): {docker, img},
		}, "an index, but it is a"},
	} {
		t.Run(name, func(t *testing.T) {
			f := serving(t, tc.m)
			p, err := newTestClient(t, Config{}).Platforms(context.Background(), repoOf(t, f.repo("acme/x")), "t")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %+v, %v; want an error saying %q", p, err, tc.want)
			}
		})
	}
}

// ParseRepository refuses, saying what to write instead: credentials
// before the host (never quoted), a bracketed host without a repository, a
// bracketed host followed by something other than a port, and brackets
// around what is no IPv6 address. New refuses an insecure host that is
// empty once its scheme is taken off.
func TestParseRepositoryRefusals(t *testing.T) {
	for in, want := range map[string]string{
		"user:s3cret-pw@ghcr.io/acme/prefect": "holds credentials",
		"s3cret-tok@ghcr.io/acme/prefect":     "holds credentials",
		"[::1]:5000":                          "looks like a registry host",
		"[::1]x/acme/prefect":                 "is not host[:port]",
		"[10.0.0.1]/acme/prefect":             "does not hold an IPv6 address",
		"[::0.0.0.0]/0":                       "in dotted form",
		"[::10.0.0.1]:5000/acme/prefect":      "in dotted form",
	} {
		_, err := ParseRepository(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRepository(%q): %v, want an error saying %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseRepository(%q) quotes the password: %v", in, err)
		}
	}
	if _, err := New(Config{InsecureHosts: []string{"https://"}}); err == nil || !strings.Contains(err.Error(), "the host is empty") {
		t.Errorf("New with the insecure host https://: %v, want an error saying the host is empty", err)
	}
}

// localhost, a name under .localhost and loopback addresses, with or
// without a port, are loopback hosts, whose registries may be reached over
// plain HTTP. (go-containerregistry's own fallback, Registry.Scheme, takes
// "localhost:port", names under .localhost, 127.0.0.1 and ::1, but neither
// localhost on the default port nor the rest of 127.0.0.0/8.)
func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "registry.localhost:5000": true, "LOCALHOST:80": true,
		"127.0.0.2": true, "[::1]:5000": true,
		"localhost.example.com": false, "ghcr.io": false, "10.0.0.1:5000": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// A DNS answer its resolver calls temporary, and a connection-level
// timeout (a dial's, a TLS handshake's) that is no context's, are retried;
// a name that does not exist is not.
func TestRetryableNetworkErrors(t *testing.T) {
	for err, want := range map[error]bool{
		&net.DNSError{Err: "server misbehaving", IsTemporary: true}: true,
		&net.DNSError{Err: "no such host", IsNotFound: true}:        false,
		&net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}:       true,
	} {
		if got := retryable(err); got != want {
			t.Errorf("retryable(%v) = %v, want %v", err, got, want)
		}
	}
}

// The caller's own deadline, passed before any request, is said to be
// the caller's, not a registry's silence; a 5xx retried until the time
// allowed ran out says so, and one whose Retry-After asks for longer than
// is left says what it asked.
func TestErrorSaysWhoseTimeRanOut(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.pushImage("acme/x", "t", "linux/amd64")
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := newTestClient(t, Config{}).Head(ctx, repoOf(t, f.repo("acme/x")), "t")
	if err == nil || !strings.Contains(err.Error(), "the caller's deadline passed") {
		t.Errorf("a deadline passed before the request: %v", err)
	}

	for name, tc := range map[string]struct {
		retryAfter string
		want       string
	}{
		"backoff past the time": {"", "allowed ran out"},
		"long Retry-After":      {"3600", "its Retry-After asked to wait 1h0m0s, more than the"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/tags/list") {
					return false
				}
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
				return true
			}))
			// 1 s × 11 allowed: the waits are not taken, and the eighth
			// backoff (at least 19.2 s) no longer fits.
			c := newTestClient(t, Config{RequestTimeout: time.Second, MaxRetries: 10})
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if statusOf(err) != http.StatusServiceUnavailable || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a 503 saying %q", err, tc.want)
			}
		})
	}
}

// Head refuses a reference that is no tag before sending anything.
func TestHeadRefusesInvalidTag(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	_, err := newTestClient(t, Config{}).Head(context.Background(), repoOf(t, f.repo("acme/x")), "-x")
	if err == nil || !strings.Contains(err.Error(), "is not a valid tag") || f.count("head")+f.count("ping") != 0 {
		t.Errorf("got %v after %d requests; want an invalid tag, and no request", err, f.count("head")+f.count("ping"))
	}
}

// An IPv6 registry's address compares equal written with or without
// brackets, and with its scheme's default port, wherever hosts are
// matched: insecure hosts, credentials, redirects and Links; another port
// does not.
func TestIPv6HostsCompare(t *testing.T) {
	c := newTestClient(t, Config{InsecureHosts: []string{"[fd00::1]", "[fd00::2]:5000"}})
	for addr, want := range map[string]bool{
		"[fd00::1]:443": true, "[fd00::1]:80": true, "[fd00::1]:5000": false,
		"[fd00::2]:5000": true, "[fd00::2]:443": false,
	} {
		if got := c.insecureAddr(addr); got != want {
			t.Errorf("insecureAddr(%q) = %v, want %v", addr, got, want)
		}
	}
	if !c.insecureRegistry("[FD00::1]") || c.insecureRegistry("[fd00::2]") {
		t.Error("insecureRegistry: [FD00::1] should be listed, [fd00::2] (no port) not")
	}
	if !SameCredentialHost("[fd00::1]", "https://[FD00::1]/") || SameCredentialHost("[fd00::1]", "[fd00::1]:5000") {
		t.Error("SameCredentialHost: [fd00::1] should match https://[FD00::1]/ and not [fd00::1]:5000")
	}
	// sameHost's IPv6 rows are in TestSameHostFoldsEachSidesDefaultPort.
}

// A token service's answer over 64 KiB is refused once, naming the token
// service: not taken for a body cut short and asked again.
func TestTokenAnswerOver64KiBIsNotAskedAgain(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("u", "p"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/token" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"tok","padding":%q}`, strings.Repeat("x", 70<<10))
		return true
	}))
	f.setTags("acme/x", []string{"1.0"})
	c := newTestClient(t, Config{MaxRetries: 2, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err == nil || !strings.Contains(err.Error(), "token service ("+f.host+") is larger than 64 KiB") || f.count("token") != 1 {
		t.Errorf("got %v after %d token requests; want the refusal, naming the token service, after 1", err, f.count("token"))
	}
}

// A ping refused 404 whose tag list probe fails on the network leaves the
// ping's answer to the handshake, which fails on it.
func TestPingProbeNetworkErrorKeepsThePingsAnswer(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.URL.Path == "/v2/":
			writeRegError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		default:
			return false
		}
		return true
	}))
	_, err := newTestClient(t, Config{MaxRetries: 0}).ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if statusOf(err) != http.StatusNotFound {
		t.Errorf("got %v, want the ping's 404", err)
	}
}

// A tag list page of 16 MiB exactly is read; one byte more is refused as
// larger than 16 MiB. (In memory, timed by a synctest clock:
// inMemoryBodies.)
func TestTagListPageAt16MiB(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		size int
		ok   bool
	}{{16 << 20, true}, {16<<20 + 1, false}} {
		head := `{"name":"prefecthq/prefect","tags":["3.1.0"]`
		body := head + strings.Repeat(" ", tc.size-len(head)-1) + "}"
		synctest.Test(t, func(t *testing.T) {
			c, ref := inMemoryBodies(t, Config{MaxRetries: 0}, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) })
			tags, err := c.ListTags(context.Background(), ref)
			if tc.ok && (err != nil || len(tags) != 1) || !tc.ok && (err == nil || !strings.Contains(err.Error(), "larger than 16 MiB")) {
				t.Errorf("a page of %d bytes: %v, %v", tc.size, tags, err)
			}
		})
	}
}

// A manifest over 16 MiB is refused once, saying so: not taken for a
// body cut short and asked again. (In memory, timed by a synctest clock,
// as inMemoryBodies says.)
func TestManifestOver16MiBIsRefusedOnce(t *testing.T) {
	noDockerConfig(t)
	big := `{"schemaVersion":2,"padding":"` + strings.Repeat("x", 16<<20) + `"}`
	f := serving(t, map[string]served{"manifests/t": {string(types.OCIImageIndex), big}})
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 2})
		c.sleep = func(context.Context, time.Duration) error { return nil }
		_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
		if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") || f.count("get") != 1 {
			t.Errorf("got %v after %d GETs; want a refusal after 1", err, f.count("get"))
		}
	})
}

// An error answer read when the listing's bytes are spent ends it on
// that bound, not on the answer's status. (In memory, timed by a synctest
// clock: inMemoryBodies.)
func TestErrorAnswerPastTheBytesBound(t *testing.T) {
	noDockerConfig(t)
	pad := strings.Repeat(" ", 16<<20-100)
	synctest.Test(t, func(t *testing.T) {
		c, ref := inMemoryBodies(t, Config{MaxRetries: 0}, func(w http.ResponseWriter, r *http.Request) {
			k, _ := strconv.Atoi(r.URL.Query().Get("last"))
			if k == 4 {
				writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", strings.Repeat("busy ", 1000))
				return
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s?last=%d>; rel="next"`, r.URL.Path, k+1))
			fmt.Fprintf(w, `{"tags":["%d"]%s}`, k+1, pad)
		})
		_, err := c.ListTags(context.Background(), ref)
		_ = limitErrorOf(t, err, "bytes") // it fails the test unless err is the bytes bound
	})
}

// inMemoryBodies is a Client of cfg (newTestClient's request timeout,
// 5 s) whose registry, at zooHost, answers its ping 200 and every other
// request with h, in memory, and the repository prefecthq/prefect there.
// Called inside a synctest bubble, whose clock times the request timeout
// and moves only while every goroutine of the bubble waits: answers of
// 16 MiB, read and checked in well under a second on an idle machine,
// are then never past it, however slow the machine. Served over the
// loopback network, under the race detector on a loaded machine, such an
// answer took more than 5 s, and a test of a bound of bytes failed with
// "no answer within the request timeout of 5s".
func inMemoryBodies(t *testing.T, cfg Config, h http.HandlerFunc) (*Client, Repository) {
	t.Helper()
	c := newTestClient(t, cfg)
	c.base = handlerTransport{h}
	return c, repoOf(t, zooHost+"/prefecthq/prefect")
}

// A narrowed range whose first page fails is an error after max_retries,
// not asked again by the reading that goes on.
func TestRangeFirstPageFailureIsAnError(t *testing.T) {
	noDockerConfig(t)
	tags := []string{"1.0", "1.1", "2.0", "2.1", "3.0", "3.1", "4.0"}
	var failed atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("last") == "3." {
			failed.Add(1)
			writeRegError(w, http.StatusInternalServerError, "UNKNOWN", "broken")
			return
		}
		n, _ := strconv.Atoi(q.Get("n"))
		lexicalPage(w, r, tags, n, q.Get("last"), func(last string) string {
			return url.Values{"n": {q.Get("n")}, "last": {last}}.Encode()
		})
	})
	c := newTestClient(t, Config{MaxRetries: 0})
	c.pageSize = 2
	ctx, repo := context.Background(), repoOf(t, s.repo())
	if _, err := c.ListTagRange(ctx, repo, TagRange{After: "2.", Before: "3."}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ListTagRange(ctx, repo, TagRange{After: "3.", Before: "4."})
	if statusOf(err) != http.StatusInternalServerError || failed.Load() != 1 {
		t.Errorf("got %v after %d requests for last=3.; want a 500 after 1", err, failed.Load())
	}
}

// A path with upper-case letters whose lower-case spelling is no
// repository either ("Acme-" lowered is "acme-", which ends in '-') is
// refused without suggesting that spelling, which would be refused too.
func TestParseRepositoryUpperCaseWithoutValidLowerCase(t *testing.T) {
	for _, in := range []string{"Acme-/prefect", "ghcr.io/acme/Pre__-fect", "ghcr.io/Acme/prefect."} {
		_, err := ParseRepository(in)
		if err == nil || !strings.Contains(err.Error(), "has upper-case letters in its path") {
			t.Errorf("ParseRepository(%q): %v, want an error saying it has upper-case letters", in, err)
			continue
		}
		if strings.Contains(err.Error(), "write ") {
			t.Errorf("ParseRepository(%q): %v, suggests a spelling that is no repository either", in, err)
		}
	}
	// One whose lower-case spelling is a repository is told to write it.
	if _, err := ParseRepository("ghcr.io/Acme/Prefect"); err == nil || !strings.Contains(err.Error(), `write "ghcr.io/acme/prefect"`) {
		t.Errorf("ParseRepository(ghcr.io/Acme/Prefect): %v, want it told to write ghcr.io/acme/prefect", err)
	}
}

// A loopback name (registry.localhost) whose loopback addresses all
// refuse the plain HTTP connection fails with those dials' errors, each
// address tried, not with "resolves to …, no loopback address"; one
// whose lookup fails fails with the resolver's error, nothing dialled
// over plain HTTP.
func TestLoopbackNameDialFailuresSaidAsTheyAre(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name   string
		lookup func(host string) ([]net.IPAddr, error)
		want   []string // in the error
		dials  []string // plain-HTTP dials (by IP), in order
	}{{
		name: "every loopback address refuses",
		lookup: func(string) ([]net.IPAddr, error) {
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}, {IP: net.ParseIP("::1")}}, nil
		},
		want:  []string{"127.0.0.1:1", "[::1]:1", "connection refused"},
		dials: []string{"127.0.0.1:1", "[::1]:1"},
	}, {
		name: "the lookup fails",
		lookup: func(host string) ([]net.IPAddr, error) {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
		want: []string{"lookup registry.localhost", "no such host"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, Config{MaxRetries: 0})
			c.lookup = func(_ context.Context, host string) ([]net.IPAddr, error) { return tc.lookup(host) }
			var mu sync.Mutex
			var plain []string
			c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if ctx.Value(loopbackOnly{}) != nil {
					mu.Lock()
					plain = append(plain, addr)
					mu.Unlock()
				}
				return nil, fmt.Errorf("dial %s %s: %w", network, addr, syscall.ECONNREFUSED)
			}
			_, err := c.ListTags(context.Background(), repoOf(t, "registry.localhost:1/acme/x"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "no loopback address") {
				t.Errorf("error says the name resolves to no loopback address: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(plain, tc.dials) {
				t.Errorf("dialled %q over plain HTTP, want %q", plain, tc.dials)
			}
		})
	}
}
