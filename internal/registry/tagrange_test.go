package registry

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests cover ListTagRange: a range of tags read in pieces cut at
// splits, concurrently, then stitched.

// prefectSplits are the splits the resolver gives for every release tag
// (internal/resolver.fullSplits), and sha- tags cut in four.
var prefectSplits = []string{
	"2.", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
	"3.", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9",
	"sha-", "sha-4", "sha-8", "sha-c",
}

func sortedPrefect() []string {
	s := slices.Clone(tagcatalog.Prefect())
	slices.Sort(s)
	return s
}

// inRange is what ListTagRange must return for r out of the sorted tags.
func inRange(sorted []string, r TagRange) []string {
	out := []string{}
	for _, t := range sorted {
		if r.contains(t) {
			out = append(out, t)
		}
	}
	return out
}

// inFlight holds the first request of every piece (a tag list request
// whose last is a split) until want of them are held at once, and then lets
// them all go: a client that reads its pieces concurrently fills it, which
// no timing decides. One that does not is let go after 10 s, short of the
// test client's request timeout (newInFlight's user sets 30 s), and missed
// says so.
type inFlight struct {
	want   int32
	held   atomic.Int32
	full   chan struct{}
	once   sync.Once
	missed atomic.Bool
}

func newInFlight(want int32) *inFlight {
	return &inFlight{want: want, full: make(chan struct{})}
}

func (f *inFlight) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && slices.Contains(prefectSplits, r.URL.Query().Get("last")) {
			if f.held.Add(1) >= f.want {
				f.once.Do(func() { close(f.full) })
			}
			select {
			case <-f.full:
			case <-time.After(10 * time.Second):
				f.missed.Store(true)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// noPageTwice fails when one tag list URL was requested twice.
func noPageTwice(t *testing.T, r *registrytest.Registry) {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range r.Requests() {
		if strings.Contains(line, "/tags/list") {
			if seen[line] {
				t.Errorf("page requested twice: %s", line)
			}
			seen[line] = true
		}
	}
}

// The whole catalog, cut at Prefect's splits, with n=1000 against a
// registry that serves 100 tags when asked for none and up to 1000: every
// tag once, sorted, pieces read at once, no page read twice; and ranges
// inside it, and the whole list served from the cache.
func TestListTagRangeConcurrentPrefectCatalog(t *testing.T) {
	noDockerConfig(t)
	want := sortedPrefect()
	fl := newInFlight(10)
	r := registrytest.Prefect(t, registrytest.WithDefaultPageSize(100), registrytest.WithMaxPageSize(1000),
		registrytest.WithMiddleware(fl.middleware))
	repo := r.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{RequestTimeout: 30 * time.Second})

	got, err := c.ListTagRange(context.Background(), repoOf(t, repo), TagRange{Splits: prefectSplits})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d tags, want the %d of the catalog", len(got), len(want))
	}
	if fl.missed.Load() {
		t.Errorf("fewer than %d pieces were asked for at once (%d in all); want the pieces read concurrently", fl.want, fl.held.Load())
	}
	pages := r.Counts().ListPage
	if pages < 14 || pages > 40 {
		t.Errorf("%d pages for %d tags", pages, len(want))
	}
	noPageTwice(t, r)

	// Every range is answered from the cached whole list.
	r.ResetCounts()
	for _, rg := range []TagRange{
		{After: "3.7~", Before: "3.8~"},
		{After: "2-~", Before: "2.~"},
		{After: "/~", Before: "9~"},
		{After: "sha-", Before: ""},
		{After: "", Before: "2."},
	} {
		got, err := c.ListTagRange(context.Background(), repoOf(t, repo), rg)
		if err != nil {
			t.Fatal(err)
		}
		if w := inRange(want, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
		}
	}
	if n := r.Counts().Total(); n != 0 {
		t.Errorf("%d requests for ranges of a cached list, want 0", n)
	}
}

