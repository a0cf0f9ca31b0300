package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// maxTagPages bounds one listing: 100,000 pages is far beyond any real
// repository and stops a registry that pages forever.
const maxTagPages = 100000

// maxConcurrentPages bounds the tag list pages one range reads at once.
const maxConcurrentPages = 32

// TagRange is a lexical range of a repository's tags: those that sort after
// After and before Before, in byte order as registries sort them. An empty
// After or Before leaves that side open; the zero TagRange is every tag.
type TagRange struct {
	After  string
	Before string

	// Splits are points inside the range where its listing may be cut into
	// pieces read concurrently: when the range does not fit in its first
	// page, the rest is read as one piece per split that lies beyond that
	// page, each piece from its split (the `last` parameter) to the next
	// split, all at once, and the pieces are stitched. Points outside the
	// range are ignored. Splits change how a range is read, never what it
	// holds; without any, pages are read one after another. Good splits are
	// prefixes at which the repository's tag names branch ("3.", "3.4",
	// "sha-"), so that each piece is about one page.
	Splits []string
}

// contains reports whether tag lies inside the range.
func (r TagRange) contains(tag string) bool {
	return (r.After == "" || tag > r.After) && (r.Before == "" || tag < r.Before)
}

// appendIn appends to dst the tags that lie inside the range.
func (r TagRange) appendIn(dst, tags []string) []string {
	for _, t := range tags {
		if r.contains(t) {
			dst = append(dst, t)
		}
	}
	return dst
}

// whole reports whether the range is every tag.
func (r TagRange) whole() bool { return r.After == "" && r.Before == "" }

// memoKey is the cache key of the range's listing in repository key.
func (r TagRange) memoKey(repoKey string) string {
	if r.whole() {
		return repoKey
	}
	return repoKey + "\x00" + r.After + "\x00" + r.Before
}

// ListTags returns every tag of the repository, read to the last page
// (Link headers, n and last), de-duplicated and sorted, pages one after
// another. It is ListTagRange with the zero TagRange: see there for
// caching.
func (c *Client) ListTags(ctx context.Context, repository string) ([]string, error) {
	return c.ListTagRange(ctx, repository, TagRange{})
}

// ListTagRange returns the repository's tags inside r, de-duplicated and
// sorted, read as r.Splits allow (see TagRange). Every piece is read to
// its end: until a page passes the piece's upper bound, or the registry's
// list ends. A registry that does not honour `last` for a piece (it pages
// by opaque cursor, or ignores `last`) gets the range read again one page
// after another, with the checks ListTags makes.
//
// The result is memoized per normalized repository and range for the
// Client's lifetime, and a range is served from a cached listing of every
// tag when there is one; concurrent callers wait for the one listing, and
// failures are not cached (nothing of a listing that failed in one piece
// is kept). The returned slice is the caller's own.
func (c *Client) ListTagRange(ctx context.Context, repository string, r TagRange) ([]string, error) {
	const action = "list tags"
	ref, err := c.parseRepository(repository)
	if err != nil {
		return nil, invalid(repository, action, err)
	}
	if !r.whole() {
		if all, ok := c.tagLists.Cached(ref.key); ok {
			return r.appendIn(make([]string, 0), all), nil // the caller's own slice
		}
	}
	tags, err := c.tagLists.Get(ctx, r.memoKey(ref.key), func(ctx context.Context) ([]string, error) {
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return nil, err
		}
		tags, err := c.readRange(ctx, ref, rt, r)
		if err != nil {
			return nil, err
		}
		slices.Sort(tags)
		return slices.Compact(tags), nil
	})
	if err != nil {
		return nil, c.fail(ref, action, err)
	}
	return append(make([]string, 0, len(tags)), tags...), nil
}

