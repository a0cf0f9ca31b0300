package registry

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// This file holds the decisions of a tag listing, apart from any HTTP: which
// page to ask for next, when a run of pages is complete, and when the pages
// in hand fail to prove what a narrowed reading relies on. The reader in
// tags.go feeds pages in and does what the verdicts say.
//
// Registries differ. Some list tags in lexical order and honour `last` as a
// lexical bound (Docker Hub, CNCF distribution 3, go-containerregistry);
// some take `last` by position in an order of their own, or ignore it and
// page by opaque cursors in Link headers (Quay), or ignore `n` and `last`
// and send every tag at once, unsorted (distribution 2.x). A stretch that
// may stop at a bound therefore trusts nothing that its own pages do not
// show: every page strictly increasing, continuing exactly where the
// previous one ended, each asked for by `last`; and the registry must have
// shown, once, that it takes `last` as a lexical bound (judgeOrder).
// Anything else is unproven, and the caller reads the whole list instead.

// widePage is the n of the one request that asks a registry which honours n
// but neither `last` nor Link for its whole list at once.
const widePage = 100000

// page is one tag list answer, as a stretch sees it.
type page struct {
	// sent is the `last` parameter of the request ("" when none): the
	// stretch's lower bound for its first page, else the previous page's
	// last tag, or what the followed Link carried.
	sent string
	// cursor: the request followed a Link whose query carries no `last`,
	// so the registry pages by something of its own.
	cursor bool
	// tags are the valid tag names, in the order the registry sent them.
	tags []string
	// count is the number of names the registry sent, invalid ones too:
	// whether the page was full is judged by it.
	count int
	// link: the answer links a next page; linkCursor: by a Link that
	// carries no `last`.
	link, linkCursor bool
	// asked is the n the request sent (0 when none).
	asked int
}

// verdict is what a stretch says after a page.
type verdict int

const (
	// readMore: ask for the next page, by its Link or with `last` =
	// stretch.nextLast.
	readMore verdict = iota
	// complete: the stretch holds every tag of its part of the list.
	complete
	// askShorter: ask the page just read, by the cursor Link it was read
	// by, again with n = stretch.n, one name fewer than it held.
	askShorter
	// unproven: the pages do not show the lexical order a bounded stretch
	// relies on (see stretch.why); read the whole list instead.
	unproven
	// unreadable: the registry's paging cannot be followed to the end of
	// the list (see stretch.why).
	unreadable
)

// stretch is one run of pages of a tag list, asked for one after another.
//
// A bounded stretch reads the tags after from (sent as `last` with its first
// page) up to to, and stops at the first tag past to: it is only right on a
// list in lexical order, and says unproven as soon as a page shows
// otherwise. An unbounded stretch reads the whole list from its start to
// its end, in whatever order the registry keeps, and never stops early.
type stretch struct {
	from    string // bounded: tags up to and with from lie before it
	to      string // bounded: tags past to lie after it; "" for no bound
	through bool   // bounded: to itself lies inside
	bounded bool
	n       int // the page size asked for

	// linked is the most names a page with a Link held, on this stretch or
	// (as the reader sets it) any page of the listing: the registry pages
	// at least that many at a time, so a page without a Link holding fewer
	// is not full and ends the list. A page without a Link holding as many
	// may be a full page whose Link was left off (a registry capping n
	// below what was asked included), so it is followed by a request with
	// `last`, as every page is while no Link was seen; then only an empty
	// answer (or, for an unbounded stretch, one with nothing new) ends the
	// list.
	linked int
	// uneven: two pages with a Link, asked with one n, held different
	// numbers of names, as sizes (the listing's, which the reader shares
	// with every stretch of it, or the stretch's own) says after each page:
	// the registry cuts its pages by something else too (by bytes, so that
	// long names give short pages), and a page without Link short of
	// linked may be a full one whose Link was left off.
	uneven bool
	sizes  *linkedSizes

	// What was read.
	tags   []string // the tags inside, in the registry's order
	first  string   // bounded: the first tag of the first page ("" when empty)
	beyond string   // bounded: the first tag past to ("" when the list ended first)

	// How it went.
	pages    int
	nextLast string // after readMore without a Link: the `last` to send
	why      string // after unproven or unreadable: the reason

	// Unbounded only.
	seen     map[string]bool
	sentLast map[string]bool
	advanced bool     // the registry answered a `last` with new tags only
	head     []string // the tags of the first page
	ignoresN bool     // a page held more names than asked for
	most     int      // the most names a page held
	// ownSize: a page held more names than its request sent as n (a
	// Link's n, not the stretch's, for a page read by a Link).
	ownSize  bool
	wideTags map[string]bool // nil, or the tags read since the list was asked for again, whole, with widePage
	// unasked: n is not sent (the registry refused it), so the list
	// cannot be asked for again with widePage.
	unasked bool
	// fullLast: the last tag of a full page without Link reached by a
	// cursor, which was asked again one name shorter (askShorter); ""
	// until then. shortPage: the page being taken is that answer.
	shortPage bool
	fullLast  string
	// afterShort: the page being taken was linked by the shorter answer.
	afterShort bool
	// unlinkedFull: a page as full as asked for, and as a linked page,
	// or as full as a linked page of this stretch, came without a Link:
	// the registry leaves the Link off full pages. linkedHere is the most
	// names a page with a Link held on this stretch (linked counts the
	// listing's other readings too, whose n may be smaller).
	unlinkedFull bool
	linkedHere   int
}