// Ranges of the catalog on a fresh client each: exactly their tags, whether
// they fit in one page or are cut in pieces; and with 100-tag pages.
func TestListTagRangeRanges(t *testing.T) {
	noDockerConfig(t)
	want := sortedPrefect()
	digits := func(p string) []string {
		var s []string
		for d := '1'; d <= '9'; d++ {
			s = append(s, p+string(d))
		}
		return s
	}
	for _, pageCap := range []int{1000, 100} {
		r := registrytest.Prefect(t, registrytest.WithMaxPageSize(pageCap))
		repo := r.Host() + "/prefecthq/prefect"
		for _, rg := range []TagRange{
			{After: "3.7~", Before: "3.8~", Splits: digits("3.8.")},        // one page
			{After: "3.5~", Before: "3.6~", Splits: digits("3.6.")},        // 2505 tags, cut
			{After: "2-~", Before: "2.~", Splits: digits("2.")},            // 2279 tags, cut
			{After: "2.1~", Before: "2.9~", Splits: digits("2.")},          // first digit 2 to 9
			{After: "2.14/", Before: "2.14:", Splits: digits("2.14.")},     // no tag at all
			{After: "/~", Before: "9~", Splits: prefectSplits},             // every release tag
			{After: "3.", Before: "", Splits: prefectSplits},               // to the end
			{After: "", Before: "3.4", Splits: []string{"2.", "zzz", "1"}}, // splits outside ignored
		} {
			r.ResetCounts()
			got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), rg)
			if err != nil {
				t.Fatalf("page cap %d, range %+v: %v", pageCap, rg, err)
			}
			if w := inRange(want, rg); !slices.Equal(got, w) {
				t.Errorf("page cap %d, range %+v: %d tags, want %d", pageCap, rg, len(got), len(w))
			}
			noPageTwice(t, r)
		}
	}
}

// A range that fits in its first page takes one request, whatever the
// splits.
func TestListTagRangeOnePage(t *testing.T) {
	noDockerConfig(t)
	r := registrytest.Prefect(t)
	c := newTestClient(t, Config{})
	got, err := c.ListTagRange(context.Background(), repoOf(t, r.Host()+"/prefecthq/prefect"), TagRange{After: "3.7~", Before: "3.8~", Splits: []string{"3.8.1", "3.8.2", "3.8.3"}})
	if err != nil {
		t.Fatal(err)
	}
	// The page, and the two requests that prove the registry takes last
	// as a lexical bound (the read stopped at its bound): the list's first
	// page, which ends before the range, and the page between two of its
	// tags (probeBetween), where the answer's start is known.
	if len(got) != 375 || r.Counts().ListPage != 3 {
		t.Errorf("%d tags in %d requests; want 375 in 3", len(got), r.Counts().ListPage)
	}
}

// A registry that ignores last: the range is read one page after another,
// as ListTags reads it. A list that fits in a page is read whole; a longer
// one is the same error as ListTags gives, and nothing is cached.
func TestListTagRangeIgnoreLast(t *testing.T) {
	noDockerConfig(t)
	all := sortedPrefect()
	small := all[:900]
	r := seeded(t, small, registrytest.WithIgnoreLast())
	repo := r.Host() + "/prefecthq/prefect"
	for _, rg := range []TagRange{{Splits: prefectSplits}, {After: "2.1~", Before: "2.9~", Splits: []string{"2.3", "2.5"}}} {
		got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), rg)
		if err != nil {
			t.Fatal(err)
		}
		if w := inRange(small, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
		}
	}

	big := registrytest.Prefect(t, registrytest.WithIgnoreLast())
	bigRepo := big.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{MaxRetries: 0})
	_, seqErr := newTestClient(t, Config{MaxRetries: 0}).ListTags(context.Background(), repoOf(t, bigRepo))
	if seqErr == nil {
		t.Fatal("ListTags read a registry that ignores last")
	}
	_, err := c.ListTagRange(context.Background(), repoOf(t, bigRepo), TagRange{Splits: prefectSplits})
	if err == nil {
		t.Fatal("ListTagRange read a registry that ignores last")
	}
	if err.Error() != seqErr.Error() {
		t.Errorf("concurrent listing failed with\n%v\nwant the sequential listing's\n%v", err, seqErr)
	}
	if _, ok := c.wholeLists.Cached(mustRef(t, c, bigRepo).key); ok {
		t.Error("a failed listing was cached")
	}
}

// A registry that pages by opaque cursor (and ignores last): the range is
// read by following its Links, one page after another, and is exact.
func TestListTagRangeCursor(t *testing.T) {
	noDockerConfig(t)
	want := sortedPrefect()
	r := registrytest.Prefect(t, registrytest.WithCursorPaging())
	repo := r.Host() + "/prefecthq/prefect"
	for _, rg := range []TagRange{{Splits: prefectSplits}, {After: "2-~", Before: "2.~", Splits: []string{"2.1", "2.2", "2.5"}}} {
		r.ResetCounts()
		got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), rg)
		if err != nil {
			t.Fatal(err)
		}
		if w := inRange(want, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
		}
	}
	// The whole list: the first page's Link is a cursor, so no piece is
	// asked for by last, and no page is read twice.
	r.ResetCounts()
	if _, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), TagRange{Splits: prefectSplits}); err != nil {
		t.Fatal(err)
	}
	if n := r.Counts().ListPage; n != 14 {
		t.Errorf("%d pages, want 14", n)
	}
	noPageTwice(t, r)
}

