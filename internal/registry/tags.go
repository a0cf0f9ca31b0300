package registry

import (
	"bytes"
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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// The bounds of one repository's listing: every page, piece, fallback and
// retry of it together, for the Client's life.
const (
	MaxListingPages       = 2500     // tag list requests
	MaxListingBytes       = 64 << 20 // tag list body bytes
	DefaultListingTimeout = 5 * time.Minute
)

// googleListMax is the most tags Artifact Registry's Docker API lists of a
// repository: "an incomplete list if a repository has more than 10,000
// images or tags". Its registries (and gcr.io, served from it) are read
// whole, never by range, so that a list that reaches it is an error.
const googleListMax = 10000

func googleDocker(host string) bool {
	host, _, _ = strings.Cut(strings.ToLower(host), ":") // as written: any case, any port
	return host == "gcr.io" || strings.HasSuffix(host, ".gcr.io") || strings.HasSuffix(host, "-docker.pkg.dev")
}

const maxConcurrentPages = 32

// TagRange is a lexical range of a repository's tags: those that sort after
// After and before Before, in byte order. An empty After or Before leaves
// that side open; the zero TagRange is every tag.
type TagRange struct {
	After  string
	Before string

	// Splits are points inside the range where its reading may be cut into
	// concurrent pieces, once lexical order is shown; they change how, never
	// what, it reads. Good splits are prefixes where names branch ("3.",
	// "3.4"), so that each piece is about a page.
	Splits []string
}

func (r TagRange) contains(tag string) bool {
	return (r.After == "" || tag > r.After) && (r.Before == "" || tag < r.Before)
}

func (r TagRange) filter(tags []string) []string {
	out := slices.DeleteFunc(append([]string{}, tags...), func(t string) bool { return !r.contains(t) })
	slices.Sort(out)
	return slices.Compact(out)
}

func (r TagRange) whole() bool { return r.After == "" && r.Before == "" }

func (r TagRange) covers(o TagRange) bool {
	return (r.After == "" || (o.After != "" && o.After >= r.After)) &&
		(r.Before == "" || (o.Before != "" && o.Before <= r.Before))
}

// listing is the state of one repository's tag listing for a Client's
// life: its bounds, what its pages have shown of the registry, and the
// ranges read.
type listing struct {
	ref Repository // as the first caller wrote it; failures name each caller's own

	timeout time.Duration
	paced   func() bool // the registry's requests go one at a time (Client.retryOnce)

	mu        sync.Mutex
	deadline  time.Time // of the readings running (within)
	running   int       // readings running
	pages     int
	bytes     int64
	ranges    []rangeRead       // ranges read, for serving the ranges inside them
	asked     map[[2]string]int // callers of each narrowed range (After, Before)
	linked    int               // the most names a page with a Link held (stretch.linked)
	sizes     linkedSizes       // of its pages with a Link (stretch.uneven)
	unordered atomic.Bool       // a narrowed read was unproven: read the whole list
	// descent: the first two tags a narrowed read's page held out of
	// lexical order, for a whole reading whose own pages show none
	// (stretch.positionProbe).
	descent  [2]string
	withoutN atomic.Bool // the registry refused n (firstPage): no request sends it
	// answers: every page of tags the registry sent this listing, once
	// each (getPage), none of which may hold a tag the whole list lacks
	// (unsent).
	answers []heldPage
	held    int // answers the whole list was found to hold (unsent)
	// probeable: the whole reading's pages were asked by last, none held a
	// tag below its last, and they showed no descent of their own, so a
	// descent noted after it ended is asked about (positionProbeLate);
	// probed: the whole reading asked its position probe itself.
	probeable, probed bool
}

// heldPage is the tags of one answer and the request it answered.
type heldPage struct {
	request string
	tags    []string
}

type rangeRead struct {
	r         TagRange
	tags      []string // sorted
	unchecked bool     // read on an order still to be checked (checkOrder)
}

// LimitError says that a repository's listing passed one of its bounds.
type LimitError struct {
	// Bound is what was bounded: "pages", "bytes", "time", or "tags" (the
	// registry's own bound, googleListMax).
	Bound          string
	Limit, Reached string // for people
	Paced          bool   // its requests went one at a time after a 429
}

func (e *LimitError) Error() string {
	switch e.Bound {
	case "time":
		paced := ""
		if e.Paced {
			paced = "; the registry answered 429 earlier in this run, so its requests went one at a time, and the waits for their turns count against this timeout"
		}
		return fmt.Sprintf("the tag list was not read within the listing timeout of %s (%s%s)", e.Limit, e.Reached, paced)
	case "tags":
		return fmt.Sprintf("Artifact Registry's Docker API lists at most %s of a repository (cloud.google.com/artifact-registry/quotas), and this list reached that (%s), so it may be incomplete", e.Limit, e.Reached)
	case "bytes":
		return fmt.Sprintf("the tag list is larger than %s (%s), so reading stopped", e.Limit, e.Reached)
	default:
		return fmt.Sprintf("the tag list did not end within %s (%s), so reading stopped", e.Limit, e.Reached)
	}
}

// UnreadableListError says that a registry pages its tag list so that no
// client can read it to its end (Why says how), as distinct from a fault:
// asking again gets the same pages.
type UnreadableListError struct{ Why string }

func (e *UnreadableListError) Error() string { return e.Why }

func (c *Client) listingOf(ref Repository) *listing {
	paced := func() bool { _, ok := c.paced.Load(ref.name.RegistryStr()); return ok }
	v, _ := c.listings.LoadOrStore(ref.key, &listing{ref: ref, timeout: c.listingTimeout, paced: paced, asked: map[[2]string]int{}})
	return v.(*listing)
}

// within runs a reading under the listing's deadline, which starts when no
// other reading runs: concurrent readings share one, and one begun after
// the listing was idle (a data source read at apply, minutes after the
// plan) has its own. The pages and bytes bounds last the Client's life.
func (l *listing) within(ctx context.Context) (context.Context, context.CancelFunc) {
	l.mu.Lock()
	if l.running == 0 {
		l.deadline = time.Now().Add(l.timeout)
	}
	l.running++
	ctx, cancel := context.WithDeadline(ctx, l.deadline)
	l.mu.Unlock()
	return ctx, func() {
		cancel()
		l.mu.Lock()
		l.running--
		l.mu.Unlock()
	}
}

func (l *listing) spend() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pages >= MaxListingPages {
		return l.limitLocked("pages", fmt.Sprintf("%d pages", MaxListingPages))
	}
	l.pages++
	return nil
}

// countedBody counts a tag list body against the listing's bound as it is
// read. Read reserves before reading, so that concurrent bodies together
// never pass the bound.
type countedBody struct {
	r io.Reader
	l *listing
}

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

