package registry

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A lexical registry, pages of 25 linked by last, that answers a last
// that is no tag (a range's start) with an empty page whose Link jumps
// four tags ahead. The range's next page was checked only against the
// last tag of a page before, and there was none: the four tags were lost
// from every minor's range, with no error.
func TestRedteamEmptyPageLinkMayNotJumpAhead(t *testing.T) {
	sorted := modelCatalog()
	link := func(n int, last string) string {
		return "/v2/prefecthq/prefect/tags/list?" + url.Values{"n": {strconv.Itoa(n)}, "last": {last}}.Encode()
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		last := q.Get("last")
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n > 25 {
			n = 25
		}
		i, found := slices.BinarySearch(sorted, last)
		if found {
			i++
		}
		rest := sorted[i:]
		if last != "" && !validTag(last) && strings.HasPrefix(last, "3.") && len(rest) > 5 {
			w.Header().Set("Link", `<`+link(n, rest[3])+`>; rel="next"`)
			writeTags(w, []string{})
			return
		}
		if len(rest) > n {
			rest = rest[:n]
			w.Header().Set("Link", `<`+link(n, rest[n-1])+`>; rel="next"`)
		}
		writeTags(w, rest)
	})
	runZoo(t, h, "prefecthq/prefect", sorted, true)
}
