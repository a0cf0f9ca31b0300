package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

// Registries in lexical order, linking their pages, that answer a last
// that is no tag with 404, or one that is no valid tag name ("3.1~", the
// start of a range) with 500, rather than 400. That is no missing
// repository nor a failing registry (its first page and every real last
// are answered): the range is read from the whole list, not failed as
// "the repository does not exist there" or a server error.
func TestReview3LastThatIsNoTagAnsweredWithError(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000)
	for _, status := range []int{http.StatusNotFound, http.StatusInternalServerError} {
		lex := reviewList{order: all, last: "lexical", link: true}
		s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			last := r.URL.Query().Get("last")
			if status == http.StatusNotFound && last != "" && !slices.Contains(all, last) ||
				status == http.StatusInternalServerError && strings.Contains(last, "~") {
				writeRegError(w, status, "NAME_UNKNOWN", "unknown tag")
				return
			}
			lex.serve(w, r)
		})
		rg := TagRange{After: "3.1~", Before: "3.2~", Splits: []string{"3.10", "3.15"}}
		got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, s.repo()), rg)
		if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
			t.Errorf("HTTP %d for a last that is no tag: %d tags (err %v), want %d", status, len(got), err, len(want))
		}
	}
}

// The listing timeout bounds a reading, all its pieces, fallbacks and
// retries together, not the Client's life: a range asked for after the
// listing has been idle longer than the timeout since its first request
// (a data source read during apply, after a slow resource) is read, not
// failed at once as "not read within the listing timeout". (The test sets
// the first window's deadline in the past rather than waiting it out.)
func TestReview3ListingTimeoutIsPerReading(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000)
	s := newTagServer(t, reviewList{order: all, last: "lexical", link: true}.serve)
	c := newTestClient(t, Config{ListingTimeout: time.Minute})
	ref := repoOf(t, s.repo())
	if _, err := c.ListTagRange(context.Background(), ref, TagRange{After: "3.1~", Before: "3.2~"}); err != nil {
		t.Fatal(err)
	}
	l := c.listingOf(ref)
	l.mu.Lock()
	l.deadline = time.Now().Add(-time.Second) // a minute and more went by
	l.mu.Unlock()
	rg := TagRange{After: "3.2~", Before: "3.3~"}
	got, err := c.ListTagRange(context.Background(), ref, rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Errorf("range %+v read after the listing was idle: %d tags (err %v), want %d", rg, len(got), err, len(want))
	}
}

// A 200 whose body is JSON but no tag list (a distribution error body, an
// empty object, null), on the first page or on one linked after it, is an
// error, not an empty list or the end of the list: prefectimage_releases
// would say "no release" and a range would stop short. "tags": null, as
// registries send for a repository without tags, is an empty list.
func TestReview3AnswerWithoutTagsField(t *testing.T) {
	noDockerConfig(t)
	for _, body := range []string{`{"errors":[{"code":"DENIED","message":"denied"}]}`, `{}`, `null`} {
		for _, second := range []bool{false, true} {
			s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
				if second && r.URL.Query().Get("last") == "" {
					w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?n=1000&last=3.0.0>; rel="next"`)
					writeTags(w, []string{"3.0.0"})
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, body)
			})
			got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
			if err == nil || !strings.Contains(err.Error(), `no "tags"`) {
				t.Errorf("%s (on page 2: %v): %q, err %v; want an error saying it holds no tags", body, second, got, err)
			}
		}
	}
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"name":"prefecthq/prefect","tags":null}`)
	})
	if got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo())); err != nil || len(got) != 0 {
		t.Errorf(`"tags": null: %q, %v; want no tags and no error`, got, err)
	}
}

// A registry that ignores last, sends no Link and caps n at the wide page
// the whole reading asks for last (widePage), holding more tags than that:
// the wide answer is full, so it may not be the whole list, and nothing
// pages past it. An error, as the reliability guide says, not a list cut
// at 100,000 tags.
func TestReview3WidePageFilled(t *testing.T) {
	noDockerConfig(t)
	all := make([]string, widePage+1)
	for i := range all {
		all[i] = fmt.Sprintf("3.%06d", i)
	}
	s := newTagServer(t, reviewList{order: all, cap: widePage, last: "ignore"}.serve)
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil {
		t.Errorf("ListTags: %d tags and no error; the registry holds %d and filled the widest page asked for", len(got), len(all))
	}
}