// readRange reads the tags inside r: the first page, then, when the range
// goes on, the rest in pieces cut at r.Splits beyond the first page, read
// concurrently (see TagRange). Registries that page by opaque cursor, or
// that ignore `last`, are read one page after another.
func (c *Client) readRange(ctx context.Context, ref repoRef, rt *repoTransport, r TagRange) ([]string, error) {
	first := c.newTagPager(ref, rt, r.After, r.Before, false)
	out, err := first.page(ctx)
	if err != nil && r.After != "" && statusOf(err) == http.StatusBadRequest {
		// The registry refuses a `last` that is not one of its tags.
		return c.readFromStart(ctx, ref, rt, r)
	}
	if err != nil || first.done {
		return out, err
	}
	var splits []string
	for _, s := range r.Splits {
		if s > first.highest && r.contains(s) {
			splits = append(splits, s)
		}
	}
	slices.Sort(splits)
	splits = slices.Compact(splits)
	if len(splits) == 0 || first.cursor || first.startedOver {
		// Nothing to cut at, or a registry whose pages cannot be asked
		// for by `last`: one page after another.
		rest, err := first.rest(ctx)
		return append(out, rest...), err
	}
	// Each split is sent as `last`, though it is no tag: a piece is
	// trusted only if it starts at the first tag its neighbour saw beyond
	// the split (below).

	// The first piece goes on from the first page (following its Link) up
	// to and with the first split; each further piece runs from its split
	// (exclusive, as `last`) up to and with the next, the last one to
	// r.Before.
	first.to, first.through = splits[0], true
	pagers := []*tagPager{first}
	for i, s := range splits {
		to, through := r.Before, false
		if i+1 < len(splits) {
			to, through = splits[i+1], true
		}
		p := c.newTagPager(ref, rt, s, to, through)
		p.strict = true
		pagers = append(pagers, p)
	}
	pieces := make([][]string, len(pagers))
	errs := make([]error, len(pagers))
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, maxConcurrentPages)
	var wg sync.WaitGroup
	for i, p := range pagers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-pctx.Done():
				errs[i] = pctx.Err()
				return
			}
			defer func() { <-sem }()
			pieces[i], errs[i] = p.rest(pctx)
			if errs[i] != nil && !refusedSplit(i, errs[i]) {
				cancel() // the listing fails: stop the other pieces
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sequential := false
	for i, err := range errs {
		switch {
		case err == nil:
		case refusedSplit(i, err):
			sequential = true
		case errors.Is(err, context.Canceled):
			// Stopped because another piece failed: that error is the one
			// to report.
		default:
			return nil, err
		}
	}
	if !sequential {
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}

	// Every piece must have been read to its end. A piece whose first page
	// came back from before its split met a registry that ignores `last`,
	// unless an earlier piece already reached the end of the list (some
	// registries, go-containerregistry's among them, start over when asked
	// for the page after their last tag).
	ended := false
	for i, p := range pagers {
		if sequential {
			break
		}
		switch {
		case p.startedOver && ended:
			pieces[i] = nil
		case p.startedOver:
			sequential = true
		case !p.done:
			return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the tag list range after %q was not read to its end", p.from)}
		case i > 0 && !ended && p.lowest != pagers[i-1].beyond:
			// The piece before stopped at a tag past this split; a
			// registry that answers this piece from anywhere else (an
			// empty page, say, for a `last` that is not a tag) cannot be
			// trusted to have read it whole.
			sequential = true
		case p.atEnd:
			ended = true
		}
	}
	if sequential {
		c.debug(ctx, "registry does not page its tag list by last; reading it one page after another", map[string]any{
			"registry": ref.registry, "repository": ref.written,
		})
		return c.readTagRange(ctx, ref, rt, r.After, r.Before)
	}
	for _, p := range pieces[1:] {
		out = append(out, p...)
	}
	return append(pieces[0], out...), nil
}

// readFromStart reads the tags inside r from the start of the list, for a
// registry that refuses r.After as a `last` value because it is no tag.
func (c *Client) readFromStart(ctx context.Context, ref repoRef, rt *repoTransport, r TagRange) ([]string, error) {
	c.debug(ctx, "registry refuses last values that are not tags; reading the tag list from its start", map[string]any{
		"registry": ref.registry, "repository": ref.written,
	})
	tags, err := c.readTagRange(ctx, ref, rt, "", r.Before)
	if err != nil {
		return nil, err
	}
	return r.appendIn(tags[:0], tags), nil
}

