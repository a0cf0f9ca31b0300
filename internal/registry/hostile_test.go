package registry

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"golang.org/x/sync/errgroup"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// tagServer serves /v2/ and a tag list from fn, counting list requests.
type tagServer struct {
	*httptest.Server
	lists atomic.Int64
}

func newTagServer(t *testing.T, fn func(w http.ResponseWriter, r *http.Request)) *tagServer {
	t.Helper()
	s := &tagServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			w.WriteHeader(http.StatusOK)
			return
		}
		s.lists.Add(1)
		fn(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *tagServer) repo() string {
	return strings.TrimPrefix(s.URL, "http://") + "/prefecthq/prefect"
}

func writeTags(w http.ResponseWriter, tags []string) int {
	b, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": tags})
	w.Header().Set("Content-Type", "application/json")
	n, _ := w.Write(b)
	return n
}

func limitErrorOf(t *testing.T, err error, bound string) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) || le.Bound != bound {
		t.Fatalf("err = %v, want a LimitError on %s", err, bound)
	}
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), e.Registry) || !strings.Contains(err.Error(), "prefecthq/prefect") {
		t.Errorf("the error names neither registry nor repository: %v", err)
	}
	if strings.Contains(err.Error(), "cannot be used") || strings.Contains(err.Error(), "names a container registry") {
		t.Errorf("the error blames the registry's answer for the listing's own bound: %v", err)
	}
	return le
}

// An endless tag list, every page linking a fresh one: the listing stops at
// 2,500 requests, all its pieces together, and says so.
func TestHostileEndlessLinkedList(t *testing.T) {
	noDockerConfig(t)
	var seq atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		i := seq.Add(1)
		tag := fmt.Sprintf("3.%d.%06d", i%10, i)
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=1000&last=%s>; rel="next"`, tag))
		writeTags(w, []string{tag})
	})
	c := newTestClient(t, Config{MaxRetries: 0})
	splits := []string{"3.1", "3.2", "3.3", "3.4", "3.5"}
	_, err := c.ListTagRange(context.Background(), repoOf(t, s.repo()), TagRange{After: "3.", Before: "4", Splits: splits})
	le := limitErrorOf(t, err, "pages")
	if !strings.Contains(le.Limit, "2500 pages") || !strings.Contains(err.Error(), "2500 pages") {
		t.Errorf("the error does not name the bound: %v", err)
	}
	if n := s.lists.Load(); n > MaxListingPages {
		t.Errorf("%d list requests, more than the bound of %d", n, MaxListingPages)
	}
}

// Endless pages of about 4 MiB: the listing stops at 64 MiB read.
func TestHostileEndlessHugePages(t *testing.T) {
	noDockerConfig(t)
	filler := make([]string, 0, 150000)
	for i := range cap(filler) {
		filler = append(filler, fmt.Sprintf("x%025d", i))
	}
	var seq atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=1000&cursor=%d>; rel="next"`, seq.Add(1)))
		writeTags(w, filler)
	})
	// A page took 2 s under -race on a loaded machine, and one more than
	// the test client's 5 s: the bound here is of bytes, not of time.
	c := newTestClient(t, Config{MaxRetries: 0, RequestTimeout: 2 * time.Minute})
	_, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	_ = limitErrorOf(t, err, "bytes")
	if !strings.Contains(err.Error(), "64 MiB") {
		t.Errorf("the error does not name the bound: %v", err)
	}
	if n := s.lists.Load(); n > 17 {
		t.Errorf("%d pages of ~4 MiB read, want at most 17", n)
	}
}