// limitLocked is the error of passing a bound; l.mu is held.
func (l *listing) limitLocked(bound, limit string) error {
	reached := fmt.Sprintf("%s and %.1f MiB read", counted(l.pages, "page"), float64(l.bytes)/(1<<20))
	paced := bound == "time" && l.paced()
	return &answerError{status: http.StatusOK, cause: &LimitError{Bound: bound, Limit: limit, Reached: reached, Paced: paced}}
}

// overtime turns a deadline error past the listing's deadline into its
// LimitError.
func (l *listing) overtime(err error) error {
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.deadline) {
		return err
	}
	return l.limitLocked("time", l.timeout.String())
}

// ListTags returns every tag of the repository, de-duplicated and sorted,
// once per Client. The returned slice is the caller's own.
func (c *Client) ListTags(ctx context.Context, repo Repository) ([]string, error) {
	return c.ListTagRange(ctx, repo, TagRange{})
}

// ListTagRange returns the repository's tags inside r, de-duplicated and
// sorted. Once the registry has shown lexical order (orderOf), and while
// its pages keep it, only the range is read, in concurrent pieces cut at
// r.Splits; else the whole list is read and filtered. A range is served by
// a covering range read (or being read) before, or by the whole list;
// failures are not kept. The returned slice is the caller's own.
func (c *Client) ListTagRange(ctx context.Context, ref Repository, r TagRange) ([]string, error) {
	tags, settle, err := c.ListTagRangeSoon(ctx, ref, r)
	if err != nil || settle == nil {
		return tags, err
	}
	return settle(ctx)
}

// ListTagRangeSoon is ListTagRange for a caller with work to begin before
// the registry's order is checked (checkOrder). While the check runs it
// returns the range as read with settle, which waits for it and returns
// what ListTagRange would; work begun on unsettled tags (the HEAD of the
// tag they select) is kept only if the settled tags select it too. settle
// is nil when the tags are proven already.
func (c *Client) ListTagRangeSoon(ctx context.Context, ref Repository, r TagRange) ([]string, func(context.Context) ([]string, error), error) {
	l := c.listingOf(ref)
	if tags, ok := l.served(r); ok {
		return tags, nil, nil
	}
	if (r.whole() && len(r.Splits) == 0) || l.unordered.Load() || googleDocker(ref.name.RegistryStr()) {
		tags, err := c.listWhole(ctx, ref, l, r)
		return tags, nil, err
	}
	l.ask(r)
	// A failed reading fails its joiners too: reading again would wait out
	// the same retries. memo.Cache cancels a reading only when no caller
	// waits, so its caller's cancellation never reaches the joiners.
	if all, ok, err := c.wholeLists.Join(ctx, l.ref.key); ok {
		if err != nil {
			return nil, nil, c.fail(ref, "list tags", err)
		}
		tags, err := c.checkedWhole(ctx, ref, l, r, all) // read meanwhile
		return tags, nil, err
	}
	read, joined, err := c.joinRange(ctx, l, r, false)
	if !joined {
		read, err = c.rangeReads.Get(ctx, l.rangeKey(r), c.readingOf(ref, l, r))
	}
	if err == nil && read.unchecked {
		return r.filter(read.tags), func(ctx context.Context) ([]string, error) {
			err := c.checkOrder(ctx, l)
			if err == nil {
				l.keep(read)
			}
			return c.proven(ctx, ref, l, r, r.filter(read.tags), err)
		}, nil
	}
	tags, err := c.proven(ctx, ref, l, r, r.filter(read.tags), err)
	return tags, nil, err
}

// joinRange waits for the reading of a range asked before that covers r,
// r's own among them unless wider; joined is false when there is none.
func (c *Client) joinRange(ctx context.Context, l *listing, r TagRange, wider bool) (read rangeRead, joined bool, err error) {
	for _, w := range l.covering(r) {
		if wider && w.After == r.After && w.Before == r.Before {
			continue
		}
		if read, joined, err = c.rangeReads.Join(ctx, l.rangeKey(w)); joined {
			return read, true, err
		}
	}
	return rangeRead{}, false, nil
}

func (c *Client) readingOf(ref Repository, l *listing, r TagRange) func(context.Context) (rangeRead, error) {
	return func(ctx context.Context) (rangeRead, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return rangeRead{}, l.overtime(err)
		}
		o, err := c.orderOf(ctx, l, rt)
		if err != nil {
			return rangeRead{}, l.overtime(err)
		}
		if !o.lexical {
			return rangeRead{}, &unprovenError{why: o.why, descent: o.descent}
		}
		// A wider range asked meanwhile (a releases data source beside pins)
		// reads these pages too: wait for it (it never waits for this one).
		if read, joined, err := c.joinRange(ctx, l, r, true); joined {
			return rangeRead{r: r, tags: r.filter(read.tags), unchecked: read.unchecked}, err
		}
		if o.unchecked {
			// Begun now, so that it runs while the range is read.
			c.orders.Start(ctx, l.ref.key+"\x00between", c.orderCheck(l, rt))
		}
		tags, err := c.readRange(ctx, l, rt, r)
		if err != nil {
			return rangeRead{}, l.overtime(err)
		}
		read := rangeRead{r: r, tags: tags, unchecked: o.unchecked}
		if !read.unchecked {
			l.keep(read)
		}
		return read, nil
	}
}

// proven returns tags (the caller's copy, filtered to r) or, when they are
// not proven (err is an *unprovenError, or another reading found the list
// out of order), r's tags of the whole list. Failures name ref as this
// caller wrote it.
func (c *Client) proven(ctx context.Context, ref Repository, l *listing, r TagRange, tags []string, err error) ([]string, error) {
	var up *unprovenError
	if err == nil && l.unordered.Load() {
		// Another reading of the list, running meanwhile, found it out of
		// order: this one, proven by its own pages, is not trusted either.
		return c.listWhole(ctx, ref, l, r)
	}
	if errors.As(err, &up) {
		l.noteDescent(up.descent)
		l.unordered.Store(true)
		c.debug(ctx, "the registry's tag list pages do not prove lexical order; reading the whole list", map[string]any{
			"registry": ref.registry, "repository": ref.written, "why": up.why,
		})
		return c.listWhole(ctx, ref, l, r)
	}
	if err != nil {
		return nil, c.fail(ref, "list tags", err)
	}
	l.mu.Lock()
	why := l.lacking(r, tags)
	l.mu.Unlock()
	if why != "" {
		// Its pages were answered from another list than the registry's
		// other answers (a replica behind the others, or a tag deleted
		// meanwhile): read it whole; unsent fails it where the whole list
		// lacks the tag too, as no reader can tell which.
		l.unordered.Store(true)
		c.debug(ctx, "a range read alone lacks a tag another answer held; reading the whole list", map[string]any{
			"registry": ref.registry, "repository": ref.written, "why": why,
		})
		return c.listWhole(ctx, ref, l, r)
	}
	return tags, nil
}