// take records a page and says what to do next.
func (s *stretch) take(p page) verdict {
	s.pages++
	if p.link {
		s.linked = max(s.linked, p.count)
		s.linkedHere = max(s.linkedHere, p.count)
	}
	if s.sizes == nil {
		s.sizes = &linkedSizes{}
	}
	s.uneven = s.sizes.note(p)
	if s.bounded {
		return s.takeBounded(p)
	}
	return s.takeWhole(p)
}

// linkedSizes is the names each n's page with a Link held, and whether
// two asked with one n held different numbers (uneven). A listing's is
// noted with every page it reads, those only judged (judgeOrder) too, and
// by its stretches again (a page noted twice changes nothing).
type linkedSizes struct {
	mu     sync.Mutex
	by     map[int]int
	uneven bool
}

// note notes p and says whether the pages with a Link were uneven.
func (z *linkedSizes) note(p page) bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	if p.link {
		if c, ok := z.by[p.asked]; ok && c != p.count {
			z.uneven = true
		}
		if z.by == nil {
			z.by = map[int]int{}
		}
		z.by[p.asked] = p.count
	}
	return z.uneven
}

// unasked is the names the last page with a Link asked without n held.
func (z *linkedSizes) unasked() (int, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	c, ok := z.by[0]
	return c, ok
}

// fullUnasked reports whether p, a page without Link asked without n by a
// Link that left n off, on a listing that sends n, may be a full page of
// the registry's own size, its Link left off, though it holds fewer names
// than the listing's n: it holds as many as a page with a Link asked so,
// or no such page was seen. Only where the registry takes a tag for last
// (a bounded stretch, or a Link whose last is a tag read), which the page
// after is asked by.
func (s *stretch) fullUnasked(p page) bool {
	if p.link || p.asked != 0 || s.unasked || !s.bounded && !s.seen[p.sent] {
		return false
	}
	c, ok := s.sizes.unasked()
	return !ok || p.count >= c
}

// takeBounded checks that the page continues the lexical run and collects
// the tags inside the stretch.
func (s *stretch) takeBounded(p page) verdict {
	if p.cursor || p.linkCursor {
		return s.fail(unproven, "the registry pages its tag list by an opaque cursor, not by last")
	}
	below := p.sent // every tag must sort after the `last` that was sent
	if s.pages > 1 && below != s.nextLast {
		return s.fail(unproven, fmt.Sprintf("page %d was linked after %q, not after the last tag of the page before (%q)", s.pages, below, s.nextLast))
	}
	for i, t := range p.tags {
		if t <= below {
			if i == 0 {
				return s.fail(unproven, fmt.Sprintf("the page asked for after %q starts at %q", below, t))
			}
			return s.fail(unproven, fmt.Sprintf("page %d is not in lexical order (%q follows %q)", s.pages, t, below))
		}
		below = t
	}
	if s.pages == 1 && len(p.tags) > 0 {
		s.first = p.tags[0]
	}
	for _, t := range p.tags {
		if s.past(t) {
			s.beyond = t
			return complete
		}
		s.tags = append(s.tags, t)
	}
	// The next page goes on after this one's last tag or, when it held
	// none, after the `last` it was asked with: a Link from a page without
	// tags may not jump ahead either.
	s.nextLast = below
	switch {
	case p.link:
		return readMore
	case p.count == 0:
		return complete // the list ends here
	case len(p.tags) == 0:
		return s.fail(unproven, fmt.Sprintf("page %d holds no valid tag name to ask for the next page after", s.pages))
	case p.count < min(s.n, s.linked) && !s.uneven && !s.fullUnasked(p):
		return complete // a registry that links its pages linked none after a page that is not full
	default:
		return readMore // ask with last until an empty page
	}
}

