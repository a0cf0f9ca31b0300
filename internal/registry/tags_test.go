package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// All 13,512 Prefect tags come back, read across 100-tag pages that the
// registry caps whatever n asks, following its Link headers to the end.
func TestListTagsAllPrefectTagsAcrossLinkPages(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withPageCap(100))
	all := tagcatalog.Prefect()
	if len(all) != 13512 {
		t.Fatalf("catalog has %d tags, want 13512", len(all))
	}
	f.setTags("prefecthq/prefect", all)
	c := newTestClient(t, Config{})

	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(all)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("got %d tags, want %d (first diff somewhere)", len(got), len(want))
	}
	if n := f.count("list"); n != 136 {
		t.Errorf("%d list requests, want 136 pages of 100", n)
	}
	if !strings.Contains(f.listURLs[0], "n=1000") {
		t.Errorf("first request %q does not ask for n=1000", f.listURLs[0])
	}
	if f.count("ping") != 1 {
		t.Errorf("%d pings, want 1", f.count("ping"))
	}
}

// A registry that sends no Link but honours n and last: full pages are
// followed with last = the page's last tag; a short page ends the listing.
func TestListTagsWithoutLinkHeaders(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withoutLink())
	c := newTestClient(t, Config{})
	c.pageSize = 100

	tags := make([]string, 250)
	for i := range tags {
		tags[i] = fmt.Sprintf("1.%03d", i)
	}
	f.setTags("acme/short", tags)
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/short")))
	if err != nil {
		t.Fatal(err)
	}
	// Without Links a short page does not prove the end (a registry may
	// cap n lower than asked): the request after it comes back empty.
	if len(got) != 250 || f.count("list") != 4 {
		t.Errorf("got %d tags in %d requests, want 250 in 4", len(got), f.count("list"))
	}

	// Exactly two full pages: the third request comes back empty.
	f.resetCounts()
	f.setTags("acme/exact", tags[:200])
	got, err = c.ListTags(context.Background(), repoOf(t, f.repo("acme/exact")))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200 || f.count("list") != 3 {
		t.Errorf("got %d tags in %d requests, want 200 in 3", len(got), f.count("list"))
	}
}

// go-containerregistry's own pkg/registry sends no Link and, asked for the
// page after its last tag, starts over: the listing must end, deduplicated.
func TestListTagsRegistryIgnoringLastAtTheEnd(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	for i := range 4 {
		f.pushImage("acme/ggcr", fmt.Sprintf("v%d", i), "linux/amd64")
	}
	c := newTestClient(t, Config{})
	c.pageSize = 2
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/ggcr")))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"v0", "v1", "v2", "v3"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A registry that ignores last and sends no Link is asked once for its
// whole list with a large n; an answer smaller than that is its whole list
// (a registry that also capped n silently could not be told apart: the
// reliability guide says so).
func TestListTagsRegistryIgnoringLastAlways(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			fmt.Fprint(w, `{"name":"acme/x","tags":["a","b"]}`)
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{})
	c.pageSize = 2
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := f.count("list"); n != 3 {
		t.Errorf("%d list requests; want 3: the page, after its last tag, and the wide page", n)
	}
}

// 20 concurrent callers of one repository share one listing, one ping and
// one token; later callers get the memoized list without a request.
func TestListTagsSingleflight(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withPageCap(100), withBearer("u", "p"))
	f.setTags("prefecthq/prefect", tagcatalog.Prefect()[:1000])
	c := newTestClient(t, Config{Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})

	var wg sync.WaitGroup
	results := make([][]string, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Go(func() {
			results[i], errs[i] = c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
		})
	}
	wg.Wait()
	for i := range 20 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(results[i]) != 1000 {
			t.Fatalf("caller %d got %d tags", i, len(results[i]))
		}
	}
	// The 10th page is as full as the linked ones and has no Link: one
	// request after it shows the list ends there.
	if n := f.count("list"); n != 11 {
		t.Errorf("%d list requests, want 11 (one listing of 10 pages and the empty one after)", n)
	}
	if f.count("ping") != 1 || f.count("token") != 1 {
		t.Errorf("ping %d, token %d; want 1 and 1", f.count("ping"), f.count("token"))
	}
	// The caller owns its slice.
	results[0][0] = "mutated"
	again, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
	if err != nil || again[0] == "mutated" {
		t.Errorf("memoized list was changed through a caller's slice (%v)", err)
	}
	if n := f.count("list"); n != 11 {
		t.Errorf("memoized call made requests: %d list requests", n)
	}
}

