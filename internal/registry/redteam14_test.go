package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// gzipped is body compressed as a registry (or a proxy before it) sends it
// with Content-Encoding: gzip.
func gzipped(t *testing.T, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A guard (it passed): tag list pages sent gzip-compressed count against
// the listing's 64 MiB and a page's 16 MiB as inflated, not as sent, so
// that a small compressed answer (a gzip bomb) cannot pass either bound.
func TestRedteam14GzipTagListCountedInflated(t *testing.T) {
	noDockerConfig(t)
	tagsBody := func(n int) []byte {
		tags := make([]string, n)
		for i := range tags {
			tags[i] = fmt.Sprintf("3.%d.%06d-python3.12", i%10, i)
		}
		b, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": tags})
		return b
	}
	t.Run("pages", func(t *testing.T) {
		raw := tagsBody(40000)
		zipped := gzipped(t, raw)
		s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("c") == "" {
				w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?c=1>; rel="next"`)
			} else if r.URL.Query().Get("c") == "1" {
				w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?c=2>; rel="next"`)
			} else {
				writeTags(w, nil)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(zipped)
		})
		c := newTestClient(t, Config{MaxRetries: 0, RequestTimeout: slowBodyTimeout})
		ref := repoOf(t, s.repo())
		tags, err := c.ListTags(context.Background(), ref)
		if err != nil || len(tags) != 40000 {
			t.Fatalf("got %d tags, %v; want 40000", len(tags), err)
		}
		l := c.listingOf(ref)
		l.mu.Lock()
		counted := l.bytes
		l.mu.Unlock()
		if counted < 2*int64(len(raw)) {
			t.Errorf("%d bytes counted for two pages of %d bytes inflated (%d sent)", counted, len(raw), len(zipped))
		}
	})
	t.Run("bomb", func(t *testing.T) {
		raw := bytes.Repeat([]byte(" "), maxBodySize+1024) // valid JSON once "tags" is around it
		raw = append(append([]byte(`{"tags":[]`), raw...), '}')
		zipped := gzipped(t, raw)
		s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped)
		})
		_, err := newTestClient(t, Config{MaxRetries: 0, RequestTimeout: slowBodyTimeout}).ListTags(context.Background(), repoOf(t, s.repo()))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("larger than %d MiB", maxBodySize>>20)) {
			t.Errorf("a %d KiB answer inflating to %d MiB gave %v; want the page bound", len(zipped)>>10, len(raw)>>20, err)
		}
	})
}

// midListing serves a sorted tag list lexically, by n and last, with Link
// headers carrying both, through its k-th request; from the next on it changes
// its behaviour as mode says.
type midListing struct {
	mu      sync.Mutex
	tags    []string
	reqs, k int
	mode    string
	removed string // the tag deleted meanwhile
	added   string // the tag pushed meanwhile
}

