package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// reviewList serves a tag list by rules a test picks. Its zero-valued
// extras (collate, linkStyle, linkOff) keep the plain shapes; model_test.go
// sets them for every combination.
type reviewList struct {
	order []string // the registry's order
	cap   int      // most names per page whatever n asks (0: n as asked)
	fixed int      // names per page whatever n says (0: n)
	// last is how the registry takes last:
	//   "lexical": a bound, the tags of its order past last by collate;
	//   "skip": as "lexical", but a last that is no tag is answered from
	//     the second tag past it (CNCF distribution v3.0.0);
	//   "position": after a tag by its place in the order, from the start
	//     for a last that is no tag; "position-empty": an empty page then;
	//   "refuse400", "refuse404": by position, and that status for a last
	//     that is no tag; "refuse500": by position, 500 for a last that is
	//     no valid tag name ("3.1~"), from the start for another no tag;
	//   anything else ("ignore"): from the start.
	last string
	link bool // Link while names remain

	collate   func(a, b string) int // "lexical": the bound's order (nil: byte order)
	linkStyle string                // "" (path with last), "relative" (query alone, with last), "cursor" (next_page, a place in the order)
	linkOff   bool                  // no Link on the last full page (only a partial page follows it)
	// linkEnd: a Link on a full page that ends the list too, to an empty
	// page (a registry that links whenever a page is full).
	linkEnd bool
	// linkN is the n its Links carry: "" the page's own (n as it cut the
	// page), "asked" the request's (none when it sent none), "none" no n
	// (the next page is its default size), "zero" n=0 (GHCR).
	linkN string

	// bytes: a page also ends before the names it holds pass bytes per
	// name of its n (0: no such bound), as a registry capping its answer's
	// size does: long names give short pages, so pages vary in size.
	bytes int
	// byteCap: a page also ends before its names pass byteCap bytes,
	// whatever n asks (0: none).
	byteCap int
	// inclusive: a last that is a tag is answered from that tag, not after
	// it (the answer repeats it).
	inclusive bool
	// cursorAt: a cursor Link's page starts at the tag the cursor names,
	// the page before's last (a tag repeated across the boundary).
	cursorAt bool
}

func (rl reviewList) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	if n == 0 {
		n = 100
	}
	if rl.cap > 0 {
		n = min(n, rl.cap)
	}
	if rl.fixed > 0 {
		n = rl.fixed
	}
	rest, status := rl.after(q)
	if status != 0 {
		writeRegError(w, status, "PAGINATION_NUMBER_INVALID", "last is not a tag")
		return
	}
	page := rest[:min(n, len(rest))]
	if rl.bytes > 0 {
		page = byteCut(page, n*rl.bytes)
	}
	if rl.byteCap > 0 {
		page = byteCut(page, rl.byteCap)
	}
	left := len(rest) - len(page)
	if rl.link && len(page) > 0 && ((left > 0 && (!rl.linkOff || left >= n)) || (left == 0 && rl.linkEnd && len(page) == n)) {
		lastOnPage := page[len(page)-1]
		linkN := "n=" + strconv.Itoa(n) + "&"
		switch rl.linkN {
		case "asked":
			linkN = ""
			if q.Has("n") {
				linkN = "n=" + q.Get("n") + "&"
			}
		case "none":
			linkN = ""
		case "zero":
			linkN = "n=0&"
		}
		target := fmt.Sprintf(`/v2/prefecthq/prefect/tags/list?%slast=%s`, linkN, url.QueryEscape(lastOnPage))
		switch rl.linkStyle {
		case "relative":
			target = fmt.Sprintf(`?last=%s&%s`, url.QueryEscape(lastOnPage), strings.TrimSuffix(linkN, "&"))
		case "cursor":
			target = fmt.Sprintf(`/v2/prefecthq/prefect/tags/list?%snext_page=%s`, linkN, base64.RawURLEncoding.EncodeToString([]byte(lastOnPage)))
		case "both": // last and a cursor both; the cursor is followed
			target = fmt.Sprintf(`/v2/prefecthq/prefect/tags/list?%slast=%s&next_page=%s`, linkN, url.QueryEscape(lastOnPage), base64.RawURLEncoding.EncodeToString([]byte(lastOnPage)))
		case "path": // a relative path
			target = fmt.Sprintf(`list?%slast=%s`, linkN, url.QueryEscape(lastOnPage))
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, target))
	}
	writeTags(w, page)
}