// lacking says why tags, r's tags as read alone (sorted), are not all of
// r's: an answer of this listing held a tag inside r that they lack (a
// replica behind the one that answered it, or a tag deleted meanwhile);
// "" when they hold every one. The whole list is checked so by unsent.
// l.mu is held.
func (l *listing) lacking(r TagRange, tags []string) string {
	i, t, ok := missingFrom(l.answers, r, tags)
	if !ok {
		return ""
	}
	return fmt.Sprintf("the registry's answer to %s held %q, which the range %q to %q as read lacks", l.answers[i].request, t, r.After, r.Before)
}

// missingFrom returns the first tag inside r that one of answers held and
// sorted lacks, and the index of that answer; ok is false, and i
// len(answers), when sorted holds every one (lacking, unsent).
func missingFrom(answers []heldPage, r TagRange, sorted []string) (i int, tag string, ok bool) {
	for i, a := range answers {
		for _, t := range a.tags {
			if !r.contains(t) {
				continue
			}
			if _, found := slices.BinarySearch(sorted, t); !found {
				return i, t, true
			}
		}
	}
	return len(answers), "", false
}

// errLinkLoop ends a reading whose Link leads back to a page it read: the
// same on every try, so the advice is not to try again (Error).
var errLinkLoop = errors.New("its Links go round in a loop, so paging stopped")

// listWhole reads the whole list once, from firstPage to its end, and
// returns the tags inside r; failures name ref as the caller wrote it.
func (c *Client) listWhole(ctx context.Context, ref Repository, l *listing, r TagRange) ([]string, error) {
	all, err := c.wholeLists.Get(ctx, l.ref.key, func(ctx context.Context) ([]string, error) {
		// A registry that ignores n and takes last by position answers a
		// last that is no tag from its start, a page of its own size with
		// more names than asked, some at or before last: not its whole
		// list. Reading from the first page tells the two apart.
		ctx, cancel := l.within(ctx)
		defer cancel()
		rt, err := c.transportFor(ctx, l.ref)
		if err != nil {
			return nil, l.overtime(err)
		}
		head, err := c.firstPage(ctx, l, rt)
		if err != nil {
			return nil, l.overtime(err)
		}
		s := &stretch{n: c.pageSize, unasked: l.withoutN.Load(), sizes: &l.sizes}
		if err := c.continueStretch(ctx, l, rt, s, s.take(head.p), head.next); err != nil {
			// Its pages, in an order of its own, showed paging by last
			// skips tags where they ended (distribution on S3 answering
			// the last asked with tags read before): ask once without n.
			// The paging may have stopped before the end of the list, so
			// the answer must also end at the last key the pages held
			// (reachedEnd): cut past them, it would hold every tag they did.
			var ue *UnreadableListError
			if !errors.As(err, &ue) || s.descent[0] == "" {
				return nil, l.overtime(err)
			}
			all := c.wholeAtOnce(ctx, l, rt)
			if all == nil || !reachedEnd(all, s.tags) {
				return nil, err
			}
			return c.underGoogleMax(l, all)
		}
		l.mu.Lock()
		if s.descent[0] == "" {
			// Its pages looked lexical, but a narrowed read's or an order
			// probe's did not.
			s.descent = l.descent
		}
		_, ok := s.positionProbe()
		l.probeable, l.probed = s.byLast && !s.belowLast, ok
		l.mu.Unlock()
		var why string
		if ok {
			if why, err = c.askPosition(ctx, l, rt, s.descent); err != nil {
				return nil, err
			}
		}
		if end := s.linkGap[0]; why == "" && end != "" && !s.seen[s.linkGap[1]] {
			// A Link asked after a name no page held: ask after the tag its
			// page ended at. A refusal shows nothing (the name may be a
			// token of the registry's own, as Amazon ECR's).
			answer, _, err := c.askAfter(ctx, l, rt, probePage, end)
			if err != nil {
				return nil, l.overtime(err)
			}
			why = s.linkGapError(answer)
		}
		tags := TagRange{}.filter(s.tags)
		if why != "" {
			all := c.wholeAtOnce(ctx, l, rt)
			if all == nil {
				return nil, unreadableListError(why)
			}
			tags = all
		} else {
			l.mu.Lock()
			lacks := l.unsent(tags) != ""
			l.mu.Unlock()
			if lacks {
				// Kept as read unless it comes whole at once: checkedWhole
				// then fails each caller it serves, as before.
				if all := c.wholeAtOnce(ctx, l, rt); all != nil {
					tags = all
				}
			}
		}
		return c.underGoogleMax(l, tags)
	})
	if err != nil {
		return nil, c.fail(ref, "list tags", err)
	}
	return c.checkedWhole(ctx, ref, l, r, all)
}

// reachedEnd reports whether the last of all in key order (compareKeys)
// is the last in key order of held, tags the pages held: all ends where
// they did.
func reachedEnd(all, held []string) bool {
	return len(all) > 0 && len(held) > 0 && slices.MaxFunc(all, compareKeys) == slices.MaxFunc(held, compareKeys)
}

// underGoogleMax returns tags, the whole list read, unless Google's
// registry cut it at googleListMax.
func (c *Client) underGoogleMax(l *listing, tags []string) ([]string, error) {
	if len(tags) >= googleListMax && googleDocker(l.ref.name.RegistryStr()) {
		return nil, &answerError{status: http.StatusOK, cause: &LimitError{Bound: "tags", Limit: fmt.Sprintf("%d tags", googleListMax), Reached: fmt.Sprintf("%d read", len(tags))}}
	}
	return tags, nil
}