// A failure is not cached: the next call lists again.
func TestListTagsFailureNotCached(t *testing.T) {
	noDockerConfig(t)
	var mu sync.Mutex
	fail := true
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if fail && strings.HasSuffix(r.URL.Path, "/tags/list") {
			writeRegError(w, http.StatusBadRequest, "UNSUPPORTED", "nope")
			return true
		}
		return false
	}))
	f.setTags("acme/x", []string{"a", "b"})
	c := newTestClient(t, Config{})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err == nil {
		t.Fatal("want an error")
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestListTagsLinkToAnotherHostRefused(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			w.Header().Set("Link", `<https://evil.example/v2/acme/x/tags/list?last=b&n=2>; rel="next"`)
			fmt.Fprint(w, `{"name":"acme/x","tags":["a","b"]}`)
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	if !strings.Contains(err.Error(), "another host") || !strings.Contains(err.Error(), "evil.example") {
		t.Errorf("message %q does not explain the refused Link", err)
	}
	if f.count("list") != 1 {
		t.Errorf("%d list requests, want 1", f.count("list"))
	}
}

func TestListTagsAbsoluteLinkSameHostFollowed(t *testing.T) {
	noDockerConfig(t)
	var f *fake
	f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			return false
		}
		if r.URL.Query().Get("last") == "" {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/v2/acme/x/tags/list?last=b&n=2>; rel="next"`, f.host))
			fmt.Fprint(w, `{"name":"acme/x","tags":["a","b"]}`)
		} else {
			fmt.Fprint(w, `{"name":"acme/x","tags":["c"]}`)
		}
		return true
	}))
	c := newTestClient(t, Config{})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestListTagsLinkLoopRefused(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			return false
		}
		// page 1 -> page 2 -> page 1 again
		if r.URL.Query().Get("last") == "" {
			w.Header().Set("Link", `</v2/acme/x/tags/list?n=1000&last=b>; rel="next"`)
			fmt.Fprint(w, `{"name":"acme/x","tags":["a","b"]}`)
		} else {
			w.Header().Set("Link", `</v2/acme/x/tags/list?n=1000>; rel="next"`)
			fmt.Fprint(w, `{"name":"acme/x","tags":["c","d"]}`)
		}
		return true
	}))
	c := newTestClient(t, Config{})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "loop") {
		t.Fatalf("got %v, want an *Error about a loop", err)
	}
	// Every try loops alike: the advice is the registry's operator, not
	// the address (the pages before were answered) nor trying again.
	if msg := err.Error(); !strings.Contains(msg, "ask the registry's operator") || strings.Contains(msg, "try again") || strings.Contains(msg, "names a container registry") {
		t.Errorf("the advice is not the operator's alone: %v", err)
	}
	if f.count("list") != 2 {
		t.Errorf("%d list requests, want 2", f.count("list"))
	}
}

func TestListTagsBrokenJSON(t *testing.T) {
	noDockerConfig(t)
	const notJSON, notNames = "is not valid JSON", `is JSON of another shape than a tag list's ({"tags": [names]})`
	for name, tc := range map[string]struct{ body, want string }{
		"truncated":      {`{"name":"acme/x","tags":["a","b`, notJSON},
		"not json":       {`<html>hello</html>`, notJSON},
		"empty":          {``, notJSON},
		"tags a string":  {`{"tags":"a"}`, notNames},
		"tags numbers":   {`{"tags":[1,2]}`, notNames},
		"tags an object": {`{"tags":{"a":"b"}}`, notNames},
		"an array":       {`["a","b"]`, notNames},
	} {
		body := tc.body
		t.Run(name, func(t *testing.T) {
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/tags/list") {
					fmt.Fprint(w, body)
					return true
				}
				return false
			}))
			c := newTestClient(t, Config{})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), f.host) {
				t.Errorf("message %q, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestListTagsNotFound(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	c := newTestClient(t, Config{})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/missing")))
	if !IsNotFound(err) {
		t.Fatalf("got %v, want not found", err)
	}
	var e *Error
	errors.As(err, &e)
	if e.StatusCode != 404 || e.Registry != f.host || e.Repository != f.repo("acme/missing") || e.Action != "list tags" {
		t.Errorf("error fields %+v", e)
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("message %q", err)
	}
}

// A repository is parsed once, where it enters: a malformed one is an
// error there, naming what is wrong, and no request is made.
func TestParseRepositoryInvalid(t *testing.T) {
	_, err := ParseRepository("prefecthq/prefect:3")
	if err == nil || !strings.Contains(err.Error(), "tag") || !strings.Contains(err.Error(), "prefecthq/prefect:3") {
		t.Fatalf("got %v", err)
	}
}

// repoOf parses a repository written in a test.
func repoOf(t *testing.T, s string) Repository {
	t.Helper()
	r, err := ParseRepository(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNextLink(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{`</v2/a/tags/list?n=2&last=b>; rel="next"`}, "/v2/a/tags/list?n=2&last=b"},
		{[]string{`</v2/a/tags/list?n=2&last=b>; rel=next`}, "/v2/a/tags/list?n=2&last=b"},
		{[]string{`<https://x/prev>; rel="prev", <https://x/next>; rel="next"`}, "https://x/next"},
		{[]string{`<https://x/prev>; rel="prev"`, `<https://x/next>; title="t"; rel="next"`}, "https://x/next"},
		{[]string{`<https://x/a>; rel="first next"`}, "https://x/a"},
		{[]string{`<https://x/prev>; rel="prev"`}, ""},
		{[]string{`<https://x/a>; REL="Next"`}, "https://x/a"},
		{[]string{`<https://x/a>; rel="nextpage"`}, ""},
		{[]string{`<https://x/a>; title="next"`}, ""},
		{nil, ""},
	} {
		got, ok, _ := nextLink(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("nextLink(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

// Ranges stop at their upper bound, so they can be read apart.
func TestListTagRangeBounds(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withPageCap(10))
	all := tagcatalog.Prefect()[:95]
	f.setTags("acme/r", all)
	want := slices.Clone(all)
	slices.Sort(want)
	c := newTestClient(t, Config{})
	split := want[42]
	a, err := c.ListTagRange(context.Background(), repoOf(t, f.repo("acme/r")), TagRange{Before: split})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.ListTagRange(context.Background(), repoOf(t, f.repo("acme/r")), TagRange{After: want[41]})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(a, b...); !slices.Equal(got, want) {
		t.Errorf("ranges joined give %d tags, want %d", len(got), len(want))
	}
}

// A repository without tags lists as an empty, non-nil slice.
func TestListTagsEmpty(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			fmt.Fprint(w, `{"name":"acme/x","tags":null}`)
			return true
		}
		return false
	}))
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %#v, %v", got, err)
	}
}