// A listing that does not end within listing_timeout fails, naming it, even
// though every request answers within the request timeout.
func TestHostileListingTimeout(t *testing.T) {
	noDockerConfig(t)
	var seq atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		i := seq.Add(1)
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=1000&cursor=%d>; rel="next"`, i))
		writeTags(w, []string{fmt.Sprintf("t%d", i)})
	})
	c := newTestClient(t, Config{MaxRetries: 2, ListingTimeout: 300 * time.Millisecond})
	_, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	le := limitErrorOf(t, err, "time")
	if le.Limit != "300ms" || !strings.Contains(err.Error(), "listing timeout of 300ms") {
		t.Errorf("the error does not name the bound: %v", err)
	}
	// Each page takes at least 20 ms, so 300 ms hold at most 15: more
	// pages mean the deadline came late. A slow machine reads fewer, never
	// more, so this cannot fail by load.
	if pages := seq.Load(); pages > 15 {
		t.Errorf("%d pages were read, more than 300ms of 20ms pages allow", pages)
	}
}

// The figure reached speaks English for one page too.
func TestLimitErrorSaysWhatWasRead(t *testing.T) {
	for pages, want := range map[int]string{0: "0 pages and 0.5 MiB read", 1: "1 page and 0.5 MiB read", 2: "2 pages and 0.5 MiB read"} {
		l := &listing{pages: pages, bytes: 1 << 19, paced: func() bool { return false }}
		var le *LimitError
		if err := l.limitLocked("time", "1s"); !errors.As(err, &le) || le.Reached != want {
			t.Errorf("%d pages: %v, want Reached %q", pages, err, want)
		}
	}
}

// A lexical registry without Links that answers 404 for a last past its
// end (its 200 tags fill two pages of 100, so the Client asks after the
// last): no reader can tell that from a refusal, so the listing fails, and
// the advice fits a registry that answered the pages before, not a wrong
// address or a flaky network.
func TestLaterPageRefusedAsksTheOperator(t *testing.T) {
	noDockerConfig(t)
	var all []string
	for i := range 200 {
		all = append(all, fmt.Sprintf("3.%03d", i))
	}
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if last := r.URL.Query().Get("last"); last != "" {
			i, _ = slices.BinarySearch(all, last)
			if i < len(all) && all[i] == last {
				i++
			}
			if i == len(all) {
				writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
				return
			}
		}
		writeTags(w, all[i:min(i+100, len(all))])
	})
	c := newTestClient(t, Config{MaxRetries: 0})
	tags, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil {
		t.Fatalf("%d tags and no error, want an error", len(tags))
	}
	msg := err.Error()
	for _, want := range []string{"404 Not Found for page 3", "after answering the pages before it", "ask the registry's operator"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "try again later") || strings.Contains(msg, "registry address") {
		t.Errorf("the error blames the address or the network: %s", msg)
	}
}

// Names that are not tags are dropped as pages are read: never kept, never
// sent back as last.
func TestHostileInvalidTagNamesDropped(t *testing.T) {
	noDockerConfig(t)
	long := strings.Repeat("a", 129)
	var mu sync.Mutex
	var lasts []string
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		last := r.URL.Query().Get("last")
		mu.Lock()
		lasts = append(lasts, last)
		mu.Unlock()
		switch last {
		case "":
			writeTags(w, []string{"3.1.0-python3.12", "../etc", "", long, "-x", "3.1.1-python3.12", "bad tag"})
		default:
			writeTags(w, nil)
		}
	})
	c := newTestClient(t, Config{})
	c.pageSize = 7
	got, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"3.1.0-python3.12", "3.1.1-python3.12"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if want := []string{"", "3.1.1-python3.12"}; !slices.Equal(lasts, want) {
		t.Errorf("last values sent %q, want %q", lasts, want)
	}
}

// A registry not in lexical order that takes last by position (and answers a
// last that is no tag from its start): the range is read from the whole
// list, not stopped at the first tag past its bound.
func TestHostileNonLexicalRange(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	want := slices.Sorted(slices.Values(all))
	for _, shape := range registrytest.Shapes() {
		t.Run(shape.Name, func(t *testing.T) {
			r := registrytest.Prefect(t, shape.Opts...)
			repo := r.Host() + "/prefecthq/prefect"
			c := newTestClient(t, Config{})
			for _, rg := range []TagRange{
				{After: "3.8", Before: "3.9", Splits: []string{"3.8.1", "3.8.2", "3.8.3"}},
				{After: "2.20", Before: "2.21"},
				{After: "/~", Before: "9~", Splits: prefectSplits},
				{},
			} {
				got, err := c.ListTagRange(context.Background(), repoOf(t, repo), rg)
				if err != nil {
					t.Fatalf("range %+v: %v", rg, err)
				}
				if w := inRange(want, rg); !slices.Equal(got, w) {
					t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
				}
			}
			// Where the order is not lexical, the whole list is read
			// once: a full listing (its first page asked for beside the
			// first range's), and that range's first page.
			lexical := strings.HasPrefix(shape.Name, "lexical") || strings.HasPrefix(shape.Name, "default") || shape.Name == "distribution-v3.1"
			used := r.Counts().ListPage
			r.ResetCounts()
			if _, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, repo)); err != nil {
				t.Fatal(err)
			}
			if full := r.Counts().ListPage; !lexical && used > full+1 {
				t.Errorf("%d list requests, want at most one full listing (%d) and the probe", used, full)
			}
		})
	}
}

// fleetPlanRanges is the ranges a plan of the fleet's kind asks for at
// once, and how many callers ask for each: fifteen ~> 3.8.0 pins on one
// range, ~> 2.20 over the 2. releases, and the spans of its three-digit
// minors, 2.10/ to 2.19/, which start at a name with a '/'.
func fleetPlanRanges() ([]TagRange, []int) {
	digits := func(p string) (s []string) {
		for d := '1'; d <= '9'; d++ {
			s = append(s, p+string(d))
		}
		return s
	}
	ranges := []TagRange{{After: "3.7~", Before: "3.8~", Splits: digits("3.8.")}, {After: "2.1~", Before: "2.9~", Splits: digits("2.")}}
	for d := '0'; d <= '9'; d++ {
		p := "2.1" + string(d)
		ranges = append(ranges, TagRange{After: p + "/", Before: p + ":", Splits: digits(p + ".")})
	}
	return ranges, []int{15, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
}

// A plan's narrowed ranges arrive at once (a fleet: ~> 3.8.0 on fifteen
// pins, ~> 2.20's eleven spans). On a registry not in lexical order they
// cost one full listing and the one page that probed, whatever their
// number; on a lexical one, far less than a full listing; on distribution
// v3.0.0, whose order is checked while the ranges read, a page more per
// range.
func TestConcurrentRangesCostOneFullListingAndTheProbe(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	want := slices.Sorted(slices.Values(all))
	ranges, callers := fleetPlanRanges()
	for _, shape := range registrytest.Shapes() {
		t.Run(shape.Name, func(t *testing.T) {
			r := registrytest.Prefect(t, shape.Opts...)
			repo := repoOf(t, r.Host()+"/prefecthq/prefect")
			c := newTestClient(t, Config{})
			var g errgroup.Group
			for i, rg := range ranges {
				for range callers[i] {
					g.Go(func() error {
						got, err := c.ListTagRange(context.Background(), repo, rg)
						if err == nil && !slices.Equal(got, inRange(want, rg)) {
							err = fmt.Errorf("range %+v: %d tags, want %d", rg, len(got), len(inRange(want, rg)))
						}
						return err
					})
				}
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			used := r.Counts().ListPage
			r.ResetCounts()
			if _, err := newTestClient(t, Config{}).ListTags(context.Background(), repo); err != nil {
				t.Fatal(err)
			}
			full := r.Counts().ListPage
			lexical := strings.HasPrefix(shape.Name, "lexical") || strings.HasPrefix(shape.Name, "default") || shape.Name == "distribution-v3.1"
			checked := shape.Name == "skip-past-last" || shape.Name == "distribution-v3.0"
			switch {
			case checked && used > full+2+len(ranges)-1:
				// Distribution v3.0.0's pages pass for lexical until the
				// page between two first-page tags (checkOrder) shows the
				// skip; the ranges read their first page meanwhile, and
				// stop there.
				t.Errorf("%d list requests, want at most one full listing (%d), the probe, the check and a first page per other range (%d)", used, full, len(ranges)-1)
			case !lexical && !checked && used > full+1:
				t.Errorf("%d list requests, want at most one full listing (%d) and the probe", used, full)
			case lexical && used > full:
				// The twelve ranges span most of the list; with the page
				// that anchors the proof of lexical last (probeBetween)
				// they may cost as much as reading it whole, never more.
				t.Errorf("%d list requests on a lexical registry, want at most a full listing (%d)", used, full)
			}
			t.Logf("%d list requests; a full listing alone: %d", used, full)
		})
	}
}

// Redirects of tag lists and manifests are followed on the same host only.
func TestHostileRedirects(t *testing.T) {
	noDockerConfig(t)
	other := newFake(t)
	other.setTags("prefecthq/prefect", []string{"9.9.9-evil"})
	_, otherDigest := other.pushImage("prefecthq/prefect", "3-latest", "linux/amd64")

	f := newFake(t)
	f.setTags("prefecthq/prefect", []string{"3.1.0-python3.12"})
	_, digest := f.pushImage("prefecthq/prefect", "3-latest", "linux/amd64")
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.URL.Query().Get("to") == "same":
			return false
		case strings.HasSuffix(r.URL.Path, "/tags/list") && r.URL.Query().Get("hop") == "":
			http.Redirect(w, r, "http://"+other.host+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return true
		case strings.Contains(r.URL.Path, "/manifests/") && r.URL.Query().Get("hop") == "":
			http.Redirect(w, r, "http://"+other.host+r.URL.Path, http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	c := newTestClient(t, Config{MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
	if err == nil || !strings.Contains(err.Error(), f.host) || !strings.Contains(err.Error(), other.host) {
		t.Errorf("tag list redirected to another host: %v, want an error naming both hosts", err)
	}
	if err != nil && !strings.Contains(err.Error(), "HTTP 307") {
		t.Errorf("tag list redirected with 307: %v, want the error to give the status the registry answered", err)
	}
	d, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
	if err == nil || d.Digest == otherDigest || !strings.Contains(err.Error(), other.host) {
		t.Errorf("manifest HEAD redirected to another host: %v, %v (theirs %s, ours %s)", d, err, otherDigest, digest)
	}

	// On the same host, a redirect is followed.
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && r.URL.Query().Get("to") == "" {
			q := r.URL.Query()
			q.Set("to", "same")
			http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	if got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect"))); err != nil || len(got) != 1 {
		t.Errorf("same-host redirect: %v, %v", got, err)
	}
}

// The redirect rule itself: same host, http to https allowed, https to http
// never, blobs anywhere (they are checked by digest).
func TestSameHostRedirect(t *testing.T) {
	req := func(raw string) *http.Request {
		u, _ := url.Parse(raw)
		return &http.Request{URL: u}
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"https://r.example/v2/a/tags/list", "https://r.example/v2/a/tags/list?x=1", true},
		{"http://r.example/v2/a/manifests/t", "https://r.example/v2/a/manifests/t", true},
		{"http://r.example:5000/v2/a/manifests/t", "https://r.example:5000/v2/a/manifests/t", true},
		{"https://r.example/v2/a/manifests/t", "http://r.example/v2/a/manifests/t", false},
		{"https://r.example/v2/a/manifests/t", "https://evil.example/v2/a/manifests/t", false},
		{"https://r.example/v2/a/tags/list", "https://r.example:8443/v2/a/tags/list", false},
		{"https://r.example/v2/a/blobs/sha256:" + strings.Repeat("0", 64), "https://cdn.example/blob", true},
		{"https://r.example/v2/a/blobs/x/manifests/t", "https://cdn.example/blob", false},
		{"https://r.example/v2/a/manifests/t", "https://r.example/v2/b/manifests/t", false},
		{"https://r.example/v2/a/manifests/t", "https://r.example/v2/b/blobs/sha256:" + strings.Repeat("0", 64), false},
		{"https://r.example/v2/a/manifests/x/manifests/t", "https://r.example/v2/a/manifests/x/manifests/sha256:" + strings.Repeat("0", 64), true},
		{"https://r.example/v2/a/manifests/t", "https://r.example/storage/a/t.json", true},
		{"https://r.example/v2/a/tags/list?n=100", "https://r.example/v2/b/tags/list?n=100", false},
		{"https://r.example/v2/a/tags/list", "https://r.example/v2/b/manifests/t", false},
		{"https://r.example/v2/a/tags/list", "https://r.example/v2/a/tags/list?last=x", true},
		{"https://r.example/v2/a/b/tags/list", "https://r.example/v2/a/tags/list", false},
		// Harbor's proxy cache of Docker Hub: <project>/<name> is <project>/library/<name>.
		{"https://r.example/v2/dockerhub/prefect/manifests/t", "https://r.example/v2/dockerhub/library/prefect/manifests/t", true},
		{"https://r.example/v2/dockerhub/prefect/tags/list", "https://r.example/v2/dockerhub/library/prefect/tags/list", true},
		{"https://r.example/v2/prefect/tags/list", "https://r.example/v2/library/prefect/tags/list", true},
		{"https://r.example/v2/dockerhub/acme/prefect/tags/list", "https://r.example/v2/dockerhub/acme/library/prefect/tags/list", false},
		{"https://r.example/v2/dockerhub/prefect/tags/list", "https://r.example/v2/dockerhub/library/other/tags/list", false},
	} {
		err := sameHostRedirect(req(tc.to), []*http.Request{req(tc.from)})
		if (err == nil) != tc.ok {
			t.Errorf("%s -> %s: %v, want allowed %v", tc.from, tc.to, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s -> %s: %v does not say it was refused", tc.from, tc.to, err)
		}
	}
}

// A manifest GET must hash to the digest asked for, or by tag to the
// header's; nothing unverified is kept.
func TestHostileManifestDigests(t *testing.T) {
	noDockerConfig(t)
	index := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:` + strings.Repeat("a", 64) + `","size":1,"platform":{"os":"linux","architecture":"amd64"}}]}`
	s256 := sha256.Sum256([]byte(index))
	s512 := sha512.Sum512([]byte(index))
	good256 := "sha256:" + hex.EncodeToString(s256[:])
	good512 := "sha512:" + hex.EncodeToString(s512[:])
	wrong := "sha256:" + strings.Repeat("b", 64)
	var header atomic.Value
	header.Store(wrong)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			return false
		}
		w.Header().Set("Content-Type", string(types.OCIImageIndex))
		if h := header.Load().(string); h != "" {
			w.Header().Set("Docker-Content-Digest", h)
		}
		fmt.Fprint(w, index)
		return true
	}))
	repo := f.repo("acme/x")
	c := newTestClient(t, Config{MaxRetries: 0})

	// By tag, the header names another digest than the body's.
	_, err := c.Platforms(context.Background(), repoOf(t, repo), "t")
	if err == nil || !strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), good256) {
		t.Fatalf("got %v, want an error naming both digests", err)
	}
	if _, ok := c.heads.Cached(mustRef(t, c, repo).key + ":t"); ok {
		t.Error("an unverified digest was cached")
	}
	// By digest, sha256 and sha512: verified, whatever the header says.
	for _, d := range []string{good256, good512} {
		if p, err := c.Platforms(context.Background(), repoOf(t, repo), d); err != nil || p.Digest != d {
			t.Errorf("%s: %+v, %v", d, p, err)
		}
	}
	bad512 := "sha512:" + strings.Repeat("c", 128)
	if _, err := c.Platforms(context.Background(), repoOf(t, repo), bad512); err == nil || !strings.Contains(err.Error(), good512) {
		t.Errorf("sha512 mismatch: %v, want an error naming the body's digest", err)
	}
	// By tag with the right header, or none: the body's digest.
	for _, h := range []string{good256, ""} {
		header.Store(h)
		c := newTestClient(t, Config{})
		if p, err := c.Platforms(context.Background(), repoOf(t, repo), "t"); err != nil || p.Digest != good256 {
			t.Errorf("header %q: %+v, %v", h, p, err)
		}
	}
}