// refusedSplit reports whether piece i failed because the registry refused
// its split as a `last` value (400): the range is then read one page after
// another instead. The first piece sends no split.
func refusedSplit(i int, err error) bool {
	return i > 0 && statusOf(err) == http.StatusBadRequest
}

// readTagRange reads the tag list of the repository from the page after
// `from` (the `last` parameter; "" for the first page) until the registry
// has no more pages, or until a page reaches `until` ("" for no bound),
// pages one after another. It returns the tags read that sort after from
// and before until, in the registry's order.
//
// It follows Link headers (relative or absolute, same host only, never a
// URL already read). For registries that send no Link, a full page (n tags)
// is followed by a request with last set to its last tag; an empty or short
// page ends the listing, and so does a page that starts over once the
// registry has honoured last before; one that never honours last is an
// error rather than a silently truncated list. A page of more than n tags
// without Link is the registry's whole list: CNCF distribution 2.x ignores
// n and last and answers every tag at once, unsorted.
//
// A range touches no shared state, so several (from, until) ranges can be
// read concurrently and concatenated, relying on the registry's lexical tag
// order as the distribution specification requires.
func (c *Client) readTagRange(ctx context.Context, ref repoRef, rt *repoTransport, from, until string) ([]string, error) {
	p := c.newTagPager(ref, rt, from, until, false)
	return p.rest(ctx)
}

// tagPager reads one range of the tag list, page by page.
type tagPager struct {
	c   *Client
	ref repoRef
	rt  *repoTransport
	n   int

	from    string // tags up to and with from are outside ("" for none); sent as last
	to      string // tags past to are outside ("" for none)
	through bool   // to itself is inside
	strict  bool   // a first page holding tags up to from is noted as startedOver, and ends the read

	next     *url.URL
	read     map[string]bool
	last     string
	advanced bool // a page asked for with last moved past it
	pages    int

	highest     string // the highest tag seen
	lowest      string // the lowest tag seen after from, in range or past it
	beyond      string // the lowest tag seen past the range's upper end
	done        bool   // read to the range's end
	atEnd       bool   // done because the registry's list ended, not because a page passed `to`
	cursor      bool   // the registry's Link pages by something else than last
	startedOver bool   // the first page held tags up to from: the registry ignored last
}

func (c *Client) newTagPager(ref repoRef, rt *repoTransport, from, to string, through bool) *tagPager {
	return &tagPager{
		c: c, ref: ref, rt: rt, n: c.pageSize,
		from: from, to: to, through: through,
		next: c.tagsURL(ref, c.pageSize, from),
		read: map[string]bool{},
		last: from,
	}
}

// past reports whether t sorts beyond the range's upper end.
func (p *tagPager) past(t string) bool {
	switch {
	case p.to == "":
		return false
	case p.through:
		return t > p.to
	default:
		return t >= p.to
	}
}

// rest reads the pages left, up to the range's end.
func (p *tagPager) rest(ctx context.Context) ([]string, error) {
	var out []string
	for !p.done {
		tags, err := p.page(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, tags...)
	}
	return out, nil
}

