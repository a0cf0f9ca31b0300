package resolver

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A registry that takes last by position in a list of its own that holds
// one tag twice (taken at its first place), pages of 100, no Link: the
// page after the second place re-reads tags already seen. Before the fix
// the listing took that page for a start over past the end and stopped
// there, and the newest stable release was pinned at 3.8.2, as if 3.8.3
// were never out.
func TestRedteamPositionalDuplicatePicksAsWholeList(t *testing.T) {
	tags := tagcatalog.Prefect()
	sorted := slices.Sorted(slices.Values(tags))
	k := slices.IndexFunc(sorted, func(s string) bool { return strings.HasPrefix(s, "3.8.3-") })
	k = k/100*100 - 1 // the end of the last page before 3.8.3
	order := slices.Insert(slices.Clone(sorted), k, sorted[20])
	const page = 100
	list := func(w http.ResponseWriter, r *http.Request) {
		rest := order
		if last := r.URL.Query().Get("last"); last != "" {
			rest = order[slices.Index(order, last)+1:] // from the start for no tag
		}
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n > page {
			n = page
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": rest[:min(n, len(rest))]})
	}
	reg := registrytest.Prefect(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/tags/list") {
				list(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	whole := prefecttag.NewCatalog(tags)
	repo := reg.Host() + "/prefecthq/prefect"
	for _, s := range []diffSel{{"~> 3.8.0", "3.12", "", false}, {"", "", "", false}, {"", "", "", true}} {
		want := diffWant(whole, diffSelector(t, s))
		pin, err := New(newClient(t)).Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, s)})
		if err != nil || pin.Tag != want {
			t.Errorf("%+v: picked %q (err %v), the whole catalog %q", s, pin.Tag, err, want)
		}
	}
}
