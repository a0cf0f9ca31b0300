package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// The bounds of one repository's listing: every page, piece, fallback and
// retry of it together, for the Client's life.
const (
	// MaxListingPages is the most tag list requests one repository's
	// listing sends.
	MaxListingPages = 2500
	// MaxListingBytes is the most tag list body bytes it reads.
	MaxListingBytes = 64 << 20
	// DefaultListingTimeout is the time it may take when
	// Config.ListingTimeout is zero.
	DefaultListingTimeout = 5 * time.Minute
)

// maxConcurrentPages bounds the pieces of one range read at once.
const maxConcurrentPages = 32

// TagRange is a lexical range of a repository's tags: those that sort after
// After and before Before, in byte order. An empty After or Before leaves
// that side open; the zero TagRange is every tag.
type TagRange struct {
	After  string
	Before string

	// Splits are points inside the range where its reading may be cut into
	// pieces read concurrently, when the range does not fit in its first
	// page and the registry has shown lexical order so far. Splits change
	// how a range is read, never what it holds. Good splits are prefixes at
	// which the tag names branch ("3.", "3.4"), so that each piece is about
	// a page.
	Splits []string
}

func (r TagRange) contains(tag string) bool {
	return (r.After == "" || tag > r.After) && (r.Before == "" || tag < r.Before)
}