// wholeAtOnce asks once for the tag list without n or last, as a client
// that does not page would, after paging by the registry's Links read to
// the end of a list that is not whole (or failed on pages in an order of
// the registry's own, the caller then checking reachedEnd). CNCF
// distribution v3.1 on object storage (S3) walks its storage keys, "<tag>/…", in which
// "2-latest-kubernetes/" sorts before "2-latest/", and takes last as a
// bound in byte order, so its pages skip tags; without n it sends every
// tag, in key order. The answer is taken as the whole list only if it
// links no next page, lists its names in strictly rising key order
// (inKeyOrder), holds every tag any answer of the listing held, and no tag
// that would follow its last key can be missing from it: the page after
// that key, every tag above it in bytes, was not cut and held none the
// answer lacks (uncutAfter), and a manifest request shows missing each
// tag it extends past a '-' or '.' (keyAfterEnd). A registry cutting such
// an answer short, its Link left off, leaves out tags that follow its
// last key, which these find; an answer in an order of the registry's own
// is refused (the hostile models of TestListingModelSizes). nil when it
// is not taken, fails (the paging's failure is the one to report), or
// was asked before (every request went without n).
func (c *Client) wholeAtOnce(ctx context.Context, l *listing, rt *repoTransport) []string {
	if l.withoutN.Load() {
		return nil
	}
	p, next, err := c.getPage(ctx, l, rt, l.ref.v2URL("tags/list"), page{})
	if err != nil {
		c.debug(ctx, "the tag list asked for without n failed", map[string]any{
			"registry": l.ref.registry, "repository": l.ref.written, "error": err.Error(),
		})
		return nil
	}
	all := TagRange{}.filter(p.tags)
	l.mu.Lock()
	taken := next == nil && len(p.tags) > 0 && inKeyOrder(p.tags) && l.unsent(all) == ""
	l.mu.Unlock()
	if !taken {
		return nil
	}
	end := p.tags[len(p.tags)-1]
	if why := c.uncutAfter(ctx, l, rt, end, all); why != "" {
		c.debug(ctx, "the tag list asked for without n may be cut short: "+why, map[string]any{
			"registry": l.ref.registry, "repository": l.ref.written, "tag": end,
		})
		return nil
	}
	if t, err := c.keyAfterEnd(ctx, l, rt, end); t != "" {
		c.debug(ctx, "the tag list asked for without n may be cut short: a tag that would follow its last key is not shown missing", map[string]any{
			"registry": l.ref.registry, "repository": l.ref.written, "tag": t, "error": fmt.Sprint(err),
		})
		return nil
	}
	// The list came whole in one answer: no descent a narrowed reading
	// notes later needs asking about (positionProbeLate).
	l.mu.Lock()
	l.probeable = false
	l.mu.Unlock()
	c.debug(ctx, "the registry's pages could not be followed to its whole list; it sent every tag in one answer without n", map[string]any{
		"registry": l.ref.registry, "repository": l.ref.written, "tags": len(all),
	})
	return all
}

