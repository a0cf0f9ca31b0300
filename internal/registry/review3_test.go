package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// A registry that links its pages, caps n at 100 whatever is asked, and
// leaves the Link off a full page when one name remains after it (the
// off-by-one of TestListingFullPageWithoutLinkEndsList, under a cap). A
// page of 100 without a Link is less than the n of 1000 asked for, but it
// is as full as the registry's linked pages: it does not end the list.
func TestReview3CappedFullPageWithoutLink(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(2001)
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		n = min(n, 100)
		i := 0
		if last := q.Get("last"); last != "" {
			i, _ = slices.BinarySearch(all, last+"\x00")
		}
		page := all[i:min(i+n, len(all))]
		if i+n+1 < len(all) { // off by one
			w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=%d&last=%s>; rel="next"`, n, url.QueryEscape(page[len(page)-1])))
		}
		writeTags(w, page)
	})
	ref := repoOf(t, s.repo())
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), ref)
	if err != nil || !slices.Equal(got, all) {
		t.Errorf("ListTags: %d tags (err %v), want %d", len(got), err, len(all))
	}
	rg := TagRange{After: "3.1~", Before: "3.9~"}
	got, err = newTestClient(t, Config{}).ListTagRange(context.Background(), ref, rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Errorf("range %+v: %d tags (err %v), want %d", rg, len(got), err, len(want))
	}
}
