package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// linkPastPage is a lexical registry (n capped at maxN, last exclusive)
// whose Link names as last the first tag of the next page instead of the
// last tag of this one: asked by that Link it answers the tags after it,
// so the tag at every page boundary is on no page.
type linkPastPage struct {
	tags      []string // sorted
	maxN      int
	inclusive bool // last is taken inclusively: its Links lose no tag
}

func (d *linkPastPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/tags/list") {
		(&orderedDouble{name: "prefecthq/prefect", tags: d.tags}).ServeHTTP(w, r)
		return
	}
	q := r.URL.Query()
	rest := d.tags
	if last := q.Get("last"); last != "" {
		i, found := slices.BinarySearch(d.tags, last)
		if found && !d.inclusive {
			i++
		}
		rest = d.tags[i:]
	}
	n := d.maxN
	if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v < n {
		n = v
	}
	page := rest[:min(n, len(rest))]
	if len(page) < len(rest) {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {rest[len(page)]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?%s>; rel="next"`, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": page})
}

// A Link whose last lies past the last tag of its page skips the tags
// between: a listing that follows it must not return the rest as the
// whole list (or the whole range). It reads every tag, or fails naming
// the registry.
func TestLinkPastItsPageReadsEveryTagOrFails(t *testing.T) {
	tags := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	r34 := registry.TagRange{After: "3.4.", Before: "3.4/"}
	want34 := inRange(tags, r34)
	for _, maxN := range []int{100, 1000} {
		t.Run(fmt.Sprintf("n%d", maxN), func(t *testing.T) {
			srv := httptest.NewServer(&linkPastPage{tags: tags, maxN: maxN})
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "http://")
			repo, err := registry.ParseRepository(host + "/prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want []string, err error) {
				t.Helper()
				switch {
				case err != nil && (!strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "its Links skip tags")):
					t.Errorf("%s: the error does not name the registry %s and say its Links skip tags: %v", what, host, err)
				case err == nil && !slices.Equal(got, want):
					missing := slices.DeleteFunc(slices.Clone(want), func(t string) bool { _, ok := slices.BinarySearch(got, t); return ok })
					t.Errorf("%s: %d tags of %d and no error; missing %d, among them %q", what, len(got), len(want), len(missing), missing[:min(3, len(missing))])
				}
			}
			whole, err := newClient(t).ListTags(context.Background(), repo)
			check("the whole list", whole, tags, err)
			part, err := newClient(t).ListTagRange(context.Background(), repo, r34)
			check("the range of 3.4", part, want34, err)
			// A selector whose newest image lies on a page boundary: with
			// pages of 1000, 3.1.1.dev3-python3.12 (3.1.1.dev3-python3.11
			// was pinned instead).
			picksAsTheWholeCatalog(t, host, "prefecthq/prefect", tags, []wantedSelector{{"3.1.1.dev3", "", "", false}, {"~> 3.4.0", "", "", false}}, "its Links skip tags")
		})
	}
}

// A registry whose Link names the next page's first tag as last and takes
// last inclusively, so that page starts with it, loses no tag: its list is
// read whole, with no request past its pages.
func TestLinkToNextPagesFirstTagTakenInclusivelyReadsWhole(t *testing.T) {
	tags := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var lists atomic.Int32
	d := &linkPastPage{tags: tags, maxN: 1000, inclusive: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			lists.Add(1)
		}
		d.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	repo, err := registry.ParseRepository(strings.TrimPrefix(srv.URL, "http://") + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	got, err := newClient(t).ListTags(context.Background(), repo)
	if err != nil || !slices.Equal(got, tags) {
		t.Fatalf("%d of %d tags, err %v; want every tag", len(got), len(tags), err)
	}
	if n, pages := lists.Load(), int32((len(tags)+999)/1000); n != pages {
		t.Errorf("%d tag list requests, want %d (one per page)", n, pages)
	}
}

func inRange(tags []string, r registry.TagRange) []string {
	return slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return t <= r.After || t >= r.Before })
}

func newClient(t *testing.T) *registry.Client {
	t.Helper()
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: registry.UseDefaultRetries})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