// page reads the next page and returns its tags inside the range.
func (p *tagPager) page(ctx context.Context) ([]string, error) {
	if p.pages >= maxTagPages {
		return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the tag list did not end after %d pages", maxTagPages)}
	}
	key := pageKey(p.next)
	if p.read[key] {
		return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry's Link header leads back to a page already read (%s), so paging stopped to avoid a loop", p.next.RequestURI())}
	}
	p.read[key] = true
	p.pages++

	tags, link, err := p.c.readTagPage(ctx, p.ref, p.rt, p.next)
	if err != nil {
		return nil, err
	}
	if p.pages == 1 && p.from != "" && slices.ContainsFunc(tags, func(t string) bool { return t <= p.from }) {
		// The first page holds tags up to from: the registry ignored last
		// (CNCF distribution 2.x sends its whole list). A strict piece stops
		// here; others keep what lies inside the range.
		p.startedOver = true
		if p.strict {
			p.done = true
			return nil, nil
		}
	}
	reached := false
	var out []string
	for _, t := range tags {
		if t > p.highest {
			p.highest = t
		}
		if t > p.from && (p.lowest == "" || t < p.lowest) {
			p.lowest = t
		}
		if p.from != "" && t <= p.from {
			continue
		}
		if p.past(t) {
			reached = true
			if p.beyond == "" || t < p.beyond {
				p.beyond = t
			}
			continue
		}
		out = append(out, t)
	}
	n := p.n
	switch {
	case reached:
		p.done = true
	case link != nil:
		if p.pages == 1 && !link.Query().Has("last") {
			p.cursor = true
		}
		p.next = link
	case len(tags) > n:
		// More than n tags and no Link: the registry ignores n and sent
		// its whole list at once, as CNCF distribution 2.x (the
		// registry:2 image, Debian's docker-registry) does, unsorted.
		p.done, p.atEnd = true, true
	case len(tags) == 0 || len(tags) < n:
		p.done, p.atEnd = true, true
	default:
		lt := tags[len(tags)-1]
		if p.last != "" && lt <= p.last {
			if p.advanced {
				// The registry honoured last before and started over
				// once past the end, as go-containerregistry's
				// pkg/registry does: the listing is complete.
				p.done, p.atEnd = true, true
				return out, nil
			}
			return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry ignores the last parameter of its tag list (the page after %q started over at %q) and sends no Link header, so the full list cannot be read", p.last, tags[0])}
		}
		if p.last != "" {
			p.advanced = true
		}
		p.last = lt
		p.next = p.c.tagsURL(p.ref, n, lt)
	}
	return out, nil
}

// readTagPage reads one page of the tag list and resolves its next Link.
func (c *Client) readTagPage(ctx context.Context, ref repoRef, rt *repoTransport, u *url.URL) ([]string, *url.URL, error) {
	resp, err := c.fetch(ctx, ref, rt, http.MethodGet, u.String(), []string{"application/json"})
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(resp.body, &page); err != nil {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the tag list at %s is not valid JSON", u.RequestURI()), cause: err}
	}
	tags := page.Tags[:0]
	for _, t := range page.Tags {
		if t != "" {
			tags = append(tags, t)
		}
	}
	link, ok := nextLink(resp.header.Values("Link"))
	if !ok {
		return tags, nil, nil
	}
	next, err := resp.url.Parse(link)
	if err != nil {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not a URL", link), cause: err}
	}
	if next.Scheme != "http" && next.Scheme != "https" {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not an HTTP URL, so paging stopped", link)}
	}
	if !sameHost(next.Host, next.Scheme, ref.repo.RegistryStr(), resp.url.Scheme) {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header points to another host (%s), which is refused; only pages on %s are read", next.Host, ref.registry)}
	}
	return tags, next, nil
}

// tagsURL is the tag list URL asking for n tags after last. The scheme is
// corrected to the one the ping found by go-containerregistry's transport.
func (c *Client) tagsURL(ref repoRef, n int, last string) *url.URL {
	q := url.Values{}
	q.Set("n", strconv.Itoa(n))
	if last != "" {
		q.Set("last", last)
	}
	return &url.URL{
		Scheme:   "https",
		Host:     ref.repo.RegistryStr(),
		Path:     "/v2/" + ref.repo.RepositoryStr() + "/tags/list",
		RawQuery: q.Encode(),
	}
}

// pageKey identifies a page whatever the scheme, host spelling or order of
// query parameters.
func pageKey(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// nextLink finds the rel="next" target in Link header values (RFC 8288).
func nextLink(values []string) (string, bool) {
	for _, v := range values {
		for v != "" {
			start := strings.IndexByte(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			rest := v[start+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target, true
					}
				}
			}
			v = rest
		}
	}
	return "", false
}

// sameHost compares two hosts, folding Docker Hub's names and default
// ports.
func sameHost(a, schemeA, b, schemeB string) bool {
	return canonicalHost(a, schemeA) == canonicalHost(b, schemeB)
}

func canonicalHost(h, scheme string) string {
	k, err := normalizeHostPort(h)
	if err != nil {
		return h
	}
	if host, port, err := net.SplitHostPort(k); err == nil {
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			return bracketHost(host)
		}
	}
	return k
}