// past reports whether t sorts beyond a bounded stretch's upper end.
func (s *stretch) past(t string) bool {
	switch {
	case s.to == "":
		return false
	case s.through:
		return t > s.to
	default:
		return t >= s.to
	}
}

// takeWhole collects the page's new tags and decides, for a page without a
// Link, whether the list has ended.
func (s *stretch) takeWhole(p page) verdict {
	if s.seen == nil {
		s.seen, s.sentLast = map[string]bool{}, map[string]bool{}
	}
	if s.pages == 1 {
		s.head = p.tags
	}
	fresh := 0
	for _, t := range p.tags {
		if s.keep(t) {
			fresh++
		}
		if s.wideTags != nil {
			s.wideTags[t] = true
		}
	}
	// A page as full as asked and as a linked page, or as full as a linked
	// page of this stretch (which shows the size the registry cuts its
	// pages to, below n when it caps n), came without a Link.
	full := s.linked > 0 && p.count >= s.linked && (p.count >= s.n || s.ignoresN)
	if !p.link && (full || (s.linkedHere > 0 && p.count >= s.linkedHere)) {
		s.unlinkedFull = true
	}
	afterShort := s.afterShort
	s.afterShort = false
	if s.shortPage {
		s.shortPage = false
		if p.link && p.count <= s.n {
			// It took the shorter n (pages cut by bytes too may hold
			// fewer): the end shows as a page that is not full, or it goes on.
			s.afterShort = true
			return readMore
		}
		// It did not take the shorter n, or left the Link off again: ask
		// after the full page's last tag, as for any full page without Link.
		s.keep(s.fullLast)
		return s.askAfter(s.fullLast)
	}
	if p.sent != "" && fresh > 0 && fresh == len(p.tags) {
		s.advanced = true
	}
	if p.count > s.n {
		s.ignoresN = true
	}
	s.most = max(s.most, p.count)
	if p.asked > 0 && p.count > p.asked {
		s.ownSize = true
	}
	switch {
	case p.link:
		return readMore
	case p.count == 0:
		return complete
	case (p.count < min(s.n, s.linked) || (s.ownSize && p.count < s.linked)) && (!s.uneven || !s.canAskAfter(p, fresh)) && (fresh > 0 || len(p.tags) == 0) && !s.fullUnasked(p):
		// A registry that links its pages linked none after a page that
		// is not full, even one of names that are no tags (Artifactory
		// lists platform manifests' digests, containers/skopeo#2346).
		// One that ignores n cuts its pages at a size of its own, which
		// its linked pages show, whatever n the stretch asks (asked again
		// shorter, it would send the same page). Where its linked pages
		// were uneven, no size shows that a page is not full: the page
		// after it is asked for, where it can be (canAskAfter).
		return complete
	case afterShort && s.uneven && fresh > 0 && p.tags[len(p.tags)-1] == s.fullLast:
		// Linked by the shorter answer, the page ends where the full page
		// did, without a Link: the end, though, its pages being uneven,
		// it may hold as many names as the shorter n.
		return complete
	case len(p.tags) == 0:
		return s.fail(unreadable, fmt.Sprintf("page %d holds no valid tag name to ask for the next page after, and no Link header", s.pages))
	case p.cursor && s.fullLast == "" && !s.unasked && p.count > 1 && fresh == len(p.tags):
		// A full page without Link, reached by a cursor. Such a registry
		// takes last for a cursor of its own and answers a tag from its
		// start (Quay 3.11 and earlier), so the page after this one
		// cannot be asked for by last; and Quay links a next page only
		// while a tag remains, so its list ends on a full page whenever it
		// holds a multiple of its page size. Asked again one name
		// shorter, this page links the next, which is not full, when the
		// list ends there, as on a registry that leaves the Link off a
		// full page it does not (a listing that cannot send n is asked
		// after the page instead). The full page's last tag is then the
		// next page's first: it is taken from there (or again, by keep,
		// if the end does not show).
		s.shortPage, s.fullLast, s.n = true, p.tags[len(p.tags)-1], p.count-1
		delete(s.seen, s.fullLast)
		s.tags = s.tags[:len(s.tags)-1]
		return askShorter
	case fresh == 0 && p.count == 1 && p.tags[0] == p.sent && s.most > 1:
		// A registry that takes last inclusively (from it, not after it:
		// >= for >) answered last with last alone, where its pages hold
		// more than one name: nothing follows it. (Asked whole instead,
		// one that caps n would send fewer tags than were read.)
		return complete
	case s.wideTags != nil && p.count >= widePage:
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and sends no Link, and its answer to n=%d is full, so the rest of its list cannot be read", widePage))
	case fresh == 0 && s.advanced:
		// The registry honoured last before: an answer that is its first
		// page again, as far as either goes, started over past its end.
		if k := min(len(p.tags), len(s.head)); k > 0 && slices.Equal(p.tags[:k], s.head[:k]) {
			return complete
		}
		// It honoured last before, and answered this one with tags read
		// already, but not from its start: a tag listed twice, taken by
		// its first place. Its end lies further on: go on after this page.
	case fresh == 0 && s.unasked:
		// Asked again without n, it would send the same page: whether that
		// is its whole list or a page of its own size cannot be told,
		// even when it holds more names than the stretch's n, which was
		// not sent (TestListingModelFaultsRefusedNOnce).
		return s.fail(unreadable, "the registry ignores last, sends no Link and refuses n, so the rest of its list cannot be read")
	case fresh == 0 && s.wideTags != nil && len(s.wideTags) < len(s.seen):
		// The list asked for again from its start must hold every tag
		// read: this one holds fewer, so the registry caps its pages, and
		// what lies past them cannot be asked for.
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and sends no Link, and asked for every tag at once it sent %d tags, fewer than the %d its pages held, so the rest of its list cannot be read", len(s.wideTags), len(s.seen)))
	case fresh == 0 && (s.ignoresN || s.wideTags != nil) && s.unlinkedFull:
		// It links its pages, yet left the Link off a full one: without a
		// Link, this answer may as well be a capped page as the whole list.
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and left the Link off a full page, so whether its answer with every tag it sends at once (%d tags, no Link) is its whole list cannot be told", len(p.tags)))
	case fresh == 0 && (s.ignoresN || s.wideTags != nil):
		// The registry ignores last and sends no Link. It sent more names
		// than asked for, or fewer than the widePage asked for: its answer
		// is its whole list. (One that also caps n silently cannot be told
		// from one that holds that many tags.)
		return complete
	case fresh == 0:
		// It ignores last but honours n: ask for the whole list at once.
		s.n, s.nextLast, s.wideTags = widePage, "", map[string]bool{}
		return readMore
	}
	return s.askAfter(p.tags[len(p.tags)-1])
}