// after is the registry's order from where the request asks it to go on,
// or the status it refuses the request with.
func (rl reviewList) after(q url.Values) ([]string, int) {
	if c := q.Get("next_page"); c != "" {
		b, _ := base64.RawURLEncoding.DecodeString(c)
		if rl.cursorAt {
			return rl.order[slices.Index(rl.order, string(b)):], 0
		}
		return rl.order[slices.Index(rl.order, string(b))+1:], 0
	}
	last := q.Get("last")
	if last == "" {
		return rl.order, 0
	}
	at := slices.Index(rl.order, last)
	switch rl.last {
	case "lexical", "skip":
		var rest []string
		if rl.collate == nil && slices.IsSorted(rl.order) {
			i, found := slices.BinarySearch(rl.order, last)
			if found && !rl.inclusive {
				i++
			}
			rest = rl.order[i:]
		} else {
			cmp := rl.collate
			if cmp == nil {
				cmp = strings.Compare
			}
			for _, t := range rl.order {
				if c := cmp(t, last); c > 0 || (c == 0 && rl.inclusive) {
					rest = append(rest, t)
				}
			}
		}
		if rl.last == "skip" && at < 0 && len(rest) > 0 {
			rest = rest[1:]
		}
		return rest, 0
	case "position", "position-empty", "refuse400", "refuse404", "refuse500":
		switch {
		case at >= 0 && rl.inclusive:
			return rl.order[at:], 0
		case at >= 0:
			return rl.order[at+1:], 0
		case rl.last == "refuse400":
			return nil, http.StatusBadRequest
		case rl.last == "refuse404":
			return nil, http.StatusNotFound
		case rl.last == "refuse500" && !validTag(last):
			return nil, http.StatusInternalServerError
		case rl.last == "position-empty":
			return nil, 0
		}
	}
	return rl.order, 0
}

// byteCut is the head of page that fits in budget bytes, as its JSON
// strings and commas take them, one name at least.
func byteCut(page []string, budget int) []string {
	used := 0
	for i, t := range page {
		used += len(t) + 3
		if used > budget && i > 0 {
			return page[:i]
		}
	}
	return page
}

func reviewTags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("3.%d.%d-python3.12", i/100, i%100)
	}
	slices.Sort(out)
	return out
}

// B: a lexical registry that honours `last`, ignores n and sends pages
// of 1500, without Link. "More names than asked for and no Link" is taken as
// "the whole list": the listing ends after the first page.
func TestListingFixedPageLargerThanN(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000)
	s := newTagServer(t, reviewList{order: all, fixed: 1500, last: "lexical"}.serve)
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err != nil || len(got) != len(all) {
		t.Errorf("ListTags: %d tags, err %v; the registry holds %d", len(got), err, len(all))
	}
}

