package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Distribution v3.1 on S3 (distributionS3) holding fewer tags than a page,
// or a little more, with a tag and its suffixed twins among them: a mirror
// of some Prefect images. Its pages list them in key order and, asked
// after the last, it sends twins read before, so paging cannot show the
// list whole; no page was full enough to be linked. Every list is read
// exactly: before, 94 of these 600 failed (Registry Tag List Cannot Be Read
// Whole), as the answer without n was refused for want of a linked page
// to weigh it against; it is now taken once the page after its last key
// shows it was not cut (uncutAfter, keyAfterEnd).
// The real registry: TestRealV3OnS3ReadsAShortList.
func TestS3ShortListsReadWhole(t *testing.T) {
	all := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var lists [][]string
	for size := 1; size <= 2100; size += 7 {
		lists = append(lists, all[:size])
	}
	rng := rand.New(rand.NewPCG(55, 1))
	for range 300 {
		var sub []string
		for _, j := range rng.Perm(len(all))[:2+rng.IntN(400)] {
			sub = append(sub, all[j])
		}
		lists = append(lists, slices.Sorted(slices.Values(sub)))
	}
	for _, want := range lists {
		c, ref := zooClient(t, distributionS3(want), "prefecthq/prefect")
		got, err := c.ListTags(context.Background(), ref)
		if err != nil {
			t.Fatalf("%d tags from %q: %v", len(want), want[0], err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d tags from %q: WRONG SET without error: read %d; missing %q", len(want), want[0], len(got), head(setDiff(want, got)))
		}
	}
}

// The same store behind a registry that links the pages it fills when
// asked with n but cuts every answer at 40 names, leaving the Link off
// when n was not asked or was above 40: its answer without n, 40 names in
// key order with no Link, would pass for the whole list. Each list is read
// exactly or refused (a page held tags the answer lacks, the page after its
// last key was cut: uncutAfter, or a manifest HEAD finds a tag after its
// last key: keyAfterEnd), never a part taken as the whole. On main before
// this stop, 41 tags were read as 40 with no error.
func TestS3ShortListCutWithoutLinkRefused(t *testing.T) {
	const cut = 40
	all := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, size := range []int{41, 57, 120, 400} {
		want := all[:size]
		keys := keyOrder54r(want)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if manifestOfS3(w, r, want) {
				return
			}
			q := r.URL.Query()
			n, err := strconv.Atoi(q.Get("n"))
			if err != nil {
				n = -1
			}
			tags, filled := s3Paged54r(keys, n, q.Get("last"))
			if n < 0 || n > cut {
				tags, filled = tags[:min(len(tags), cut)], false
			}
			if filled {
				v := url.Values{"n": {strconv.Itoa(n)}, "last": {tags[len(tags)-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": append([]string{}, tags...)})
		})
		c, ref := zooClient(t, h, "prefecthq/prefect")
		got, err := c.ListTags(context.Background(), ref)
		if err == nil && !slices.Equal(got, want) {
			t.Fatalf("%d tags: WRONG SET without error: read %d; missing %q", size, len(got), head(setDiff(want, got)))
		}
		t.Logf("%d tags: %v", size, err)
	}
}