// canAskAfter reports whether the page after p, a page without Link, can
// be asked for: by last, or, for a page reached by a cursor, by asking it
// again shorter (the askShorter case of takeWhole), once, where the page
// after the shorter one is not full in turn (p holds more than two names).
func (s *stretch) canAskAfter(p page, fresh int) bool {
	return !p.cursor || (s.fullLast == "" && !s.unasked && p.count > 2 && fresh == len(p.tags))
}

// keep adds t to the tags unless it is there already, and says whether it
// was new.
func (s *stretch) keep(t string) bool {
	if s.seen[t] {
		return false
	}
	s.seen[t] = true
	s.tags = append(s.tags, t)
	return true
}

// askAfter asks for the page after last, once.
func (s *stretch) askAfter(last string) verdict {
	if s.sentLast[last] {
		return s.fail(unreadable, fmt.Sprintf("the registry answered last=%q with a page ending at that same tag, so paging stopped to avoid a loop", last))
	}
	s.sentLast[last] = true
	s.nextLast = last
	return readMore
}

func (s *stretch) fail(v verdict, why string) verdict {
	s.why = why
	return v
}

// probePair returns two tags a < b that follow each other in sorted (no
// tag lies between them in a complete lexical read) and of which b does
// not start with a, so that a+"~" (no tag: '~' is not a tag character)
// lies strictly between them, and a lexical answer to last=a+"~" starts at
// b (judgeOrder finds b on the first page); ok is false when there is none.
func probePair(sorted []string) (a, b string, ok bool) {
	for i := 0; i+1 < len(sorted); i++ {
		if !strings.HasPrefix(sorted[i+1], sorted[i]) {
			return sorted[i], sorted[i+1], true
		}
	}
	return "", "", false
}