// M: a registry that takes `last` as a lexical filter, ignores n and
// sends everything after `last` at once, in an order of its own, without
// Link. The narrowed read's first page (asked with last="3.7~") is unproven
// (not sorted) and is handed to listWhole as "the whole list" (up.all), although
// it was asked for after "3.7~". The cached whole list then lacks every tag
// before "3.7~" (3.10.x among them).
func TestListingUpAllIsNotTheWholeList(t *testing.T) {
	noDockerConfig(t)
	var all []string
	for i := range 1500 {
		all = append(all, fmt.Sprintf("3.8.%d-python3.12", i))
	}
	all = append(all, "3.10.0-python3.12", "3.7.0-python3.12")
	slices.Sort(all)
	own := slices.Clone(all)
	slices.Reverse(own) // an order of its own
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		last := r.URL.Query().Get("last")
		var page []string
		for _, tg := range own {
			if tg > last {
				page = append(page, tg)
			}
		}
		writeTags(w, page)
	})
	c := newTestClient(t, Config{})
	ref := repoOf(t, s.repo())
	if _, err := c.ListTagRange(context.Background(), ref, TagRange{After: "3.7~", Before: "3.8~"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ListTags(context.Background(), ref)
	if err != nil || len(got) != len(all) {
		t.Errorf("ListTags after a narrowed read: %d tags (err %v), the registry holds %d; 3.10.0 present: %v",
			len(got), err, len(all), slices.Contains(got, "3.10.0-python3.12"))
	}
}

// E: a registry that links its pages but omits the Link on a full
// page (off by one: Link only while more than one name remains). A full page
// (count == n) without Link is taken as the end.
func TestListingFullPageWithoutLinkEndsList(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(2001)
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		i := 0
		if last := q.Get("last"); last != "" {
			i, _ = slices.BinarySearch(all, last)
			i++
		}
		page := all[i:min(i+n, len(all))]
		if i+n+1 < len(all) { // off by one
			w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=%d&last=%s>; rel="next"`, n, url.QueryEscape(page[len(page)-1])))
		}
		writeTags(w, page)
	})
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err != nil || len(got) != len(all) {
		t.Errorf("ListTags: %d tags (err %v), the registry holds %d; missing %q", len(got), err, len(all), all[len(all)-1])
	}
}

// R: a repository path with a component named "blobs" turns the
// redirect policy off for its tag lists and manifests: sameHostRedirect
// allows any host when the first request's path contains "/blobs/".
func TestListingBlobsInRepositoryPathBypassesRedirectPolicy(t *testing.T) {
	noDockerConfig(t)
	other := newFake(t)
	_, otherDigest := other.pushImage("acme/blobs/prefect", "3-latest", "linux/arm64") // another image
	f := newFake(t)
	_, digest := f.pushImage("acme/blobs/prefect", "3-latest", "linux/amd64")
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/manifests/") {
			http.Redirect(w, r, "http://"+other.host+r.URL.Path, http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	c := newTestClient(t, Config{MaxRetries: 0})
	d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/blobs/prefect")), "3-latest")
	if err == nil || d.Digest == otherDigest {
		t.Errorf("manifest HEAD redirected to %s was followed: pin %s (err %v); the registry's own digest is %s", other.host, d.Digest, err, digest)
	}
}

// S: the 64 MiB bound is checked against what was read before each
// request starts; concurrent pieces each get up to 16 MiB of what is left,
// so one listing reads far more than 64 MiB before it stops.
func TestListingByteBoundOvershotByConcurrentPieces(t *testing.T) {
	noDockerConfig(t)
	filler := make([]string, 0, 150000)
	for i := range cap(filler) {
		filler = append(filler, fmt.Sprintf("4.%030d", i)) // past every split's range below: sorted, valid
	}
	var pieces atomic.Int64
	var served atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		last := r.URL.Query().Get("last")
		if last == "" || last == "/~" {
			// the first page: a few tags and a Link, so that the splits are read
			w.Header().Set("Link", `</v2/prefecthq/prefect/tags/list?n=1000&last=2.0.0>; rel="next"`)
			served.Add(int64(writeTags(w, []string{"2.0.0"})))
			return
		}
		// every piece: wait until 20 are in flight, then ~5 MiB each
		if pieces.Add(1) >= 20 {
			once.Do(func() { close(release) })
		}
		select {
		case <-release:
		case <-time.After(2 * time.Second):
		}
		served.Add(int64(writeTags(w, append([]string{strings.TrimSuffix(last, "~") + "0"}, filler...))))
	})
	c := newTestClient(t, Config{MaxRetries: 0, RequestTimeout: 30 * time.Second})
	_, err := c.ListTagRange(context.Background(), repoOf(t, s.repo()), TagRange{After: "/~", Before: "9~", Splits: []string{
		"2.", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
		"3.", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9",
	}})
	t.Logf("err: %v", err)
	l := c.listingOf(repoOf(t, s.repo()))
	l.mu.Lock()
	read := l.bytes
	l.mu.Unlock()
	if read > MaxListingBytes {
		t.Errorf("one listing read %.0f MiB of tag list bodies (server sent %.0f MiB), bound %d MiB", float64(read)/(1<<20), float64(served.Load())/(1<<20), MaxListingBytes>>20)
	}
}

// P: the first narrowed read of a repository takes the prober role
// before calling the memo; with a context already done, memo.Get returns
// without running fn, so judged() never runs. Every later narrowed read of
// that repository, for the Client's life, waits for a verdict that never
// comes (bounded only by its own context; Terraform's has no deadline).
func TestListingProberWithDoneContextBlocksRepository(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(50)
	s := newTagServer(t, reviewList{order: all, last: "lexical", link: true}.serve)
	c := newTestClient(t, Config{})
	ref := repoOf(t, s.repo())
	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ListTagRange(done, ref, TagRange{After: "3.0", Before: "3.1"})
	t.Logf("first call, context done: %v", err)
	ctx, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	start := time.Now()
	got, err := c.ListTagRange(ctx, ref, TagRange{After: "3.1", Before: "3.2"})
	if err != nil {
		t.Errorf("second call (fresh context): %v after %s, %d tags; the registry answers at once", err, time.Since(start).Round(time.Millisecond), len(got))
	}
}

// U: a range read before the registry was found out of order is
// still served after, even when the same Client holds the whole list. Here
// a positional registry (its order lexical but for 3.8.3-python3.12, pushed
// last; `last` by position; a `last` that is no tag answered from the
// start) answers the release range "from the start", which looks lexical;
// then ListTags reads the whole list (3.8.3 in it); then the 3.8 range is
// served from the first, wrong, range read.
func TestListingServedIgnoresWholeList(t *testing.T) {
	noDockerConfig(t)
	var order []string
	for i := range 3 {
		order = append(order, fmt.Sprintf("3.8.%d-python3.12", i))
	}
	for i := range 1000 {
		order = append(order, fmt.Sprintf("sha-%07x", i))
	}
	order = append(order, "3.8.3-python3.12") // pushed last
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		i := 0
		if j := slices.Index(order, q.Get("last")); j >= 0 {
			i = j + 1
		}
		page := order[i:min(i+n, len(order))]
		if i+n < len(order) {
			w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=%d&last=%s>; rel="next"`, n, url.QueryEscape(page[len(page)-1])))
		}
		writeTags(w, page)
	})
	c := newTestClient(t, Config{})
	ref := repoOf(t, s.repo())
	first, err := c.ListTagRange(context.Background(), ref, TagRange{After: "/~", Before: "9~", Splits: []string{"3.", "3.8"}})
	t.Logf("release range: %q, %v", first, err)
	whole, err := c.ListTags(context.Background(), ref)
	t.Logf("whole list: %d tags, 3.8.3 in it: %v, %v", len(whole), slices.Contains(whole, "3.8.3-python3.12"), err)
	got, err := c.ListTagRange(context.Background(), ref, TagRange{After: "3.7~", Before: "3.8~"})
	if err != nil || !slices.Contains(got, "3.8.3-python3.12") {
		t.Errorf("3.8 range: %q (err %v); the whole list this Client read holds 3.8.3-python3.12", got, err)
	}
}