// A registry that answers last as a lexical bound (it passes the order
// verdict) but lists one re-pushed tag, 3.1.9, after 3.2.5. The
// range of 3.1 stops at 3.2.0 and misses it; the range of 3.2, read at the
// same time, sees the disorder and reads the whole list. The range of 3.1,
// finishing after that (its last page waits for the whole reading), is
// read from the whole list too, not kept: a reading proven by its own
// pages is not trusted once another reading of the same list was not.
func TestRangeFinishingAfterAnotherFoundDisorderReadsWhole(t *testing.T) {
	noDockerConfig(t)
	var order []string
	for _, minor := range []string{"3.0.", "3.1.", "3.2.", "3.3."} {
		for i := range 10 {
			if t := minor + strconv.Itoa(i); t != "3.1.9" {
				order = append(order, t)
			}
		}
	}
	order = slices.Insert(order, slices.Index(order, "3.2.5")+1, "3.1.9")
	disorderSeen := make(chan struct{})
	var once sync.Once
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		n = min(n, 4)
		last := q.Get("last")
		if last == "3.1.7" { // the last page of the range of 3.1
			<-disorderSeen
		}
		i := 0
		if last != "" {
			if i = slices.IndexFunc(order, func(t string) bool { return t > last }); i < 0 {
				i = len(order)
			}
		}
		if last == "3.0.3" { // the whole list's second page: the disorder was seen
			once.Do(func() { close(disorderSeen) })
		}
		writeTags(w, order[i:min(i+n, len(order))])
	})
	c := newTestClient(t, Config{})
	ref := repoOf(t, s.repo())
	ranges := []TagRange{{After: "3.1", Before: "3.2"}, {After: "3.2", Before: "3.3"}}
	got := make([][]string, len(ranges))
	var wg sync.WaitGroup
	for i, rg := range ranges {
		wg.Go(func() {
			var err error
			if got[i], err = c.ListTagRange(context.Background(), ref, rg); err != nil {
				t.Errorf("range %+v: %v", rg, err)
			}
		})
	}
	wg.Wait()
	for i, rg := range ranges {
		if want := inRange(slices.Sorted(slices.Values(order)), rg); !slices.Equal(got[i], want) {
			t.Errorf("range %+v = %v, want %v", rg, got[i], want)
		}
	}
}

// A registry that answers the first page of a tag list, links the next
// and answers that with 404: the repository exists, so the error does not
// say it is missing, and it is no "not found" that could be read as a
// missing tag.
func TestLaterTagListPageNotFoundIsNoMissingRepository(t *testing.T) {
	noDockerConfig(t)
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("last") != "" {
			http.Error(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?n=2&last=3.0.1>; rel="next"`)
		writeTags(w, []string{"3.0.0", "3.0.1"})
	})
	_, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil || IsNotFound(err) || strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "page 2 of the tag list") {
		t.Errorf("err = %v, want an error naming page 2 of the tag list, not a missing repository", err)
	}
}

// A lexical registry that refuses an n above 100 (400, as CUE's
// ociregistry with MaxListPageSize 100, or CNCF distribution v3.1.0 above
// its tags.maxtags) is read by range once the order probe, sent beside the
// first page with the n the registry then refused, is asked again without
// n, as its pages without n are linked. Taken for a refusal of last, the
// probe sent every range to a full listing (31 pages here) and logged that
// the registry refused last. (Where pages without n are not linked, the
// first is most often the whole list, and the whole list is read:
// resolver's TestCUERegistryPicksAsFullCatalog.)
func TestOrderProbeAskedAgainWithoutRefusedN(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000)
	lex := reviewList{order: all, cap: 100, last: "lexical", link: true}
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n, _ := strconv.Atoi(r.URL.Query().Get("n")); n > 100 {
			writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "n is above 100")
			return
		}
		lex.serve(w, r)
	})
	rg := TagRange{After: "3.1~", Before: "3.2~"}
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, s.repo()), rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Fatalf("%d tags (err %v), want %d", len(got), err, len(want))
	}
	// The first page twice (n refused, then without), the probe twice, the
	// order check between two tags of the first page (checkOrder), and the
	// range's 1,100 tags in pages of 100 past the probe's, with one more to
	// see its end.
	if n, most := s.lists.Load(), int64(5+len(inRange(all, rg))/100); n > most {
		t.Errorf("%d tag-list requests, want at most %d: the range was not read alone", n, most)
	}
}