func (m *midListing) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs++
	changed := m.reqs > m.k
	q := r.URL.Query()
	n := 100 // when asked without n
	if s := q.Get("n"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	switch {
	case !changed:
	case m.mode == "delete" && m.removed == "":
		i := len(m.tags) / 3
		m.removed = m.tags[i]
		m.tags = slices.Delete(m.tags, i, i+1)
	case m.mode == "delete last" && m.removed == "" && q.Get("last") != "":
		// The tag the page is asked after vanishes.
		if i, ok := slices.BinarySearch(m.tags, q.Get("last")); ok {
			m.removed = m.tags[i]
			m.tags = slices.Delete(m.tags, i, i+1)
		}
	case m.mode == "push" && m.added == "":
		m.added = "3.1.50-python3.12"
		m.tags = append(m.tags, m.added)
		slices.Sort(m.tags)
	case m.mode == "pages shrink":
		n = max(1, n/2)
	case m.mode == "uneven pages" && m.reqs%2 == 0:
		n = max(1, n-7)
	case m.mode == "n ignored":
		n = 137
	}
	start := 0
	switch {
	case q.Has("cursor"):
		start, _ = strconv.Atoi(q.Get("cursor"))
	case changed && m.mode == "restart":
	case q.Get("last") != "":
		i, found := slices.BinarySearch(m.tags, q.Get("last"))
		start = i
		if found {
			start++
		}
	}
	end := min(len(m.tags), start+n)
	page := m.tags[start:end]
	oneOff := m.mode == "one Link left off" || m.mode == "Link drops n, one left off"
	noLink := changed && (m.mode == "no Link" || oneOff && m.reqs == m.k+1)
	if end < len(m.tags) && !noLink {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {page[len(page)-1]}}
		switch {
		case changed && m.mode == "cursor":
			next = url.Values{"cursor": {strconv.Itoa(end)}}
		case m.mode == "Link drops n" || m.mode == "Link drops n, one left off":
			next.Del("n")
		}
		w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?`+next.Encode()+`>; rel="next"`)
	}
	writeTags(w, page)
}

// sixMinors is 720 release tags, 3.0.0 to 3.5.39 on three Pythons, sorted.
func sixMinors() []string {
	var all []string
	for minor := range 6 {
		for patch := range 40 {
			for _, py := range []string{"3.10", "3.11", "3.12"} {
				all = append(all, fmt.Sprintf("3.%d.%d-python%s", minor, patch, py))
			}
		}
	}
	slices.Sort(all)
	return all
}

// A guard (it passed): a registry that changes how it pages in the middle
// of a listing (from its first, second, third, fifth or tenth request on)
// gives each range its exact tags, or, for a registry that restarts from
// its first page, an error; never a list with tags missing. It starts
// answering by cursor, restarts, drops n from its Links, leaves its Links
// off (once, or from then on), shrinks its pages, cuts them unevenly,
// ignores n, or has a tag deleted (any tag, or the one the next page is
// asked after) or pushed between two pages (the list may hold it or not);
// names that are no tags, some at the ends of pages, change nothing.
func TestRedteam14MidListingChanges(t *testing.T) {
	noDockerConfig(t)
	all := sixMinors()
	// Served among them, names that are no tags (129 characters, not
	// ASCII, with a NUL), some at the ends of pages: dropped as read.
	served := slices.Clone(all)
	for i := range 30 {
		p := fmt.Sprintf("3.%d.%d", i%6, i)
		served = append(served, p+"-"+strings.Repeat("x", 128-len(p)), p+"-python3.12é", p+"-python3.1\x00")
	}
	slices.Sort(served)
	ranges := []TagRange{
		{},
		{After: "3.1.", Before: "3.1/"},
		{After: "3.1.", Before: "3.1/", Splits: []string{"3.1.1", "3.1.2", "3.1.3"}},
		{After: "3.4", Before: "3.5", Splits: []string{"3.4.1", "3.4.2"}},
	}
	for _, mode := range []string{"cursor", "restart", "Link drops n", "no Link", "one Link left off", "delete", "delete last", "push", "pages shrink", "uneven pages", "n ignored"} {
		for _, k := range []int{0, 1, 2, 4, 9} {
			for _, r := range ranges {
				m := &midListing{tags: slices.Clone(served), k: k, mode: mode}
				s := newTagServer(t, m.serve)
				c := newTestClient(t, Config{MaxRetries: 0})
				c.pageSize = 50 // pages of 50, so that each range spans a few
				got, err := c.ListTagRange(context.Background(), repoOf(t, s.repo()), r)
				s.Close()
				want, also := r.filter(all), r.filter(all)
				if m.removed != "" {
					also = slices.DeleteFunc(also, func(t string) bool { return t == m.removed })
				}
				if m.added != "" {
					also = r.filter(append(slices.Clone(all), m.added))
				}
				switch {
				case err != nil && mode == "restart":
				case err != nil:
					t.Errorf("%s from request %d, range %+v: %v", mode, k+1, r, err)
				case !slices.Equal(got, want) && !slices.Equal(got, also):
					t.Errorf("%s from request %d, range %+v: %d tags, want %d (removed %q, added %q):\n%q", mode, k+1, r, len(got), len(want), m.removed, m.added, slices.DeleteFunc(slices.Clone(want), func(t string) bool { return slices.Contains(got, t) }))
				}
			}
		}
	}
}

// A registry whose Links leave n off, so that the pages they lead to hold
// its own number of names (100), fewer than the n asked (300), and which
// leaves the Link off one of them: the list was read as ending there,
// without a sign, and a selection made from its first 400 of 720 tags (a
// range's from its first 400). A page asked without n that holds as many
// names as a linked page asked so, or of which no such page shows the
// size, is no sign of the end: the page after it is asked for.
func TestRedteam14LinkWithoutNLeftOffAFullPage(t *testing.T) {
	noDockerConfig(t)
	all := sixMinors()
	for _, r := range []TagRange{{}, {After: "3.1.", Before: "3.6"}, {After: "3.0~", Before: "3.5"}, {After: "3.0~", Before: "3.5", Splits: []string{"3.4.1", "3.4.2"}}} {
		for k := range 6 { // the Link left off the (k+1)-th answer
			m := &midListing{tags: slices.Clone(all), k: k, mode: "Link drops n, one left off"}
			s := newTagServer(t, m.serve)
			c := newTestClient(t, Config{MaxRetries: 0})
			c.pageSize = 300
			got, err := c.ListTagRange(context.Background(), repoOf(t, s.repo()), r)
			if want := r.filter(all); err != nil || !slices.Equal(got, want) {
				t.Errorf("Link left off answer %d, range %+v: %d tags, %v; want %d", k+1, r, len(got), err, len(want))
			}
		}
	}
}