// An empty repository, and one whose tags all fall in one piece.
func TestListTagRangeEmptyAndOnePiece(t *testing.T) {
	noDockerConfig(t)
	r := registrytest.New(t)
	if _, err := r.Push("acme/empty", "x"); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete("acme/empty", "x"); err != nil {
		t.Fatal(err)
	}
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, r.Host()+"/acme/empty"), TagRange{Splits: prefectSplits})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty repository: %#v, %v", got, err)
	}

	var only []string
	for _, tag := range sortedPrefect() {
		if strings.HasPrefix(tag, "3.6.") {
			only = append(only, tag)
		}
	}
	one := seeded(t, only)
	got, err = newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, one.Host()+"/prefecthq/prefect"), TagRange{Splits: prefectSplits})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, only) {
		t.Errorf("one piece: %d tags, want %d", len(got), len(only))
	}
	noPageTwice(t, one)
}

// A registry that fails every request for one piece: the listing fails
// with that error, the failure is not cached, and the next call, once the
// registry answers again, reads that piece again; the pages answered
// before are read once per Client, so they are not asked for again.
func TestListTagRangeOnePieceFails(t *testing.T) {
	noDockerConfig(t)
	var failing atomic.Bool
	failing.Store(true)
	r := registrytest.Prefect(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if failing.Load() && req.URL.Query().Get("last") == "3.4" {
				http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}`, http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, req)
		})
	}))
	repo := r.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{MaxRetries: 1})
	_, err := c.ListTagRange(context.Background(), repoOf(t, repo), TagRange{Splits: prefectSplits})
	if err == nil || statusOf(err) != http.StatusInternalServerError || !strings.Contains(err.Error(), "last=3.4") {
		t.Fatalf("err = %v, want the 500 of the piece after 3.4", err)
	}
	if _, ok := c.listingOf(mustRef(t, c, repo)).served(TagRange{}); ok {
		t.Fatal("a listing that failed in one piece was cached")
	}
	failing.Store(false)
	r.ResetCounts()
	got, err := c.ListTagRange(context.Background(), repoOf(t, repo), TagRange{Splits: prefectSplits})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, sortedPrefect()) {
		t.Errorf("after recovery: %d tags", len(got))
	}
	again := false
	for _, line := range r.Requests() {
		again = again || strings.Contains(line, "/tags/list?last=3.4&")
	}
	if !again {
		t.Errorf("after recovery the failed piece was not asked for again: %q", r.Requests())
	}
	if n := r.Counts().ListPage; n >= 14 {
		t.Errorf("after recovery %d pages; want only the failed piece's read again", n)
	}
}

// A registry that refuses a split as last (400): the range is read one page
// after another instead.
func TestListTagRangeSplitRefused(t *testing.T) {
	noDockerConfig(t)
	r := registrytest.Prefect(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Query().Get("last") == "3.4" {
				http.Error(w, `{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"last is not a tag"}]}`, http.StatusBadRequest)
				return
			}
			next.ServeHTTP(w, req)
		})
	}))
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, r.Host()+"/prefecthq/prefect"), TagRange{Splits: prefectSplits})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, sortedPrefect()) {
		t.Errorf("%d tags", len(got))
	}
}

// go-containerregistry's pkg/registry honours n and last, sends no Link,
// and starts over when last is past its last tag. Pieces past the end
// read as empty once an earlier piece reached the end of the list.
func TestListTagRangeStartsOverPastTheEnd(t *testing.T) {
	noDockerConfig(t)
	var tags []string
	for _, tag := range sortedPrefect() {
		if tag < "3." { // 2.x only: the 3.x and sha- splits lie past the end
			tags = append(tags, tag)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			w.WriteHeader(http.StatusOK)
			return
		}
		page := tags
		if last := r.URL.Query().Get("last"); last != "" {
			for i, t := range page {
				if t > last {
					page = page[i:]
					break
				}
			}
		}
		if n, err := strconv.Atoi(r.URL.Query().Get("n")); err == nil && n < len(page) {
			page = page[:n]
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": page})
	}))
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/prefecthq/prefect"
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), TagRange{Splits: prefectSplits})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, tags) {
		t.Errorf("%d tags, want %d", len(got), len(tags))
	}
}

// CNCF distribution 2.x answers every tag at once, unsorted, whatever n and
// last say: one request.
func TestListTagRangeWholeListAtOnce(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	var mu sync.Mutex
	lists := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			w.WriteHeader(http.StatusOK)
			return
		}
		mu.Lock()
		lists++
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": all})
	}))
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/prefecthq/prefect"
	want := sortedPrefect()
	for _, rg := range []TagRange{{Splits: prefectSplits}, {After: "2-~", Before: "2.~", Splits: []string{"2.1", "2.2"}}} {
		lists = 0
		got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, repo), rg)
		if err != nil {
			t.Fatal(err)
		}
		if w := inRange(want, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
		}
		// The narrowed read finds no proof (the same page comes back after
		// its last tag) and the whole list is read: a few requests.
		if lists > 5 {
			t.Errorf("range %+v: %d requests, want at most 5", rg, lists)
		}
	}
}

// Concurrent callers of one range share one listing; a range of a
// repository listed whole is cut from that list.
func TestListTagRangeShared(t *testing.T) {
	noDockerConfig(t)
	r := registrytest.Prefect(t, registrytest.WithLatency(5*time.Millisecond))
	repo := r.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{})
	rg := TagRange{After: "2-~", Before: "2.~", Splits: []string{"2.1", "2.2", "2.3"}}
	want := inRange(sortedPrefect(), rg)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got, err := c.ListTagRange(context.Background(), repoOf(t, repo), rg); err != nil || !slices.Equal(got, want) {
				t.Errorf("%d tags, %v", len(got), err)
			}
		})
	}
	wg.Wait()
	first := r.Counts().ListPage
	if first > 6 {
		t.Errorf("%d pages for 10 callers of one range", first)
	}
	noPageTwice(t, r)
}

func mustRef(t *testing.T, c *Client, repo string) Repository {
	t.Helper()
	ref, err := ParseRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// Against Debian's docker-registry (CNCF distribution 2.8, skipped without
// it): ranges, with splits and `last` values that are no tag ("3.3~"), read
// what the registry holds, at 2 tags a page.
func TestListTagRangeRealRegistry(t *testing.T) {
	noDockerConfig(t)
	s, _ := realRegistry(t)
	want := slices.Sorted(slices.Values(realTags))
	for _, rg := range []TagRange{
		{Splits: []string{"3-", "3.4.2", "3.4.2-python3.12", "sha-"}},
		{After: "/~", Before: "9~", Splits: []string{"3.", "3.4", "3.4.2"}},
		{After: "3.3~", Before: "3.4~", Splits: []string{"3.4.1", "3.4.2"}},
		{After: "3.4.1/", Before: "3.4.1:"},
	} {
		c := newTestClient(t, Config{
			CACertPEM:   []byte(s.CACertPEM),
			Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
			MaxRetries:  1,
		})
		c.pageSize = 2
		got, err := c.ListTagRange(context.Background(), repoOf(t, s.Repository("prefecthq/prefect")), rg)
		if err != nil {
			t.Fatalf("range %+v: %v", rg, err)
		}
		if w := inRange(want, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %v, want %v", rg, got, w)
		}
	}
}

// Ranges that overlap without one covering the other (a whole major, as
// ~> 3.0 lists it, then every release tag, as a pin with no
// prefect_version lists them, in one plan) share the pages they both
// read: a page of the list is read once per Client, whichever range
// asks for it.
func TestListTagRangeOverlappingRangesReadEachPageOnce(t *testing.T) {
	noDockerConfig(t)
	r := registrytest.Prefect(t, registrytest.WithDefaultPageSize(100), registrytest.WithMaxPageSize(1000))
	repo := repoOf(t, r.Host()+"/prefecthq/prefect")
	c := newTestClient(t, Config{RequestTimeout: 30 * time.Second})
	sorted := sortedPrefect()
	for _, rg := range []TagRange{
		{After: "3-~", Before: "3.~", Splits: []string{"3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}},
		{After: "/~", Before: "9~", Splits: prefectSplits[:20]},
	} {
		got, err := c.ListTagRange(context.Background(), repo, rg)
		if err != nil {
			t.Fatal(err)
		}
		if want := inRange(sorted, rg); !slices.Equal(got, want) {
			t.Fatalf("range %+v: %d tags, want %d", rg, len(got), len(want))
		}
	}
	noPageTwice(t, r)
}