// I: no Link, pages capped at 100, `last` honoured (the
// "lexical-nolink" shape), and 100 names in a row that are not valid tags
// (here: over 128 characters). The page of invalid names is not "full" (100 <
// n=1000), so the whole listing takes it as the end; the bounded reading says
// unproven and falls back to that same whole listing.
func TestListingInvalidNamesPageEndsUncappedList(t *testing.T) {
	noDockerConfig(t)
	var all []string
	for i := range 150 {
		all = append(all, fmt.Sprintf("3.1.%03d-python3.12", i))
	}
	for i := range 100 {
		all = append(all, fmt.Sprintf("3.2.%03d-%s", i, strings.Repeat("x", 130)))
	}
	for i := range 150 {
		all = append(all, fmt.Sprintf("3.8.%03d-python3.12", i))
	}
	slices.Sort(all)
	s := newTagServer(t, reviewList{order: all, cap: 100, last: "lexical"}.serve)
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil || !strings.Contains(err.Error(), "no valid tag name") {
		t.Errorf("ListTags: %d tags (err %v); a page of names that are no tags, without a Link, cannot be read past: want that error, not a partial list", len(got), err)
	}
	unreadableList(t, err)
}

// unreadableList checks that err says the registry's paging cannot be
// followed to the list's end, as an *UnreadableListError the provider
// gives its advice for, and does not blame the registry's answer or its
// address, as a fault's error does.
func unreadableList(t *testing.T, err error) {
	t.Helper()
	if !errors.As(err, new(*UnreadableListError)) {
		t.Errorf("err = %v; want an *UnreadableListError", err)
	}
	if err != nil && (strings.Contains(err.Error(), "cannot be used") || strings.Contains(err.Error(), "names a container registry")) {
		t.Errorf("the error blames the registry's answer or address for paging no client can follow: %v", err)
	}
}