// joined reports whether consecutive bounded stretches, each read from a
// split point where its neighbour's upper end lies, fit together: each
// starts exactly at the first tag its neighbour saw past that split, or,
// when the neighbour reached the end of the list, holds nothing. A registry
// that answers a `last` that is no tag from somewhere else (its start, an
// empty page) fails this, and the range is read whole instead.
func joined(pieces []*stretch) (bool, string) {
	for i := 1; i < len(pieces); i++ {
		prev, cur := pieces[i-1], pieces[i]
		if cur.first != prev.beyond {
			return false, fmt.Sprintf("the piece read after %q starts at %q, but the piece before it saw %q next", cur.from, cur.first, prev.beyond)
		}
	}
	return true, ""
}

// orderVerdict is what a registry has shown of how it takes last.
type orderVerdict int

const (
	// orderUnknown: the pages in hand cannot tell; ask once more
	// (probeBetween).
	orderUnknown orderVerdict = iota
	// orderLexical: last is a lexical bound, so a range may stop at its end.
	orderLexical
	// orderUnchecked: the answer looks lexical, but the first page ends
	// before it and so shows no tag it had to start at. probeBetween
	// checks it while the ranges are read (checkOrder): a request more,
	// and no round trip, as the pin's HEAD runs meanwhile (ListTagRangeSoon).
	orderUnchecked
	// orderOwn: the registry keeps an order of its own, pages by cursor,
	// ignores last or refuses a last that is no tag: read the whole list.
	orderOwn
)

// belowEveryTag reports whether every valid tag sorts after s: tags start
// with a letter, a digit or '_', and '0' is the lowest of them. A range
// starting there starts at the list's first page.
func belowEveryTag(s string) bool { return s < "0" }

// nextPast returns the tag of the sorted first page past after: the one an
// answer to last=after has to start at, if the page holds one.
func nextPast(head []string, after string) (string, bool) {
	i, found := slices.BinarySearch(head, after)
	if found {
		i++
	}
	if i < len(head) {
		return head[i], true
	}
	return "", false
}

// strayStart says why an answer to last=after that starts at first (""
// when empty) is no lexical one: the list's first page, sorted, holds the
// tag past after it must start at (nextPast), and that is not first. It
// says "" when the answer starts there, or when the first page holds no
// tag past after.
func strayStart(head []string, after, first string) string {
	if next, ok := nextPast(head, after); ok && next != first {
		return fmt.Sprintf("the page asked for after %q starts at %q, but the list's first page holds %q next", after, first, next)
	}
	return ""
}

// judgeOrder says what the list's first page (head, asked for without
// last) and the answer to last=after (after is a name that is no tag; probe
// is nil when none was asked for or the registry refused it, refused the
// status it refused with, else 0) show
// of how the registry takes last.
//
// A first page out of order, or paged by cursor, shows an order of the
// registry's own. When the list starts at or before after, an answer that
// starts at the first page's first tag past after, in order, shows that
// the registry did not answer from its start: it takes last lexically. An
// answer from the start shows it does not; so does one that starts
// anywhere but at that tag (an empty answer among them). A list that
// starts past after, or an empty answer, cannot tell; an answer in order
// past after where the first page ends at or before it (showing no tag
// the answer must start at) is unchecked.
func judgeOrder(n int, head page, after string, probe *page, refused int) (orderVerdict, string) {
	answer := &stretch{bounded: true, from: after, n: n}
	answered := complete
	if probe != nil {
		answered = answer.take(*probe)
	}
	first := &stretch{bounded: true, n: n}
	switch {
	case first.take(head) == unproven:
		return orderOwn, first.why
	case after == "" || len(head.tags) == 0 || head.tags[0] > after:
		return orderUnknown, ""
	case refused != 0:
		return orderOwn, fmt.Sprintf("the registry refused last=%q (HTTP %d)", after, refused)
	case answered == unproven:
		return orderOwn, answer.why
	}
	if why := strayStart(head.tags, after, answer.first); why != "" {
		return orderOwn, why // answer.first is "" when there was no probe
	}
	if probe == nil || len(probe.tags) == 0 {
		return orderUnknown, ""
	}
	if _, ok := nextPast(head.tags, after); !ok {
		// The first page holds no tag past after, so it does not show
		// where the answer had to start. CNCF distribution v3.0.0 answers
		// a last that is no tag from the second tag past it
		// (sort.SearchStrings, then one more), in order, which would pass
		// for a lexical answer and lose that tag from every range.
		// probeBetween asks between two tags of the first page, where the
		// start is known.
		return orderUnchecked, ""
	}
	return orderLexical, ""
}
