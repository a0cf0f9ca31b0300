package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// s3Model55k is distribution v3.1 on S3 (keys in key order, last a byte
// bound) with knobs: pages asked with n hold min(n, nCap) names and link
// the next when filled and n <= nCap (or linkCapped); an answer without n
// holds at most noNCap names (0: all), never linked; a manifest request
// answers 404 for a tag not held, else headManifest's status.
type s3Model55k struct {
	tags       []string // sorted
	nCap       int      // 0: 1000
	linkCapped bool
	noNCap     int
	manifest   func(method, tag string, held bool) int // nil: 404 when not held, else 200
	heads      atomic.Int32
	lists      atomic.Int32
	noN        atomic.Int32
	noNSent    []string
}

func (m *s3Model55k) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tag, ok := strings.CutPrefix(r.URL.Path, "/v2/prefecthq/prefect/manifests/"); ok {
		m.heads.Add(1)
		_, held := slices.BinarySearch(m.tags, tag)
		st := http.StatusNotFound
		if held {
			st = http.StatusOK
		}
		if m.manifest != nil {
			st = m.manifest(r.Method, tag, held)
		}
		if st != http.StatusOK {
			writeRegError(w, st, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("5", 64))
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`))
		}
		return
	}
	m.lists.Add(1)
	keys := keyOrder54r(m.tags)
	q := r.URL.Query()
	nCap := m.nCap
	if nCap == 0 {
		nCap = 1000
	}
	var tags []string
	link := false
	if q.Has("n") {
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 {
			writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
			return
		}
		var filled bool
		tags, filled = s3Paged54r(keys, min(n, nCap), q.Get("last"))
		link = filled && (n <= nCap || m.linkCapped)
		if link {
			v := url.Values{"n": {strconv.Itoa(min(n, nCap))}, "last": {tags[len(tags)-1]}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
	} else {
		tags, _ = s3Paged54r(keys, -1, q.Get("last"))
		if m.noNCap > 0 {
			tags = tags[:min(len(tags), m.noNCap)]
		}
		m.noN.Add(1)
		m.noNSent = slices.Sorted(slices.Values(tags))
	}
	if tags == nil {
		tags = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags})
}

// randomTags55k is a set of names built from short stems and the
// suffixes that put a tag before its stem in key order.
func randomTags55k(rng *rand.Rand, most int) []string {
	stems := []string{"1", "2", "a", "b", "1.0", "2.1", "a_b", "v1"}
	sufs := []string{"", "-c", "-k", ".1", "-c-k", ".1-c", "0", "1", "-", "."}
	set := map[string]bool{}
	for range 1 + rng.IntN(most) {
		t := stems[rng.IntN(len(stems))]
		for range rng.IntN(3) {
			t += sufs[rng.IntN(len(sufs))]
		}
		if validTag(t) {
			set[t] = true
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for t := range set {
			if !yield(t) {
				return
			}
		}
	})
}

// A sweep of S3-like registries over small sets of names built to put
// tags before their stems in key order, read with pages of 2 to 7 names:
// honest (every tag without n), capping every answer without a Link past
// the cap, capping pages and the answer without n at two sizes, or
// cutting only the answer without n. ListTags returns the exact set or an
// error; it must never take an answer without n that lacks a tag. (Sets
// read wrong by the paging alone, the known loss of a twin split by a
// page's end on pages that look lexical, are counted, not failed.) Before
// uncutAfter, 24 of the 20,000 took a cut answer without n.
func TestRedteam55kModelSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(55, 11))
	bad, paged, failedHonest, runs := 0, 0, 0, 0
	for range 20000 {
		m := &s3Model55k{tags: randomTags55k(rng, 30)}
		mode := rng.IntN(4)
		switch mode {
		case 1: // caps every answer without a Link past its cap
			m.nCap = 1 + rng.IntN(8)
			m.noNCap = m.nCap
		case 2: // pages capped without Link, the answer without n at its own cap
			m.nCap = 1 + rng.IntN(8)
			m.noNCap = 1 + rng.IntN(12)
		case 3: // honest pages, the answer without n cut
			m.noNCap = 1 + rng.IntN(12)
		}
		c, ref := zooClient(t, m, "prefecthq/prefect")
		c.pageSize = 2 + rng.IntN(6)
		got, err := c.ListTags(context.Background(), ref)
		runs++
		if err == nil && !slices.Equal(got, m.tags) {
			whole := m.noN.Load() > 0 && slices.Equal(got, m.noNSent)
			if whole {
				bad++
			} else {
				paged++
			}
			if whole && bad <= 8 {
				t.Errorf("WRONG SET (answer without n taken) mode %d page %d nCap %d noNCap %d tags %q: read %q", mode, c.pageSize, m.nCap, m.noNCap, m.tags, got)
			}
		}
		if mode == 0 && err != nil {
			failedHonest++
			if failedHonest <= 5 {
				t.Logf("honest S3 failed: page %d tags %q: %v", c.pageSize, m.tags, err)
			}
		}
	}
	t.Logf("%d runs, %d wrong sets from the answer without n, %d from paging, %d honest failures", runs, bad, paged, failedHonest)
}

// A registry on S3-like storage (keys in key order, last a byte bound)
// that caps its pages at 50 names, leaving the Link off a page cut so (n
// above 50) and linking a filled page asked with n <= 50 (the page of one
// tag among them), and cuts its answer without n at 149 names, its Link
// left off. Its pages show the order of its own, and the paging fails on
// a full page ending at the 149th key; the answer without n ends there too
// (reachedEnd), holds every tag the pages held, and its last key extends
// no tag past a '-' or '.'. Since the page of one tag (b0ab9c3) it passed
// for the whole list: 149 of the first 400 Prefect tags read, no error
// (and, with a page of 3 names, 3 of "2", "2.1", "a.1", "v1.1-c-c-k").
// The page after its last key, capped at 50 names and full, shows it may
// be cut (uncutAfter): refused.
func TestRedteam55kCappedPagesCutAnswerRefused(t *testing.T) {
	prefect := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		tags               []string
		page, nCap, noNCap int
	}{
		{prefect[:400], 0, 50, 149},
		{[]string{"2", "2.1", "a.1", "v1.1-c-c-k"}, 3, 2, 3},
	} {
		m := &s3Model55k{tags: tc.tags, nCap: tc.nCap, noNCap: tc.noNCap}
		c, ref := zooClient(t, m, "prefecthq/prefect")
		if tc.page > 0 {
			c.pageSize = tc.page
		}
		got, err := c.ListTags(context.Background(), ref)
		if err == nil && !slices.Equal(got, m.tags) {
			t.Errorf("%d tags, pages capped at %d, answer without n at %d: WRONG SET without error: read %d; missing %q", len(tc.tags), tc.nCap, tc.noNCap, len(got), head(setDiff(m.tags, got)))
		}
	}
}

// Distribution v3.1 on S3 (distributionS3) holding exactly as many tags
// as a page, 1,000 of Prefect's with their -conda and -kubernetes twins:
// its first page is full and linked, the page after it sends twins read
// before, and its answer without n holds the same 1,000 names as the
// linked page. The page after its last key, not full and holding nothing
// new, and the manifest requests of keyAfterEnd show it whole: read
// exactly, where it failed before with Registry Tag List Cannot Be Read
// Whole (the answer held no more names than the linked page).
func TestRedteam55kS3ExactlyAPageRead(t *testing.T) {
	prefect := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, want := range [][]string{prefect[:1000], prefect[4000:5000]} {
		c, ref := zooClient(t, distributionS3(want), "prefecthq/prefect")
		got, err := c.ListTags(context.Background(), ref)
		if err != nil {
			t.Fatalf("%d tags from %q: %v", len(want), want[0], err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d tags from %q: WRONG SET: read %d; missing %q", len(want), want[0], len(got), head(setDiff(want, got)))
		}
	}
}