// A Docker config identity token (sent as the OAuth refresh_token) and
// every token a token endpoint hands out are scrubbed, even when the
// endpoint quotes them back in its message and other JSON fields.
func TestHostileTokenEndpointQuotesSecrets(t *testing.T) {
	const identity = "idtok-7f3e9a1c5b2d4e6f8a0b"
	const password = "Pa55-w0rd-from-config"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			_ = r.ParseForm()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"errors":        []map[string]string{{"code": "DENIED", "message": "bad refresh_token " + r.Form.Get("refresh_token") + " for " + r.Header.Get("Authorization")}},
				"refresh_token": r.Form.Get("refresh_token"),
				"access_token":  "acc-quoted-" + r.Form.Get("refresh_token"),
				"details":       r.Header.Get("Authorization") + " " + password,
			})
		default:
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="x"`, srv.URL))
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "auth")
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", dir)
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte("me:" + password)), "identitytoken": identity,
	}}}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(dir+"/config.json", b, 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &logRecorder{}
	c := newTestClient(t, Config{Logger: logs, MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, host+"/prefecthq/prefect"))
	if err == nil {
		t.Fatal("the listing succeeded")
	}
	basic := base64.StdEncoding.EncodeToString([]byte("me:" + password))
	for _, secret := range []string{identity, password, basic} {
		if strings.Contains(err.Error(), secret) || strings.Contains(logs.text(), secret) {
			t.Errorf("%q leaked:\n%s\n%s", secret, err, logs.text())
		}
	}
}

// An error body beyond the read limit keeps its status: a 404 is still not
// found, a 503 still retried.
func TestHostileHugeErrorBodies(t *testing.T) {
	noDockerConfig(t)
	huge := strings.Repeat("x", 200<<10)
	var code atomic.Int64
	var attempts atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.WriteHeader(int(code.Load()))
		fmt.Fprint(w, `{"errors":[{"code":"X","message":"`+huge+`"}]}`)
	})
	code.Store(http.StatusNotFound)
	_, err := newTestClient(t, Config{MaxRetries: 0}).ListTags(context.Background(), repoOf(t, s.repo()))
	if !IsNotFound(err) {
		t.Errorf("404 with a 200 KiB body: %v, want not found", err)
	}
	code.Store(http.StatusServiceUnavailable)
	attempts.Store(0)
	c := newTestClient(t, Config{MaxRetries: 2})
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err = c.ListTags(context.Background(), repoOf(t, s.repo()))
	if statusOf(err) != http.StatusServiceUnavailable || attempts.Load() != 3 {
		t.Errorf("503 with a 200 KiB body: %v after %d attempts, want 503 after 3", err, attempts.Load())
	}
}

// A Retry-After shorter than the backoff (0, or negative) waits the
// backoff; a longer one is honoured.
func TestRetryAfterNeverBelowBackoff(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		header  string
		atLeast time.Duration
	}{
		{"0", retryBase * 3 / 4},
		{"-5", retryBase * 3 / 4},
		{"2", 2 * time.Second},
	} {
		var n atomic.Int64
		s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", tc.header)
				writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
				return
			}
			writeTags(w, nil)
		})
		c := newTestClient(t, Config{MaxRetries: 3})
		var waits []time.Duration
		c.sleep = func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			return nil
		}
		if _, err := c.ListTags(context.Background(), repoOf(t, s.repo())); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 1 || waits[0] < tc.atLeast {
			t.Errorf("Retry-After %s: waited %v, want one wait of at least %s", tc.header, waits, tc.atLeast)
		}
	}
}

// A manifest request that the registry redirects, on its own host, to
// another repository's manifest: that repository's tag, not the one asked
// for. Before the fix a HEAD by tag followed it and pinned the other
// repository's digest under this one, a pin no pull of this repository
// finds when the registry redirects only the tag (here it does). Now the
// redirect is refused, naming both repositories, and nothing is pinned; a
// redirect within the repository (a tag to its digest) is still followed.
func TestHostileRedirectToAnotherRepository(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	ours, _ := s.index(types.OCIImageIndex, true, entry(mt, amd, len(amdBody), "linux/amd64", nil))
	arm, armBody := s.image(mt, "linux/arm64", true)
	theirs, _ := s.index(types.OCIImageIndex, true, entry(mt, arm, len(armBody), "linux/arm64", nil))
	s.tag("3-latest", ours)
	serve := s.serve(nil)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/prefecthq/prefect/manifests/3-latest":
			http.Redirect(w, r, "/v2/acme/other/manifests/3-latest", http.StatusTemporaryRedirect)
		case r.URL.Path == "/v2/prefecthq/prefect/manifests/by-digest":
			http.Redirect(w, r, "/v2/prefecthq/prefect/manifests/"+ours, http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/v2/acme/other/manifests/"):
			d, m, _ := s.lookup(theirs)
			writeManifest(w, r, string(m.mediaType), d, m.body)
		default:
			serve(w, r)
		}
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	d, err := c.Head(context.Background(), ref, "3-latest")
	if err == nil || d.Digest == theirs || !strings.Contains(err.Error(), "prefecthq/prefect") || !strings.Contains(err.Error(), "acme/other") {
		t.Errorf("Head gave %+v, %v; want an error naming both repositories, never acme/other's %s", d, err, theirs)
	}
	if p, err := c.Platforms(context.Background(), ref, "3-latest"); err == nil || p.Digest == theirs {
		t.Errorf("Platforms gave %+v, %v; want an error", p, err)
	}
	if d, err := c.Head(context.Background(), ref, "by-digest"); err != nil || d.Digest != ours {
		t.Errorf("redirected within the repository: Head gave %+v, %v; want %s", d, err, ours)
	}
}

// A tag list redirected on the same host to another repository's would
// select from that repository's tags: refused, naming both.
func TestHostileTagListRedirectToAnotherRepository(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/":
			w.WriteHeader(http.StatusOK)
		case "/v2/prefecthq/prefect/tags/list":
			http.Redirect(w, r, "/v2/acme/other/tags/list?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		case "/v2/acme/other/tags/list":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name":"acme/other","tags":["9.9.9-python3.12"]}`)
		default:
			http.NotFound(w, r)
		}
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	tags, err := c.ListTags(context.Background(), ref)
	if err == nil || !strings.Contains(err.Error(), "prefecthq/prefect") || !strings.Contains(err.Error(), "acme/other") {
		t.Errorf("ListTags gave %q, %v; want an error naming both repositories", tags, err)
	}
}