// uncutAfter says why the page after end, the last key of all (an answer
// without n in key order), does not show that all lacks no tag above end
// in bytes; "" when it does. That page (most often asked by the paging
// already) holds the first tags above end in bytes, in key order: those
// end extends past a '-' or '.', which all holds before end, then any it
// lacks. It shows every one only when it was not cut: no Link, fewer
// names than asked and than the list's first page held (a registry
// capping its pages without a Link, at the first page's size, fills it).
func (c *Client) uncutAfter(ctx context.Context, l *listing, rt *repoTransport, end string, all []string) string {
	after, next, err := c.getPage(ctx, l, rt, l.tagsURL(c.pageSize, end), page{sent: end})
	head, ok := c.headPages.Cached(l.ref.key)
	switch {
	case err != nil:
		return fmt.Sprintf("the page after its last key failed (%v)", err)
	case next != nil || after.count >= c.pageSize || !ok || after.count >= head.p.count:
		return fmt.Sprintf("the page after its last key held %s, as many as a page may", counted(after.count, "name"))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unsent(all)
}

// keyAfterEnd returns a tag that would follow end, the last key of an
// answer in key order, unless a manifest HEAD shows it missing (404): a tag
// that end extends past a '-' or '.', the characters below '/' ("2.0.1-python3.7"
// for "2.0.1-python3.7-conda"). A registry cutting such an answer short
// could leave out only tags above end in bytes, which the page after end
// holds (uncutAfter), or these, below it in bytes and so on no page asked
// after it. "" when there is none. The HEADs go out together (one round
// trip, not one per '-' or '.'); the first tag in end's order not shown
// missing is the one returned, whichever answered first.
func (c *Client) keyAfterEnd(ctx context.Context, l *listing, rt *repoTransport, end string) (string, error) {
	var cut []string
	for i := range len(end) {
		if t := end[:i]; (end[i] == '-' || end[i] == '.') && validTag(t) {
			cut = append(cut, t)
		}
	}
	errs := make([]error, len(cut))
	var g errgroup.Group
	g.SetLimit(maxConcurrentHeads)
	for i, t := range cut {
		g.Go(func() error {
			_, errs[i] = c.fetch(ctx, l.ref, rt, http.MethodHead, l.ref.v2URL("manifests/"+t), manifestAccept, l)
			return nil
		})
	}
	_ = g.Wait() // each HEAD's error is kept in errs
	for i, t := range cut {
		if statusOf(errs[i]) != http.StatusNotFound {
			return t, errs[i]
		}
	}
	return "", nil
}

// maxConcurrentHeads bounds keyAfterEnd's HEADs in flight: a name has
// few '-' and '.', but one of 128 characters could have 60.
const maxConcurrentHeads = 8

// compareKeys orders tags as the keys "<tag>/" that an object-storage
// driver walks ("2-latest-conda", "2-latest-kubernetes", "2-latest").
func compareKeys(a, b string) int { return strings.Compare(a+"/", b+"/") }

// inKeyOrder reports whether tags rise strictly in key order (compareKeys).
func inKeyOrder(tags []string) bool {
	for i := 1; i < len(tags); i++ {
		if compareKeys(tags[i-1], tags[i]) >= 0 {
			return false
		}
	}
	return true
}

// checkedWhole returns r's tags of all, the whole list as read, once it
// holds every tag an answer of the listing held (unsent), those of
// readings that ran on after it ended too, and a descent they noted is
// asked about (positionProbeLate): every caller served the whole list is
// served through here.
func (c *Client) checkedWhole(ctx context.Context, ref Repository, l *listing, r TagRange, all []string) ([]string, error) {
	l.mu.Lock()
	why := l.unsent(all)
	l.mu.Unlock()
	err := unreadableListError(why)
	if why == "" {
		err = c.positionProbeLate(ctx, l)
	}
	if err != nil {
		return nil, c.fail(ref, "list tags", err)
	}
	return r.filter(all), nil
}

// unsent says why all, the whole list as read, cannot be the registry's
// when an answer of this listing (a range's page, an order probe's) held a
// tag it lacks; "" when it holds them all. Answers found held are not
// checked again: a listing reads one whole list. l.mu is held.
func (l *listing) unsent(all []string) string {
	i, t, ok := missingFrom(l.answers[l.held:], TagRange{}, all)
	l.held += i
	if !ok {
		return ""
	}
	return fmt.Sprintf("the registry's answer to %s held %q, and its whole list, read page by page, lacks it: its paging skips tags, its replicas disagree, or the tag was pushed or deleted while the list was read (then a plan run again may read it whole), so the list read is not its whole list", l.answers[l.held].request, t)
}

// positionProbeLate asks, once per listing, the position probe that the
// whole reading would have asked had a narrowed reading noted its descent
// before the whole reading ended (concurrent readings of one plan), and
// fails as it would have.
func (c *Client) positionProbeLate(ctx context.Context, l *listing) error {
	l.mu.Lock()
	d, late := l.descent, l.probeOwed()
	l.mu.Unlock()
	if !late {
		return nil
	}
	o, err := c.orders.Get(ctx, l.ref.key+"\x00position", func(ctx context.Context) (order, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		rt, err := c.transportFor(ctx, l.ref)
		if err != nil {
			return order{}, l.overtime(err)
		}
		why, err := c.askPosition(ctx, l, rt, d)
		return order{why: why}, err
	})
	if err == nil && o.why != "" {
		err = unreadableListError(o.why)
	}
	return err
}

// askPosition asks the page after d[0], the upper of two tags a page held
// out of lexical order, and says why the answer shows the registry takes
// last as a lexical bound over an order of its own (judgePosition), or ""
// when it takes last by position.
func (c *Client) askPosition(ctx context.Context, l *listing, rt *repoTransport, d [2]string) (string, error) {
	answer, refused, err := c.askAfter(ctx, l, rt, probePage, d[0])
	if err != nil {
		return "", l.overtime(err)
	}
	return judgePosition(d, answer, refused), nil
}

// probeOwed reports, l.mu held, whether a descent was noted after the whole
// reading ended that it would have asked about (positionProbeLate).
func (l *listing) probeOwed() bool {
	return l.probeable && !l.probed && l.descent[0] != ""
}

func (l *listing) served(r TagRange) ([]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unordered.Load() {
		// Its ranges were read narrowed before the order was found
		// unproven; the whole list is served by checkedWhole.
		return nil, false
	}
	for _, rr := range l.ranges {
		if rr.r.covers(r) {
			tags := r.filter(rr.tags)
			if l.lacking(r, tags) != "" {
				// An answer since held a tag it lacks: proven reads the
				// whole list.
				return nil, false
			}
			return tags, true
		}
	}
	return nil, false
}

// ask counts a caller of a narrowed range, so that orderOf probes with
// the range most callers wait for.
func (l *listing) ask(r TagRange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked[[2]string{r.After, r.Before}]++
}

func (l *listing) covering(r TagRange) []TagRange {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []TagRange
	for a := range l.asked {
		if w := (TagRange{After: a[0], Before: a[1]}); w.covers(r) {
			out = append(out, w)
		}
	}
	return out
}

func (l *listing) rangeKey(r TagRange) string {
	return l.ref.key + "\x00" + r.After + "\x00" + r.Before
}

// mostAsked is the range asked for most, the lowest of those tied.
func (l *listing) mostAsked() TagRange {
	l.mu.Lock()
	defer l.mu.Unlock()
	var top [2]string
	most := 0
	for r, n := range l.asked {
		if n > most || (n == most && (r[0] < top[0] || (r[0] == top[0] && r[1] < top[1]))) {
			top, most = r, n
		}
	}
	return TagRange{After: top[0], Before: top[1]}
}

func (l *listing) linkedMost(count int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.linked = max(l.linked, count)
	return l.linked
}

func (l *listing) keep(read rangeRead) {
	l.mu.Lock()
	defer l.mu.Unlock()
	same := func(k rangeRead) bool {
		return k.r.After == read.r.After && k.r.Before == read.r.Before && slices.Equal(k.r.Splits, read.r.Splits)
	}
	if !slices.ContainsFunc(l.ranges, same) {
		l.ranges = append(l.ranges, read) // once: each caller settles a range
	}
}

// unprovenError: a narrowed reading cannot be trusted; read the whole list.
// descent: the two tags a page held out of lexical order, if any
// (stretch.descent), for the whole reading's position probe.
type unprovenError struct {
	why     string
	descent [2]string
}

func (e *unprovenError) Error() string {
	return "the tag list is not in proven lexical order: " + e.why
}

// firstPage reads the repository's first page once, asked for without
// last: where every whole reading starts, and, for orderOf, the list's
// first tags.
func (c *Client) firstPage(ctx context.Context, l *listing, rt *repoTransport) (listedPage, error) {
	return c.headPages.Get(ctx, l.ref.key, func(ctx context.Context) (listedPage, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		p, link, err := c.getPage(ctx, l, rt, l.tagsURL(c.pageSize, ""), page{})
		if s := statusOf(err); (s == http.StatusBadRequest || s == http.StatusRequestEntityTooLarge) && !l.withoutN.Load() {
			// A request without last is refused only for its n: CNCF
			// distribution v3.1.0 refuses n above tags.maxtags (1000 unless
			// set lower) with 400 PAGINATION_NUMBER_INVALID and answers
			// without n with every tag (v3.1.1 and v3.1.2 cap n instead,
			// TestRealV3TagListsAnswerAsTheirDoubles; v3.1.0 is not on the
			// Go module proxy). Without n a registry sends its own page
			// size, judged as for a registry capping n.
			whole := l.ref.v2URL("tags/list")
			if p2, link2, err2 := c.getPage(ctx, l, rt, whole, page{}); err2 == nil {
				l.withoutN.Store(true)
				c.debug(ctx, "the registry refused n on the tag list; reading it without n", map[string]any{
					"registry": l.ref.registry, "repository": l.ref.written, "status": s,
				})
				p, link, err = p2, link2, nil
			}
		}
		return listedPage{p: p, next: link}, l.overtime(err)
	})
}

// order is what a repository's registry has shown of how it takes last.
type order struct {
	lexical   bool   // last is a lexical bound: a range may stop at its end
	why       string // why not, when not
	unchecked bool   // lexical until checkOrder says otherwise
	// descent: two tags the answer asked to show the order held out of
	// lexical order, for the whole reading (listing.descent).
	descent [2]string
}

// orderOf finds out once per repository whether the registry takes last as
// a lexical bound, which a reading that stops at a range's end relies on.
// Pages in order do not show it: a registry may keep an order of its own,
// lexical on the pages read with re-pushed tags listed last, and answer a
// last that is no tag from its start. The most asked range (mostAsked)
// sends its first page beside the list's first page (judgeOrder); other
// ranges wait for the verdict. A registry out of order thus costs one full
// listing and one page, not a page per range, and the range's reading gets
// its first page from getPage's cache.
func (c *Client) orderOf(ctx context.Context, l *listing, rt *repoTransport) (order, error) {
	return c.orders.Get(ctx, l.ref.key, func(ctx context.Context) (order, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		r := l.mostAsked()
		var o order
		// A range's start probes only when it is no tag: a registry that
		// takes last by position answers a tag as a lexical one does.
		after := r.After
		if validTag(after) {
			after = ""
		}
		var head listedPage
		var probe *page
		refused := 0
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() (err error) {
			head, err = c.firstPage(gctx, l, rt)
			return err
		})
		if !belowEveryTag(after) {
			g.Go(func() (err error) {
				probe, refused, err = c.askAfter(gctx, l, rt, c.pageSize, after)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return order{}, l.overtime(err)
		}
		if refused != 0 && l.withoutN.Load() && head.next != nil {
			// The probe carried the n the first page showed refused, so it
			// may refuse n, not last. Ask again only where pages without n
			// are linked: where not, the first is most often the whole list
			// (CUE's ociregistry, distribution v3.1.0), cheaper than ranges.
			var err error
			if probe, refused, err = c.askAfter(ctx, l, rt, c.pageSize, after); err != nil {
				return order{}, l.overtime(err)
			}
		}
		v, why := judgeOrder(c.pageSize, head.p, after, probe, refused)
		if _, numeric, _ := probeName(head.p.tags); v == orderLexical && numeric {
			// The answer starts where a lexical one must, but a registry
			// sorting numbers as numbers (3.10 after 3.9) answers so too
			// wherever the runs of digits between keep their length:
			// probeBetween's name, which lengthens one, tells them apart.
			v = orderUnchecked
		}
		if probe != nil {
			o.descent = descentOf(probe.tags)
		}
		if v == orderUnknown {
			var err error
			var d [2]string
			if v, why, d, err = c.probeBetween(ctx, l, rt, head.p); err != nil {
				return order{}, l.overtime(err)
			}
			if o.descent[0] == "" {
				o.descent = d
			}
		}
		o.lexical, o.unchecked, o.why = v == orderLexical || v == orderUnchecked, v == orderUnchecked, why
		return o, nil
	})
}

// checkOrder waits for the check of an unchecked order (probeBetween, once
// per repository), begun by the first range read on it (orderCheck) to run
// alongside. An answer showing another order is an *unprovenError.
func (c *Client) checkOrder(ctx context.Context, l *listing) error {
	rt, err := c.transportFor(ctx, l.ref)
	if err != nil {
		return l.overtime(err)
	}
	o, err := c.orders.Get(ctx, l.ref.key+"\x00between", c.orderCheck(l, rt))
	if err == nil && !o.lexical {
		return &unprovenError{why: o.why, descent: o.descent}
	}
	return l.overtime(err)
}

func (c *Client) orderCheck(l *listing, rt *repoTransport) func(context.Context) (order, error) {
	return func(ctx context.Context) (order, error) {
		ctx, cancel := l.within(ctx)
		defer cancel()
		// orderOf, whose verdict this checks, read the first page: it is
		// cached for the Client's life. (Were it not, no two tags would be
		// there to probe between, and the order would be no lexical one.)
		head, _ := c.headPages.Cached(l.ref.key)
		v, why, descent, err := c.probeBetween(ctx, l, rt, head.p)
		if err == nil && v != orderLexical {
			l.unordered.Store(true) // ranges still being read stop
		}
		return order{lexical: v == orderLexical, why: why, descent: descent}, err
	}
}

// askAfter reads the page of n tags after last, a name that is no tag;
// refused is the status when the registry refuses it (refusedLast).
func (c *Client) askAfter(ctx context.Context, l *listing, rt *repoTransport, n int, last string) (*page, int, error) {
	p, _, err := c.getPage(ctx, l, rt, l.tagsURL(n, last), page{sent: last})
	if s := refusedLast(err, last); s != 0 {
		return nil, s, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return &p, 0, nil
}

// refusedLast is err's status when it may refuse last, a name that is no
// tag: 400 (the distribution spec), 404 (zot, for a name it holds no tag
// of), 405 (Amazon ECR, for a last not among its opaque tokens: "Invalid
// parameter at 'NextToken'"), 500 for an invalid tag name ("3.1~") some
// fail to validate; or refuse n, asked again without by firstPage: 400 or
// 413 (quay.io, n above 100, June 2024, google/go-containerregistry#1963).
// Else 0. Such a refusal is no failure: the list is read from its first
// page, which fails in turn if the repository is missing.
func refusedLast(err error, last string) int {
	switch s := statusOf(err); {
	case s == http.StatusBadRequest || s == http.StatusNotFound || s == http.StatusMethodNotAllowed,
		s == http.StatusRequestEntityTooLarge, s == http.StatusInternalServerError && !validTag(last):
		return s
	}
	return 0
}

// probeBetween asks the page after a name that is no tag between adjacent
// tags a and b of the in-order first page (probeName), and judges it
// (judgeOrder): a lexical registry answers from b; one taking last by
// position, or ignoring it, from its start; one sorting numbers as numbers
// from past b. descent is the answer's first two tags out of order.
func (c *Client) probeBetween(ctx context.Context, l *listing, rt *repoTransport, head page) (v orderVerdict, why string, descent [2]string, err error) {
	name, _, ok := probeName(head.tags)
	if !ok {
		return orderOwn, "the list's first page holds no two tags to ask whether the registry takes last as a lexical bound", descent, nil
	}
	answer, refused, err := c.askAfter(ctx, l, rt, probePage, name)
	if err != nil {
		return 0, "", descent, err
	}
	if answer != nil {
		descent = descentOf(answer.tags)
	}
	v, why = judgeOrder(probePage, head, name, answer, refused)
	return v, why, descent, nil
}

// descentOf is the first two adjacent tags out of lexical order in tags, a
// page in the registry's order: asked for the tags after the first, a
// registry taking last by position answers from the second
// (stretch.positionProbe).
func descentOf(tags []string) [2]string {
	for i := 1; i < len(tags); i++ {
		if tags[i] < tags[i-1] {
			return [2]string{tags[i-1], tags[i]}
		}
	}
	return [2]string{}
}

// noteDescent keeps d, two tags a narrowed reading's page or an order
// probe's answer held out of lexical order, for a whole reading whose own
// pages show none; the first one noted stays.
func (l *listing) noteDescent(d [2]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.descent[0] == "" {
		l.descent = d
	}
}

const probePage = 10

// readRange reads r on a lexical registry as bounded stretches: the first
// page, then the rest in concurrent pieces cut at the splits past it. An
// unproven piece, or pieces that do not join, give an *unprovenError.
func (c *Client) readRange(ctx context.Context, l *listing, rt *repoTransport, r TagRange) ([]string, error) {
	first := &stretch{bounded: true, from: r.After, to: r.Before, n: c.pageSize, linked: l.linkedMost(0), sizes: &l.sizes}
	var v verdict
	var link *url.URL
	var err error
	switch {
	case belowEveryTag(r.After):
		var head listedPage
		head, err = c.firstPage(ctx, l, rt)
		v, link = first.take(head.p), head.next
	default:
		v, link, err = c.readPage(ctx, l, rt, first, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := first.err(v); err != nil {
		return nil, err
	}
	if head, ok := c.headPages.Cached(l.ref.key); ok && !belowEveryTag(r.After) {
		// The first page, in lexical order (orderOf), names the tag an
		// answer to last = r.After must start at, if it holds one past
		// r.After: another start (or none) is not lexical.
		if why := strayStart(head.p.tags, r.After, first.first); why != "" {
			return nil, &unprovenError{why: why}
		}
	}
	var splits []string
	if v == readMore && len(first.tags) > 0 && !first.lookAhead {
		// Past the first page's highest tag, which lies past r.After.
		splits = TagRange{After: first.tags[len(first.tags)-1], Before: r.Before}.filter(r.Splits)
	}
	pieces := []*stretch{first}
	if len(splits) > 0 {
		first.to, first.through = splits[0], true
		for i, s := range splits {
			p := &stretch{bounded: true, from: s, to: r.Before, n: c.pageSize, sizes: &l.sizes}
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
			return c.continueStretch(gctx, l, rt, p, readMore, nil)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if ok, why := joined(pieces); !ok {
		return nil, &unprovenError{why: why}
	}
	var tags []string
	for _, p := range pieces {
		tags = append(tags, p.tags...)
	}
	return r.filter(tags), nil
}

// continueStretch reads the pages of a stretch after the one that said v
// and linked next (nil when it linked none); of a stretch that has read
// none, given readMore and nil, from its first page.
func (c *Client) continueStretch(ctx context.Context, l *listing, rt *repoTransport, s *stretch, v verdict, next *url.URL) error {
	visited := map[string]bool{}
	if s.pages <= 1 { // its first page, read or to be read
		visited[pageKey(l.tagsURL(s.n, s.from))] = true
	}
	var followed *url.URL // the Link the page before was read by
	askedAfter := ""      // or the last it was asked for, past the stretch's first page
	for v == readMore || v == askShorter {
		if v == askShorter { // the Link the page before was read by, asking for s.n names
			short := *followed
			q := short.Query()
			q.Set("n", strconv.Itoa(s.n))
			short.RawQuery = q.Encode()
			next = &short
		}
		followed = next
		if next != nil {
			key := pageKey(next)
			if visited[key] && askedAfter != "" {
				// Asked by last where a page ended without a Link, it
				// answered a page linked into the pages read: it ignores
				// last and starts over, and no Link loops.
				return unreadableListError(fmt.Sprintf("asked for the tags after %q, where a page ended without a Link but did not prove itself the last, the registry answered a page linking back to a page already read (%s): it ignores last and starts over, so whether any tag follows cannot be told", askedAfter, next.RequestURI()))
			}
			if visited[key] {
				return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry's Link header leads back to a page already read (%s)", next.RequestURI()), cause: errLinkLoop}
			}
			visited[key] = true
		}
		askedAfter = ""
		if next == nil && s.pages > 0 {
			askedAfter = s.nextLast // as readPage asks
		}
		var err error
		if v, next, err = c.readPage(ctx, l, rt, s, next); err != nil {
			return err
		}
	}
	return s.err(v)
}

func (s *stretch) err(v verdict) error {
	switch v {
	case unproven:
		return &unprovenError{why: s.why, descent: s.descent}
	case unreadable:
		return unreadableListError(s.why)
	}
	return nil
}

// unreadableListError is the listing's failure when its pages show that no
// client can read the list whole: an answer of the registry (200), why.
func unreadableListError(why string) error {
	return &answerError{status: http.StatusOK, cause: &UnreadableListError{Why: why}}
}

// readPage reads a stretch's next page (its first, else the Link of the
// one before, else the page after s.nextLast), gives it to the stretch,
// and returns the verdict and the page's Link.
func (c *Client) readPage(ctx context.Context, l *listing, rt *repoTransport, s *stretch, link *url.URL) (verdict, *url.URL, error) {
	if s.bounded && l.unordered.Load() {
		// Another reading (checkOrder's) found the list out of order
		// meanwhile: no page of a narrowed reading is worth asking for.
		return 0, nil, &unprovenError{why: "another reading of the list found it out of lexical order"}
	}
	var p page
	u := link
	switch {
	case s.pages == 0:
		u, p.sent = l.tagsURL(s.n, s.from), s.from
	case link == nil:
		u, p.sent = l.tagsURL(s.n, s.nextLast), s.nextLast
	case link.Query().Has("last"):
		p.sent = link.Query().Get("last")
	default:
		p.cursor = true
	}
	p, next, err := c.getPage(ctx, l, rt, u, p)
	if err != nil {
		if status := refusedLast(err, s.from); s.bounded && s.pages == 0 && s.from != "" && status != 0 {
			s.pages++
			return s.fail(unproven, fmt.Sprintf("the registry refused last=%q (HTTP %d)", s.from, status)), nil, nil
		}
		if st := statusOf(err); s.pages > 0 && (st == http.StatusNotFound || errors.As(err, new(*answerError)) && (st == http.StatusUnauthorized || st == http.StatusForbidden)) {
			// Not a missing repository, nor credentials refused: its pages
			// before were answered with them.
			return 0, nil, &answerError{msg: fmt.Sprintf("the registry answered %d %s for page %d of the tag list (%s), after answering the pages before it, so the list cannot be read to its end", st, http.StatusText(st), s.pages+1, u.RequestURI()), cause: err}
		}
		return 0, nil, err
	}
	s.linked = max(s.linked, l.linkedMost(0))
	if link != nil {
		s.noteLinkGap(s.linkedEnd, p)
	}
	return s.take(p), next, nil
}

type listedPage struct {
	p    page
	next *url.URL
}

// getPage reads the tag list page at u into p (how it was asked), counted
// against the listing's bounds, and returns its Link. A page is read once
// per Client (overlapping ranges of one plan's pins share pages); failures
// are not kept.
func (c *Client) getPage(ctx context.Context, l *listing, rt *repoTransport, u *url.URL, p page) (page, *url.URL, error) {
	read, err := c.pages.Get(ctx, l.ref.key+"\x00"+pageKey(u), func(ctx context.Context) (listedPage, error) {
		p, next, err := c.readListPage(ctx, l, rt, u)
		if err == nil {
			l.mu.Lock()
			l.answers = append(l.answers, heldPage{request: u.RequestURI(), tags: p.tags})
			l.mu.Unlock()
		}
		return listedPage{p, next}, err
	})
	if err != nil {
		return p, nil, err
	}
	read.p.sent, read.p.cursor = p.sent, p.cursor
	var next *url.URL
	if read.next != nil {
		n := *read.next
		next = &n
	}
	return read.p, next, nil
}

func (c *Client) readListPage(ctx context.Context, l *listing, rt *repoTransport, u *url.URL) (p page, next *url.URL, err error) {
	resp, err := c.fetch(ctx, l.ref, rt, http.MethodGet, u, []string{"application/json"}, l)
	if err != nil {
		return p, nil, err
	}
	// A body without a "tags" field (an error body sent with 200, {},
	// null) is no tag list, not an empty one; "tags": null is.
	var tags []string
	raw, err := tagsField(resp.body)
	if err == nil && raw == nil {
		return p, nil, &answerError{status: resp.status, msg: fmt.Sprintf(`the answer at %s holds no "tags" field, so it is no tag list`, u.RequestURI())}
	}
	if err == nil {
		err = json.Unmarshal(raw, &tags)
	}
	if err != nil { // valid JSON (fetch checks), of another shape
		return p, nil, &answerError{status: resp.status, msg: fmt.Sprintf(`the tag list at %s is JSON of another shape than a tag list's ({"tags": [names]})`, u.RequestURI()), cause: err}
	}
	p.count, p.tags = len(tags), tags[:0]
	p.asked, _ = strconv.Atoi(u.Query().Get("n"))
	for _, t := range tags {
		if validTag(t) {
			p.tags = append(p.tags, t)
		}
	}
	target, ok, err := nextLink(resp.header.Values("Link"))
	if err != nil {
		return p, nil, &answerError{status: resp.status, msg: err.Error()}
	}
	if !ok {
		return p, nil, nil
	}
	next, err = c.sameHostLink(l.ref, resp, target)
	if err != nil {
		return p, nil, err
	}
	if own := u.Path; next.Path != own {
		// Follow a Link only to this repository's tag list, with its
		// query: Artifactory by the repository path method links without
		// the repository key (RTFACT-18971: </v2/<image>/tags/list?last=1000&n=1000>
		// for /v2/<key>/<image>/tags/list), a path that answers 404 or
		// another repository's tags.
		next.Path, next.RawPath = own, u.RawPath
	}
	if q := next.Query(); q.Get("n") == "0" {
		// GHCR links its next page with n=0 and answers with a page of
		// its own size; a registry taking n=0 as the spec does would
		// answer none and end the list. Send this page's n (or none).
		if n := u.Query().Get("n"); n != "" {
			q.Set("n", n)
		} else {
			q.Del("n")
		}
		next.RawQuery = q.Encode()
	}
	p.link, p.linkCursor = true, !next.Query().Has("last")
	l.linkedMost(p.count)
	l.sizes.note(p)
	return p, next, nil
}

// tagsField is a tag list body's "tags" member: the one of that exact
// name (the last, if repeated, as Go reads it), else the member whose name
// is "tags" in another case ("Tags", as Go's encoding/json matches a
// struct field), nil when there is none. A body holding "tags" and a
// member such as "TAGS" after it was read by the latter, so that a page
// of the registry's tags read as none; two names in other cases and none
// exact are an error. A body that names no member so is read as a struct,
// skipping the others unkept; one that may is read member by member (a map
// of them all took 15 times a hostile page's bytes).
func tagsField(body []byte) (json.RawMessage, error) {
	var quick struct {
		Tags json.RawMessage `json:"tags"`
	}
	if err := json.Unmarshal(body, &quick); err != nil {
		return nil, err
	}
	if !mayNameTagsOtherwise(body) {
		return quick.Tags, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the object's {: Unmarshal took it as one
		return nil, err
	}
	var exact, other json.RawMessage
	var otherName, clash string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := key.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		switch {
		case name == "tags":
			exact = value
		case !strings.EqualFold(name, "tags"):
		case other != nil && name != otherName:
			clash = fmt.Sprintf("the body names its tags %q and %q, and none \"tags\"", min(name, otherName), max(name, otherName))
		default:
			other, otherName = value, name
		}
	}
	switch {
	case exact != nil:
		return exact, nil
	case clash != "":
		return nil, errors.New(clash)
	}
	return other, nil
}

// mayNameTagsOtherwise reports whether body may hold a member that Go's
// encoding/json takes for "tags" though not so written: "Tags", "TAGS",
// "tag\u017f" (ſ folds to s), "\u0074ags". A string value so written
// says yes too, which costs only the slower reading.
func mayNameTagsOtherwise(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) || bytes.Contains(body, []byte("\u017f")) {
		return true
	}
	for i := 0; i+5 < len(body); i++ {
		if body[i] == '"' && body[i+5] == '"' && string(body[i+1:i+5]) != "tags" && strings.EqualFold(string(body[i+1:i+5]), "tags") {
			return true
		}
	}
	return false
}

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
	ownSpelling(next, ref.name.RegistryStr())
	return next, nil
}

func (l *listing) tagsURL(n int, last string) *url.URL {
	q := url.Values{}
	if !l.withoutN.Load() {
		q.Set("n", strconv.Itoa(n))
	}
	if last != "" {
		q.Set("last", sentLast(last))
	}
	u := l.ref.v2URL("tags/list")
	u.RawQuery = q.Encode()
	return u
}

// sentLast is last as sent. A name with a '/' (a range start such as
// "2.10/", below "2.100" and past every "2.10." and "2.10-" name) is sent
// as the name before the '/' plus ".~": no valid tag lies between, so the
// tags after either are the same. CNCF distribution v3.1 compares last as
// a storage path ('/' below every byte) and walks from the folder it names:
// it answers "2.10/" from "2.10-python3.10" on, tags below last, and "/~"
// with nothing. A leading '/' stays: such a last is never sent
// (belowEveryTag).
func sentLast(last string) string {
	if i := strings.IndexByte(last, '/'); i > 0 {
		return last[:i] + ".~"
	}
	return last
}

// pageKey identifies a page whatever its scheme, host spelling or order of
// query parameters.
func pageKey(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// linkValue is the next link-value of a Link header (RFC 8288 §3):
// <target>, then parameters, each "; name", "; name=token" or
// `; name="quoted string"`, with whitespace around ';', '=' and the ','
// that ends it; linkParam is one of its parameters.
var (
	linkValue = regexp.MustCompile(`^[\s,]*<([^>]*)>((?:\s*;(?:\s*[^\s;,="]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^\s;,"]*))?)?)*)\s*(?:,|$)`)
	linkParam = regexp.MustCompile(`;\s*([^\s;,="]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?`)
)

// nextLink finds the target of the link-value whose first rel parameter
// (RFC 8288 §3.3) holds the relation type "next", without case: not a type
// containing the word ("next-archive", a URI), nor "rel=next" inside
// another parameter. An unreadable header, or two next links that differ,
// is an error: a missed next link would end a cursor-paged list silently.
func nextLink(values []string) (next string, ok bool, err error) {
	for _, v := range values {
		for rest := v; strings.Trim(rest, " \t,") != ""; {
			m := linkValue.FindStringSubmatch(rest)
			if m == nil {
				return "", false, fmt.Errorf("the registry's Link header %q is not a list of links as RFC 8288 writes them, so the tag list cannot be followed", v)
			}
			rest = rest[len(m[0]):]
			if !slices.ContainsFunc(relTypes(m[2]), func(t string) bool { return strings.EqualFold(t, "next") }) {
				continue
			}
			target := strings.TrimSpace(m[1])
			if ok && target != next {
				return "", false, fmt.Errorf("the registry's Link headers name two next pages, %q and %q", next, target)
			}
			next, ok = target, true
		}
	}
	return next, ok, nil
}

// relTypes returns the relation types of a link-value's first rel
// parameter, its quoted-pairs unescaped (RFC 9110 §5.6.4).
func relTypes(params string) []string {
	for _, p := range linkParam.FindAllStringSubmatch(params, -1) {
		if strings.EqualFold(p[1], "rel") {
			return strings.Fields(quotedPair.ReplaceAllString(p[2], "$1") + p[3])
		}
	}
	return nil
}

var quotedPair = regexp.MustCompile(`\\(.)`)