// filter returns the tags inside the range, sorted, in a new slice.
func (r TagRange) filter(tags []string) []string {
	out := make([]string, 0)
	for _, t := range tags {
		if r.contains(t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r TagRange) whole() bool { return r.After == "" && r.Before == "" }

// covers reports whether every tag of o lies inside r.
func (r TagRange) covers(o TagRange) bool {
	return (r.After == "" || (o.After != "" && o.After >= r.After)) &&
		(r.Before == "" || (o.Before != "" && o.Before <= r.Before))
}

// listing is the state of one repository's tag listing for a Client's
// life: its bounds, what its pages have shown of the registry, and the
// ranges read.
type listing struct {
	ref Repository

	start    sync.Once
	deadline time.Time
	timeout  time.Duration

	mu        sync.Mutex
	pages     int
	bytes     int64
	ranges    []rangeRead // ranges read, for serving the ranges inside them
	linkPaged atomic.Bool // some page had a Link: a page without one ends the list
	unordered atomic.Bool // a narrowed read was unproven: read the whole list
}

type rangeRead struct {
	r    TagRange
	tags []string // sorted
}

// LimitError says that a repository's listing passed one of its bounds.
type LimitError struct {
	// Bound is what was bounded: "pages", "bytes" or "time".
	Bound string
	// Limit and Reached say the bound and the figure reached, for people.
	Limit, Reached string
}

func (e *LimitError) Error() string {
	switch e.Bound {
	case "time":
		return fmt.Sprintf("the tag list was not read within the listing timeout of %s (%s)", e.Limit, e.Reached)
	case "bytes":
		return fmt.Sprintf("the tag list is larger than %s (%s), so reading stopped", e.Limit, e.Reached)
	default:
		return fmt.Sprintf("the tag list did not end within %s (%s), so reading stopped", e.Limit, e.Reached)
	}
}

// listingOf returns the repository's listing state.
func (c *Client) listingOf(ref Repository) *listing {
	v, _ := c.listings.LoadOrStore(ref.key, &listing{ref: ref, timeout: c.listingTimeout})
	return v.(*listing)
}

// within runs the listing's work under its deadline, which starts with its
// first request.
func (l *listing) within(ctx context.Context) (context.Context, context.CancelFunc) {
	l.start.Do(func() { l.deadline = time.Now().Add(l.timeout) })
	return context.WithDeadline(ctx, l.deadline)
}

// spend counts one tag list request against the listing's bounds.
func (l *listing) spend() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pages >= MaxListingPages {
		return l.limitLocked("pages", fmt.Sprintf("%d pages", MaxListingPages))
	}
	l.pages++
	return nil
}

// body counts the bytes of a tag list body against the listing's bound as
// they are read, so that concurrent pieces together stop at it.
func (l *listing) body(r io.Reader) io.Reader { return &countedBody{r: r, l: l} }

type countedBody struct {
	r io.Reader
	l *listing
}

// Read reserves what it may read before reading, so that concurrent
// bodies together never pass the bound, and gives back what it did not
// read.
func (b *countedBody) Read(p []byte) (int, error) {
	b.l.mu.Lock()
	left := MaxListingBytes - b.l.bytes
	if left <= 0 {
		defer b.l.mu.Unlock()
		return 0, b.l.limitLocked("bytes", fmt.Sprintf("%d MiB", MaxListingBytes>>20))
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	b.l.bytes += int64(len(p))
	b.l.mu.Unlock()
	n, err := b.r.Read(p)
	b.l.mu.Lock()
	b.l.bytes -= int64(len(p) - n)
	b.l.mu.Unlock()
	return n, err
}

// limitLocked is the error of passing a bound, with the figures reached.
// l.mu is held.
func (l *listing) limitLocked(bound, limit string) error {
	reached := fmt.Sprintf("%d pages and %.1f MiB read", l.pages, float64(l.bytes)/(1<<20))
	return &answerError{status: http.StatusOK, cause: &LimitError{Bound: bound, Limit: limit, Reached: reached}}
}

// overtime turns a deadline error past the listing's deadline into its
// LimitError.
func (l *listing) overtime(err error) error {
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || time.Now().Before(l.deadline) {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limitLocked("time", l.timeout.String())
}

// ListTags returns every tag of the repository, read to the end of its
// list whatever order and paging the registry uses, de-duplicated and
// sorted. The list is read once per Client; the returned slice is the
// caller's own.
func (c *Client) ListTags(ctx context.Context, repo Repository) ([]string, error) {
	return c.ListTagRange(ctx, repo, TagRange{})
}

// ListTagRange returns the repository's tags inside r, de-duplicated and
// sorted. While the registry's pages prove lexical order it reads only the
// range, in pieces cut at r.Splits, concurrently; on any sign otherwise it
// reads the whole list to its end and filters it here. A range is served
// from any range read before that covers it, and from the whole list once
// read. Concurrent callers of one range share one reading; failures are
// not kept. The returned slice is the caller's own.
func (c *Client) ListTagRange(ctx context.Context, ref Repository, r TagRange) ([]string, error) {
	l := c.listingOf(ref)
	if tags, ok := l.served(r); ok {
		return tags, nil
	}
	if (r.whole() && len(r.Splits) == 0) || l.unordered.Load() {
		return c.listWhole(ctx, l, r, nil)
	}
	// Narrowed reads of a repository go at once, not one after another:
	// on a registry whose order is not lexical each spends its first page
	// finding out, which costs a request; waiting would cost every plan on
	// a lexical registry a round trip.
	tags, err := c.rangeReads.Get(ctx, ref.key+"\x00"+r.After+"\x00"+r.Before, func(ctx context.Context) ([]string, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return nil, err
		}
		tags, err := c.readRange(ctx, l, rt, r)
		if err != nil {
			return nil, l.overtime(err)
		}
		l.keep(r, tags)
		return tags, nil
	})
	var up *unprovenError
	if errors.As(err, &up) {
		l.unordered.Store(true)
		c.debug(ctx, "the registry's tag list pages do not prove lexical order; reading the whole list", map[string]any{
			"registry": ref.registry, "repository": ref.written, "why": up.why,
		})
		return c.listWhole(ctx, l, r, up)
	}
	if err != nil {
		return nil, c.fail(ref, "list tags", err)
	}
	return slices.Clone(tags), nil
}

// listWhole reads the whole list once and returns the tags inside r. A
// narrowed reading that proved nothing (up, nil when none) may hand over
// the whole list, or the list's first page, as it read them.
func (c *Client) listWhole(ctx context.Context, l *listing, r TagRange, up *unprovenError) ([]string, error) {
	all, err := c.wholeLists.Get(ctx, l.ref.key, func(ctx context.Context) ([]string, error) {
		if up != nil && up.all != nil {
			tags := TagRange{}.filter(up.all)
			l.keep(TagRange{}, tags)
			return tags, nil
		}
		ctx, cancel := l.within(ctx)
		defer cancel()
		rt, err := c.transportFor(ctx, l.ref)
		if err != nil {
			return nil, err
		}
		s := &stretch{n: c.pageSize}
		if up != nil && up.head != nil {
			err = c.continueStretch(ctx, l, rt, s, s.take(*up.head), up.headLink)
		} else {
			err = c.readStretch(ctx, l, rt, s)
		}
		if err != nil {
			return nil, l.overtime(err)
		}
		tags := TagRange{}.filter(s.tags)
		l.keep(TagRange{}, tags)
		return tags, nil
	})
	if err != nil {
		return nil, c.fail(l.ref, "list tags", err)
	}
	return r.filter(all), nil
}

// served returns the tags inside r from a range read before that covers it.
func (l *listing) served(r TagRange) ([]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	unordered := l.unordered.Load()
	for _, rr := range l.ranges {
		if unordered && !rr.r.whole() {
			continue // read before the order was found unproven
		}
		if rr.r.covers(r) {
			return r.filter(rr.tags), true
		}
	}
	return nil, false
}

func (l *listing) keep(r TagRange, tags []string) {
	l.mu.Lock()
	l.ranges = append(l.ranges, rangeRead{r: r, tags: tags})
	l.mu.Unlock()
}

// unprovenError says a narrowed reading cannot be trusted; the caller
// reads the whole list instead.
type unprovenError struct {
	why string
	all []string // the registry's whole list, when a page showed it (stretch.all)

	// head is that page when it was the list's first, and headLink its
	// Link, for the whole reading to go on from.
	head     *page
	headLink *url.URL
}

func (e *unprovenError) Error() string {
	return "the tag list is not in proven lexical order: " + e.why
}

// readRange reads the tags inside r as bounded stretches: the first page,
// then, when the range goes on, the rest in pieces cut at the splits that
// lie beyond that page, concurrently. Any piece that is unproven, or
// pieces that do not join, make it an *unprovenError.
//
// A first page that is unproven makes the repository read whole from then
// on.
func (c *Client) readRange(ctx context.Context, l *listing, rt *repoTransport, r TagRange) ([]string, error) {
	if r.After != "" {
		// The list's first tag, asked for beside this range's first page:
		// with it, an answer to a last that lies above it proves that the
		// registry did not answer from its start (see provenBy).
		c.starts.Start(ctx, l.ref.key, c.readStart(l, rt))
	}
	first := &stretch{bounded: true, from: r.After, to: r.Before, n: c.pageSize}
	head, v, link, err := c.readPage(ctx, l, rt, first, nil)
	if err != nil {
		return nil, err
	}
	if v == unproven {
		l.unordered.Store(true)
	}
	if err := first.err(v); err != nil {
		var up *unprovenError
		if errors.As(err, &up) && r.After == "" {
			up.head, up.headLink = &head, link
		}
		return nil, err
	}
	var splits []string
	if v == readMore && len(first.tags) > 0 {
		highest := first.tags[len(first.tags)-1]
		for _, s := range r.Splits {
			if s > highest && r.contains(s) {
				splits = append(splits, s)
			}
		}
		slices.Sort(splits)
		splits = slices.Compact(splits)
	}
	pieces := []*stretch{first}
	if len(splits) > 0 {
		first.to, first.through = splits[0], true
		for i, s := range splits {
			p := &stretch{bounded: true, from: s, to: r.Before, n: c.pageSize}
			if i+1 < len(splits) {
				p.to, p.through = splits[i+1], true
			}
			pieces = append(pieces, p)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxConcurrentPages)
	for i, p := range pieces {
		if i == 0 && v != readMore {
			continue
		}
		g.Go(func() error {
			if i == 0 {
				return c.continueStretch(gctx, l, rt, p, v, link)
			}
			return c.readStretch(gctx, l, rt, p)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if ok, why := joined(pieces); !ok {
		return nil, &unprovenError{why: why}
	}
	var tags []string
	stopped := false // some piece stopped at its bound, trusting lexical order
	for _, p := range pieces {
		tags = append(tags, p.tags...)
		stopped = stopped || p.beyond != ""
	}
	if stopped {
		if err := c.provenBy(ctx, l, rt, r, tags, pieces[len(pieces)-1].beyond); err != nil {
			return nil, err
		}
	}
	return r.filter(tags), nil
}

// provenBy says whether a range read that stopped at its bound, having read
// tags and seen beyond past it, may be trusted: only if the registry takes
// last as a lexical bound. Pages in order do not show that: a registry may
// keep an order of its own, lexical on the pages read, with re-pushed tags
// listed last, and answer a last that is no tag from its start. When the
// list's first tag lies at or before the range's start, the range's first
// page, which started after it, shows the registry did not answer from its
// start. Otherwise (the range starts before the list) the registry is asked,
// once per repository, for the page after a name between two tags read.
func (c *Client) provenBy(ctx context.Context, l *listing, rt *repoTransport, r TagRange, tags []string, beyond string) error {
	if r.After != "" {
		start, err := c.starts.Get(ctx, l.ref.key, c.readStart(l, rt))
		if err != nil {
			return err
		}
		if start != "" && start <= r.After {
			return nil
		}
	}
	seen := append(slices.Clone(tags), beyond)
	slices.Sort(seen)
	a, b, ok := probePair(seen)
	prove := c.proveLexical(l, rt, a, b)
	if !ok { // join a proof started elsewhere, if any
		prove = func(context.Context) (proof, error) { return proof{}, errNoPair }
	}
	proven, err := c.proofs.Get(ctx, l.ref.key, prove)
	if errors.Is(err, errNoPair) {
		return &unprovenError{why: "no two tags were read to ask the registry whether it takes last as a lexical bound"}
	}
	if err != nil {
		return err
	}
	if !proven.ok {
		return &unprovenError{why: proven.why}
	}
	return nil
}

// readStart reads the first tag of the repository's list, in the registry's
// order ("" when the list is empty).
func (c *Client) readStart(l *listing, rt *repoTransport) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		p, _, err := c.fetchPage(ctx, l, rt, c.tagsURL(l.ref, 1, ""))
		if err != nil || len(p.tags) == 0 {
			return "", l.overtime(err)
		}
		return p.tags[0], nil
	}
}

// proof is whether a registry was shown to take last as a lexical bound.
type proof struct {
	ok  bool
	why string
}

// errNoPair: a read has no two tags to prove lexical last with, and no
// proof was started elsewhere. An error, so that it is not kept.
var errNoPair = errors.New("no tags to prove lexical last with")

// proveLexical asks, once per repository, for the page after a+"~", a name
// that is no tag and lies between the tags a and b: a registry that takes
// last as a lexical bound answers from b; one that takes it by position,
// or ignores it, answers from its start. Pages that are merely in order do
// not show this: a registry may keep its own order and list re-pushed tags
// last. A stop at a range's bound is trusted only after this proof.
func (c *Client) proveLexical(l *listing, rt *repoTransport, a, b string) func(context.Context) (proof, error) {
	return func(ctx context.Context) (proof, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		answer, _, err := c.fetchPage(ctx, l, rt, c.tagsURL(l.ref, probePage, a+"~"))
		if statusOf(err) == http.StatusBadRequest {
			return proof{why: fmt.Sprintf("the registry refused last=%q (HTTP 400)", a+"~")}, nil
		}
		if err != nil {
			return proof{}, l.overtime(err)
		}
		ok, why := probeProves(b, answer)
		return proof{ok: ok, why: why}, nil
	}
}

// probePage is the n of the proof request: a few tags show where it starts.
const probePage = 10

// readStretch reads a stretch from its first page to its end.
func (c *Client) readStretch(ctx context.Context, l *listing, rt *repoTransport, s *stretch) error {
	_, v, next, err := c.readPage(ctx, l, rt, s, nil)
	if err != nil {
		return err
	}
	return c.continueStretch(ctx, l, rt, s, v, next)
}

// continueStretch reads the pages of a stretch after the one that said v
// and linked next (nil when it linked none).
func (c *Client) continueStretch(ctx context.Context, l *listing, rt *repoTransport, s *stretch, v verdict, next *url.URL) error {
	visited := map[string]bool{}
	if s.pages == 1 {
		visited[pageKey(c.tagsURL(l.ref, s.n, s.from))] = true
	}
	for v == readMore {
		if next != nil {
			key := pageKey(next)
			if visited[key] {
				return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry's Link header leads back to a page already read (%s), so paging stopped to avoid a loop", next.RequestURI())}
			}
			visited[key] = true
		}
		var err error
		if _, v, next, err = c.readPage(ctx, l, rt, s, next); err != nil {
			return err
		}
	}
	return s.err(v)
}

// err is the error a final verdict stands for, nil for complete.
func (s *stretch) err(v verdict) error {
	switch v {
	case unproven:
		return &unprovenError{why: s.why, all: s.all}
	case unreadable:
		return &answerError{status: http.StatusOK, msg: s.why}
	}
	return nil
}

// readPage reads the next page of a stretch: its first when it has read
// none, else the Link of the page before, else the page after s.nextLast.
// It hands the page to the stretch and returns it, the stretch's verdict
// and the page's own Link.
func (c *Client) readPage(ctx context.Context, l *listing, rt *repoTransport, s *stretch, link *url.URL) (page, verdict, *url.URL, error) {
	var p page
	u := link
	switch {
	case s.pages == 0:
		u, p.sent = c.tagsURL(l.ref, s.n, s.from), s.from
	case link == nil:
		u, p.sent = c.tagsURL(l.ref, s.n, s.nextLast), s.nextLast
	case link.Query().Has("last"):
		p.sent = link.Query().Get("last")
	default:
		p.cursor = true
	}
	answer, resp, err := c.fetchPage(ctx, l, rt, u)
	if err != nil {
		if s.bounded && s.pages == 0 && s.from != "" && statusOf(err) == http.StatusBadRequest {
			// The registry refuses a `last` that is no tag.
			s.pages++
			return p, s.fail(unproven, fmt.Sprintf("the registry refused last=%q (HTTP 400)", s.from)), nil, nil
		}
		return p, 0, nil, err
	}
	p.tags, p.count = answer.tags, answer.count
	var next *url.URL
	if target, ok := nextLink(resp.header.Values("Link")); ok {
		if next, err = c.sameHostLink(l.ref, resp, target); err != nil {
			return p, 0, nil, err
		}
		p.link, p.linkCursor = true, !next.Query().Has("last")
		l.linkPaged.Store(true)
	}
	s.linkPaged = l.linkPaged.Load()
	return p, s.take(p), next, nil
}

// fetchPage reads one tag list page, counted against the listing's bounds:
// its valid tag names, in order, and how many names it held, and the
// answer itself for its headers.
func (c *Client) fetchPage(ctx context.Context, l *listing, rt *repoTransport, u *url.URL) (page, *response, error) {
	resp, err := c.fetch(ctx, l.ref, rt, http.MethodGet, u.String(), []string{"application/json"}, l)
	if err != nil {
		return page{}, nil, err
	}
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(resp.body, &body); err != nil {
		return page{}, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the tag list at %s is not valid JSON", u.RequestURI()), cause: err}
	}
	p := page{count: len(body.Tags), tags: body.Tags[:0]}
	for _, t := range body.Tags {
		if validTag(t) {
			p.tags = append(p.tags, t)
		}
	}
	return p, resp, nil
}

// sameHostLink resolves a Link target against the page that sent it and
// refuses one that leaves the registry's host.
func (c *Client) sameHostLink(ref Repository, resp *response, link string) (*url.URL, error) {
	next, err := resp.url.Parse(link)
	if err != nil {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not a URL", link), cause: err}
	}
	if next.Scheme != "http" && next.Scheme != "https" {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not an HTTP URL, so paging stopped", link)}
	}
	if !sameHost(next.Host, next.Scheme, ref.name.RegistryStr(), resp.url.Scheme) {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header points to another host (%s), which is refused; only pages on %s are read", next.Host, ref.registry)}
	}
	if resp.url.Scheme == "https" && next.Scheme == "http" {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q leaves HTTPS for plain HTTP, which is refused", link)}
	}
	return next, nil
}

// tagsURL is the tag list URL asking for n tags after last.
func (c *Client) tagsURL(ref Repository, n int, last string) *url.URL {
	q := url.Values{"n": {strconv.Itoa(n)}}
	if last != "" {
		q.Set("last", last)
	}
	u := ref.v2URL("tags/list")
	u.RawQuery = q.Encode()
	return u
}

// pageKey identifies a page whatever the scheme, host spelling or order of
// query parameters.
func pageKey(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// linkNext matches one link-value of a Link header whose rel names "next"
// (RFC 8288: `<target>; rel="next"`, rel possibly among other types).
var linkNext = regexp.MustCompile(`(?i)<([^>]*)>[^<]*;\s*rel="?[^"<]*\bnext\b`)

// nextLink finds the rel="next" target in Link header values.
func nextLink(values []string) (string, bool) {
	for _, v := range values {
		if m := linkNext.FindStringSubmatch(v); m != nil {
			return m[1], true
		}
	}
	return "", false
}
