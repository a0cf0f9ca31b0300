package registry

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The decisions of a tag listing, apart from HTTP (tags.go does the I/O).
//
// Docker Hub, CNCF distribution 3 and go-containerregistry sort tags and take
// `last` as a lexical bound. Others take `last` by position in an order of
// their own, page by opaque Link cursors (Quay), or ignore n and `last` and
// send every tag at once, unsorted (distribution 2.x). So a bounded stretch
// trusts only pages that each increase strictly and continue where the one
// before ended, on a registry that has shown once that `last` is lexical
// (judgeOrder); anything else is unproven, and the whole list is read.

// widePage is the n that asks a registry honouring n but neither `last` nor
// Link for its whole list at once.
const widePage = 100000

// page is one tag list answer, as a stretch sees it.
type page struct {
	sent             string   // the `last` sent ("" for none)
	cursor           bool     // followed a Link without `last`: a cursor of the registry's own
	tags             []string // the valid tag names, in the registry's order
	count            int      // the names sent, invalid ones too: fullness is judged by it
	link, linkCursor bool     // a next page is linked; by a Link without `last`
	asked            int      // the n sent (0 for none)
}

// verdict is what a stretch says after a page.
type verdict int

const (
	readMore verdict = iota // ask the next page, by its Link or with last = nextLast
	complete
	// askShorter: ask the page just read again, by its cursor Link, with
	// n = stretch.n, one name fewer than it held.
	askShorter
	unproven   // the pages do not show lexical order (why): read the whole list
	unreadable // the paging cannot be followed to the list's end (why)
)

// stretch is one run of pages of a tag list. A bounded one reads the tags
// after from up to to and stops at the first tag past to, so it holds only
// on a lexical list and says unproven once a page shows otherwise. An
// unbounded one reads the whole list, in the registry's order.
type stretch struct {
	from    string // bounded: tags up to and with from lie before it
	to      string // bounded: tags past to lie after it; "" for no bound
	through bool   // bounded: to itself lies inside
	bounded bool
	n       int // the page size asked for

	// linked is the most names a linked page held (the reader shares it
	// across the listing): the registry's page size. An unlinked page
	// holding fewer ends the list; one holding as many may be a full page
	// with its Link left off (also when a registry caps n), so paging goes
	// on by `last` until an empty answer (unbounded: one with nothing new).
	linked int
	// uneven: two linked pages asked with one n held different counts (per
	// sizes, the listing's or the stretch's own): the registry also cuts
	// pages by bytes, so an unlinked page short of linked may be full.
	uneven bool
	sizes  *linkedSizes

	tags   []string // the tags inside, in the registry's order
	first  string   // bounded: the first tag of the first page ("" when empty)
	beyond string   // bounded: the first tag past to ("" when the list ended first)

	pages    int
	nextLast string // after readMore without a Link: the `last` to send
	why      string // after unproven or unreadable: the reason

	// Unbounded only.
	seen     map[string]bool
	sentLast map[string]bool
	advanced bool            // the registry answered a `last` with new tags only
	head     []string        // the tags of the first page
	ignoresN bool            // a page held more names than asked for
	most     int             // the most names a page held
	ownSize  bool            // a page held more names than its request's n
	wideTags map[string]bool // nil, or the tags read since the list was asked for again, whole, with widePage
	// wideLinked: that answer, asked for every tag at once, linked a next
	// page: it is not the whole list.
	wideLinked bool
	// linkedTo: the page being taken was linked by the page before, which
	// held linkedFresh new tags and ended at linkedEnd; fresh: the new
	// tags of the page being taken.
	linkedTo    bool
	linkedEnd   string
	linkedFresh int
	fresh       int
	unasked     bool // n is not sent (the registry refused it), so widePage cannot be
	// fullLast: the last tag of a full unlinked page reached by a cursor,
	// asked again one name shorter (askShorter); shortPage: the page being
	// taken is that answer.
	shortPage  bool
	fullLast   string
	afterShort bool // the page being taken was linked by the shorter answer
	// overCheck: the page being taken answers last = overCheck, asked by
	// askStartOver after the answer to last = overFrom started as the
	// first page, every tag past overFrom.
	overCheck, overFrom string
	// descent: the first two names a page held in a row out of lexical
	// order (descent[0] > descent[1]), so the registry keeps an order of
	// its own. byLast: a page asked for by a last that is a tag read
	// before held new tags; belowLast: a page so asked held a tag below
	// that last, which a registry taking last as a lexical bound never
	// sends (positionProbe).
	descent           [2]string
	byLast, belowLast bool
	// ownOrder: a page held a tag not read before below the name before
	// it (a descent of tags listed twice is none).
	ownOrder bool
	// linkGap: the last tag of a page and the last its Link asked after,
	// another tag name (the first met): if no page holds that name, the
	// tags between may be on no page (linkGapError).
	linkGap [2]string
	// unlinkedFull: an unlinked page was as full as asked and as a linked
	// page, or as a linked page of this stretch: the registry leaves the
	// Link off full pages. linkedHere is linked for this stretch alone
	// (other readings of the listing may ask a smaller n).
	unlinkedFull bool
	linkedHere   int
	// shortLinked: bounded, the page before linked this one though it held
	// fewer names than asked for and than a linked page held (cut by
	// bytes, say): in lexical order, only while tags past it remain.
	shortLinked bool
	// lookAhead: bounded, the first tag past to (beyond) ended a page that
	// may be followed, and the page after it is asked for only to show
	// that the tags after beyond sort after it (takeBounded).
	lookAhead bool
}

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
	v := s.takeWhole(p)
	s.linkedTo, s.linkedEnd, s.linkedFresh = p.link && s.fresh > 0, "", s.fresh
	if len(p.tags) > 0 {
		s.linkedEnd = p.tags[len(p.tags)-1]
	}
	return v
}

// linkedSizes is the names each n's linked page held, and whether two with
// one n differed (uneven). A listing's is shared by its stretches and
// judgeOrder; a page noted twice changes nothing.
type linkedSizes struct {
	mu     sync.Mutex
	by     map[int]int
	uneven bool
}

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

func (z *linkedSizes) unasked() (int, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	c, ok := z.by[0]
	return c, ok
}

// fullUnasked reports whether p, an unlinked page asked without n by a Link
// that left n off, on a listing that sends n, may be a full page of the
// registry's own size though short of the listing's n: it holds as many as
// a linked page asked so, or none was seen. Only where the page after is
// asked by a tag as last (bounded, or after a Link whose last was read).
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
			s.descent = [2]string{below, t}
			return s.fail(unproven, fmt.Sprintf("page %d is not in lexical order (%q follows %q)", s.pages, t, below))
		}
		below = t
	}
	if s.lookAhead {
		// The page after beyond sorts after it, as the rest of a page
		// holding beyond would have had to.
		s.lookAhead = false
		return complete
	}
	if s.pages == 1 && len(p.tags) > 0 {
		s.first = p.tags[0]
	}
	for i, t := range p.tags {
		if s.past(t) {
			s.beyond = t
			if i == len(p.tags)-1 && !s.through && s.mayFollow(p) {
				// A database sorting names in its collation, not byte by
				// byte (glibc's en_US ignores punctuation: "381" between
				// "3.8.1" and "3.8.2"), may list a tag inside the range
				// after one past it. Past to mid-page, the rest of the page
				// shows that none does right after it (its order is
				// checked above); past to at the page's end, the next page
				// is read to show the same. A stretch ending at a split
				// needs none: the next piece must start at beyond (joined).
				s.lookAhead, s.nextLast = true, t
				return readMore
			}
			return complete
		}
		s.tags = append(s.tags, t)
	}
	// Go on after this page's last tag or, when it held none, its `last`: a
	// Link from an empty page may not jump ahead either.
	s.nextLast = below
	shortLinked := s.shortLinked
	s.shortLinked = p.link && p.count < s.linked && (p.asked == 0 || p.count < p.asked)
	switch {
	case p.link:
		return readMore
	case p.count == 0 && shortLinked:
		// A registry that lists tags past a last in its own order, every
		// one above last, links past a page it cut while tags of its order
		// remain, though all of them sort below that page's last tag.
		return s.fail(unreadable, fmt.Sprintf("the registry linked page %d, after %q, from a page that held fewer names than it was asked for and than its pages hold, and that page held none: a registry in lexical order links a page that is not full only while tags past it remain, so its paging skips tags (or tags were deleted while the list was read; then a plan run again may read it whole)", s.pages, below))
	case p.count == 0:
		return complete // the list ends here
	case len(p.tags) == 0:
		return s.fail(unproven, fmt.Sprintf("page %d holds no valid tag name to ask for the next page after", s.pages))
	case !s.mayFollow(p):
		return complete // a registry that links its pages linked none after a page that is not full
	default:
		return readMore // ask with last until an empty page
	}
}

// mayFollow reports whether a page may follow p, a bounded stretch's page
// with names: it is linked or as full as the stretch would read on after.
func (s *stretch) mayFollow(p page) bool {
	return p.link || p.count >= min(s.n, s.linked) || s.uneven || s.fullUnasked(p)
}

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

// takeWhole collects the page's new tags and decides, for an unlinked page,
// whether the list has ended.
func (s *stretch) takeWhole(p page) verdict {
	if s.seen == nil {
		s.seen, s.sentLast = map[string]bool{}, map[string]bool{}
	}
	if s.pages == 1 {
		s.head = p.tags
	}
	if s.descent[0] == "" {
		s.descent = descentOf(p.tags)
	}
	onPage := map[string]bool{} // not sized by the page: a hostile one repeats a name millions of times
	for i, t := range p.tags {
		if i > 0 && t < p.tags[i-1] && !s.seen[t] && !onPage[t] {
			s.ownOrder = true
		}
		onPage[t] = true
	}
	byLast := p.sent != "" && !p.cursor && s.seen[p.sent]
	// belowSent: the page holds a tag below the last it was asked after,
	// which a registry taking last as a lexical bound never sends.
	belowSent := slices.ContainsFunc(p.tags, func(t string) bool { return t < p.sent })
	if byLast && belowSent {
		s.belowLast = true
	}
	if s.wideTags != nil && p.sent == "" && !p.cursor && p.link {
		s.wideLinked = true
	}
	// readBefore: the page holds a tag read before other than the last it
	// was asked after (which a registry taking last inclusively repeats).
	readBefore := slices.ContainsFunc(p.tags, func(t string) bool { return s.seen[t] && t != p.sent })
	fresh := 0
	for _, t := range p.tags {
		if s.keep(t) {
			fresh++
		}
		if s.wideTags != nil {
			s.wideTags[t] = true
		}
	}
	s.fresh = fresh
	// An empty answer counts: distribution on S3 answers the tag after
	// "X-kubernetes", its last page's last, with nothing though "X" follows
	// in its order (the page of a list that ends with it).
	s.byLast = s.byLast || byLast && (fresh > 0 || len(p.tags) == 0)
	// A full page came without Link; a linked page of this stretch shows the
	// size the registry cuts pages to (below n when it caps n).
	full := s.linked > 0 && p.count >= s.linked && (p.count >= s.n || s.ignoresN)
	if !p.link && (full || (s.linkedHere > 0 && p.count >= s.linkedHere)) {
		s.unlinkedFull = true
	}
	if over := s.overCheck; over != "" {
		// The answer to last = a tag of the first page above another: a
		// registry that started over sends its first page again, that
		// other tag with it; one taking last as a lexical bound sends none
		// below that last.
		s.overCheck = ""
		if fresh == 0 && slices.ContainsFunc(p.tags, func(t string) bool { return t < over }) {
			return complete
		}
		if fresh > 0 {
			return s.fail(unreadable, fmt.Sprintf("asked for the tags after %q, the last tag of the page before, the registry sent tags of its first page, every one past it; asked for the tags after %q, a tag of that page, it sent %s not read before, so where its list ends cannot be told", s.overFrom, over, counted(fresh, "tag")))
		}
		return s.fail(unreadable, fmt.Sprintf("asked for the tags after %q, the last tag of the page before, the registry sent tags of its first page, every one past it; asked for the tags after %q, a tag of that page above others, it sent none below it: it takes last as a lexical bound over an order of its own rather than starting over, so paging by last skips tags and its list cannot be read whole", s.overFrom, over))
	}
	afterShort := s.afterShort
	s.afterShort = false
	if s.shortPage {
		s.shortPage = false
		if p.link && p.count <= s.n {
			// It took the shorter n (pages cut by bytes may hold fewer):
			// the end shows as a page that is not full.
			s.afterShort = true
			return readMore
		}
		// It ignored the shorter n or left the Link off again: ask after
		// the full page's last tag.
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
	case fresh > 0 && readBefore && byLast && s.ownOrder && !belowSent:
		// Its pages keep an order of its own, and asked for the tags after
		// a tag read it sent no tag below it and, besides new tags, tags
		// read before (other than last itself): the tags of its order past
		// last, from its start, not those after last (by position, none
		// read) nor its first page (ignoring last, none new). Paging by
		// last skips the tags of its order below a page's last tag that it
		// had not sent yet (a registry whose Links carry a cursor, which it
		// follows, beside a last, and leaves the Link off a full page).
		return s.fail(unreadable, fmt.Sprintf("the registry takes last as a lexical bound over an order of its own, so paging by last skips tags and its list cannot be read whole: its pages list %q before %q, and asked for the tags after %q, a tag read, it sent %d tags, none below it, %d of them new and the others read before (by position it would send none read, ignoring last its first page again)", s.descent[0], s.descent[1], p.sent, len(p.tags), fresh))
	case (p.count < min(s.n, s.linked) || (s.ownSize && p.count < s.linked)) && (!s.uneven || !s.canAskAfter(p, fresh)) && (fresh > 0 || len(p.tags) == 0) && !s.fullUnasked(p):
		// A linking registry links nothing after a page that is not full,
		// even one of names that are no tags (Artifactory lists platform
		// manifests' digests, containers/skopeo#2346). One ignoring n pages
		// at its own size, as its linked pages show. Uneven linked pages
		// show no size: ask the page after where it can be (canAskAfter).
		return complete
	case afterShort && s.uneven && fresh > 0 && p.tags[len(p.tags)-1] == s.fullLast:
		// Linked by the shorter answer, it ends unlinked where the full page
		// did: the end, though uneven pages may hold the shorter n.
		return complete
	case len(p.tags) == 0:
		return s.fail(unreadable, fmt.Sprintf("page %d holds no valid tag name to ask for the next page after, and no Link header", s.pages))
	case p.cursor && s.fullLast == "" && !s.unasked && p.count > 1 && fresh == len(p.tags):
		// A full unlinked page reached by a cursor. Quay 3.11 and earlier
		// take last for a cursor of their own and answer a tag from the
		// start, so the next page cannot be asked by last; and Quay links a
		// next page only while a tag remains, so a list of a multiple of its
		// page size ends on a full page. Asked one name shorter, this page
		// links the next, short where the list ends. The full page's last
		// tag starts that page and is taken there (or by keep).
		s.shortPage, s.fullLast, s.n = true, p.tags[len(p.tags)-1], p.count-1
		delete(s.seen, s.fullLast)
		s.tags = s.tags[:len(s.tags)-1]
		return askShorter
	case fresh == 0 && p.count == 1 && p.tags[0] == p.sent && s.most > 1:
		// A registry taking last inclusively (>= for >) answered last alone,
		// where its pages hold more: nothing follows. (Asked whole instead,
		// one that caps n would send fewer tags than were read.)
		return complete
	case s.wideTags != nil && p.count >= widePage:
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and sends no Link, and its answer to n=%d is full, so the rest of its list cannot be read", widePage))
	case fresh == 0 && byLast && s.ownOrder && len(p.tags) > 0 && !slices.ContainsFunc(p.tags, func(t string) bool { return t <= p.sent }) && !startsOver(p.tags, s.head):
		// Its pages keep an order of its own, and asked for the tags after
		// a tag read it sent only tags past it, every one read before, and
		// not its first page again: it takes last as a lexical bound over
		// its order, not by position (the tags after last in its order)
		// nor ignoring it (its first page), so the tags of its order below
		// a page's last tag that it had not sent yet cannot be asked for.
		return s.fail(unreadable, fmt.Sprintf("the registry lists tags in an order of its own and, asked for the tags after %q, sent %s, every one past it and read before: it takes last as a lexical bound over its order, so paging by last skips tags and its list cannot be read whole", p.sent, counted(len(p.tags), "tag")))
	case fresh == 0 && s.advanced:
		// It honoured last before: its first page again means it started
		// over past its end, when the page holds a tag below last, which a
		// registry taking last as a lexical bound never sends. Without
		// one, that registry over an order of its own (its pages linked
		// by a cursor beside a last) answers so too: ask once more, after
		// a tag of the first page above another (askStartOver).
		if k := min(len(p.tags), len(s.head)); k > 0 && slices.Equal(p.tags[:k], s.head[:k]) {
			if belowSent {
				return complete
			}
			return s.askStartOver(p.sent, s.head[:k])
		}
		// Read already, but not from its start: a tag listed twice, kept at
		// its first place. Go on after this page.
	case fresh == 0 && s.unasked:
		// Asked again without n it sends the same page: its whole list or a
		// page of its own size, even when above the unsent n
		// (TestListingModelFaultsRefusedNOnce).
		return s.fail(unreadable, "the registry ignores last, sends no Link and refuses n, so the rest of its list cannot be read")
	case fresh == 0 && s.wideTags != nil && len(s.wideTags) < len(s.seen):
		// Asked whole, it sent fewer tags than were read: it caps its pages.
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and sends no Link, and asked for every tag at once it sent %s, fewer than the %d its pages held, so the rest of its list cannot be read", counted(len(s.wideTags), "tag"), len(s.seen)))
	case fresh == 0 && (s.ignoresN || s.wideTags != nil) && s.unlinkedFull:
		// It left the Link off a full page: this answer may be a capped page.
		return s.fail(unreadable, fmt.Sprintf("the registry ignores last and left the Link off a full page, so whether its answer with every tag it sends at once (%s, no Link) is its whole list cannot be told", counted(len(p.tags), "tag")))
	case fresh == 0 && s.wideLinked:
		// Its answer with every tag it sends at once linked a next page,
		// and the pages after it hold no tag not read: a registry taking
		// last as a lexical bound over an order of its own (descending,
		// say) answers every last with its first tags again.
		return s.fail(unreadable, fmt.Sprintf("asked for every tag at once, the registry sent %s and a Link to more, and the page after them held no tag not read, so the rest of its list cannot be read", counted(len(s.wideTags), "name")))
	case fresh == 0 && (s.ignoresN || s.wideTags != nil) && s.linkedTo && slices.ContainsFunc(p.tags, func(t string) bool { return t != s.linkedEnd }):
		// A page of new tags linked this one, which holds no tag not read
		// but the one that page ended at (a registry taking last or its
		// cursor inclusively repeats it): its Link says there is more,
		// which no page read holds. A registry taking last as a lexical
		// bound over an order of its own (descending, say) answers the
		// Link's last with its first tags again.
		return s.fail(unreadable, fmt.Sprintf("the registry linked a next page after a page of %s, and that page held no tag not read (%s), so the rest of its list cannot be read", counted(s.linkedFresh, "new tag"), counted(p.count, "name")))
	case fresh == 0 && (s.ignoresN || s.wideTags != nil):
		// It sent more than asked, or fewer than widePage: its whole list.
		// (One that silently caps n cannot be told from one with that many.)
		return complete
	case fresh == 0:
		// It ignores last but honours n: ask for the whole list at once.
		s.n, s.nextLast, s.wideTags = widePage, "", map[string]bool{}
		return readMore
	}
	return s.askAfter(p.tags[len(p.tags)-1])
}

// positionProbe returns the tag to ask the page after, once a whole
// reading has ended, when its pages cannot show that the registry takes
// last by position in its own order: they show an order of its own (a
// descent), were asked for by last, and no answer to a last held a tag
// below it. A registry that keeps an order of its own but takes last as a
// lexical bound (the tags past last, in its order) answers each last so,
// and its Links skip every tag below a page's last tag that it had not
// sent yet; one taking last by position answers from the tag after it in
// its order, where the descent shows which that is (judgePosition).
func (s *stretch) positionProbe() (string, bool) {
	return s.descent[0], s.byLast && !s.belowLast && s.descent[0] != ""
}

// judgePosition says why the answer to last = d[0], the upper of two tags
// a page held out of lexical order (positionProbe's tag), shows
// that the registry takes last as a lexical bound over an order of its
// own, or "" when it answers from the tag that follows last in its order
// (last itself first, for one taking last inclusively). refused is the
// status when it refused that last.
func judgePosition(d [2]string, answer *page, refused int) string {
	u, v := d[0], d[1]
	var got string
	switch {
	case refused != 0:
		return fmt.Sprintf("the registry lists tags in an order of its own (%q before %q) and no page it sent after a last held a tag below that last; asked for the tags after %q, to show whether it takes last by position, it refused (HTTP %d), so whether paging by last read every tag cannot be told", u, v, u, refused)
	case len(answer.tags) > 0 && answer.tags[0] == v, len(answer.tags) > 1 && answer.tags[0] == u && answer.tags[1] == v:
		return ""
	case len(answer.tags) == 0:
		got = "none"
	default:
		got = fmt.Sprintf("%q", answer.tags[0])
	}
	return fmt.Sprintf("the registry takes last as a lexical bound over an order of its own, so paging by last skips tags and its list cannot be read whole: its pages list %q before %q, asked for the tags after %q it answered from %s, not %q, and no page after a last held a tag below that last", u, v, u, got, v)
}

// noteLinkGap notes a page reached by a Link whose last, a tag name, is
// not the last tag of the page before (end), for linkGapError.
func (s *stretch) noteLinkGap(end string, p page) {
	if !s.bounded && s.linkGap[1] == "" && end != "" && p.sent != end && !p.cursor && validTag(p.sent) {
		s.linkGap = [2]string{end, p.sent}
	}
}

// linkGapError says why answer, to last = the tag a page ended at whose
// Link asked after a name no page held (linkGap), shows tags that no page
// held: the registry's Links skip them. "" when it shows none, or when
// there was no such Link (or a page held that name: its Link asked from
// the next page's first tag, taken inclusively).
func (s *stretch) linkGapError(answer *page) string {
	end, last := s.linkGap[0], s.linkGap[1]
	if last == "" || s.seen[last] || answer == nil {
		return ""
	}
	for _, t := range answer.tags {
		if !s.seen[t] {
			return fmt.Sprintf("the registry's Link after the page ending at %q asked for the tags after %q, which no page held, and asked for the tags after %q it sent %q, which no page held either: its Links skip tags, so its list cannot be read whole by them", end, last, end, t)
		}
	}
	return ""
}

// startsOver reports whether tags and head, the first page, begin alike:
// the answer of a registry that ignores last.
func startsOver(tags, head []string) bool {
	k := min(len(tags), len(head))
	return k > 0 && slices.Equal(tags[:k], head[:k])
}

// canAskAfter reports whether the page after p, an unlinked page, can be
// asked: by last, or once by askShorter where p was reached by a cursor and
// holds more than two names (so the page after the shorter one is not full).
func (s *stretch) canAskAfter(p page, fresh int) bool {
	return !p.cursor || (s.fullLast == "" && !s.unasked && p.count > 2 && fresh == len(p.tags))
}

// askStartOver asks, once, the tags after the highest tag of head (the
// first page's tags that an answer to last = sent repeated, every one past
// sent), when another lies below it: the page after tells a registry that
// started over from one taking last as a lexical bound (takeWhole's
// overCheck). With none below, the two cannot be told apart: the listing
// fails.
func (s *stretch) askStartOver(sent string, head []string) verdict {
	top := slices.Max(head)
	if !slices.ContainsFunc(head, func(t string) bool { return t < top }) {
		return s.fail(unreadable, fmt.Sprintf("asked for the tags after %q, the last tag of the page before, the registry sent its first page's tags, every one past it, so whether it started over or takes last as a lexical bound over an order of its own, skipping tags, cannot be told", sent))
	}
	s.overCheck, s.overFrom, s.nextLast = top, sent, top
	return readMore
}

func (s *stretch) keep(t string) bool {
	if s.seen[t] {
		return false
	}
	s.seen[t] = true
	s.tags = append(s.tags, t)
	return true
}

func (s *stretch) askAfter(last string) verdict {
	if s.sentLast[last] {
		why := fmt.Sprintf("the registry answered last=%q with a page ending at that same tag, so paging stopped to avoid a loop", last)
		if s.fresh > 0 {
			// Asked again after a tag it was asked after before, it sent
			// tags not read: a registry that ignores last does so when tags
			// are pushed while its list is read, and the same request
			// would not show where it ends.
			why += fmt.Sprintf("; that page held %s not read before, so the list may have changed while it was read (tags pushed meanwhile): a plan run again may read it whole", counted(s.fresh, "tag"))
		}
		return s.fail(unreadable, why)
	}
	s.sentLast[last] = true
	s.nextLast = last
	return readMore
}

func (s *stretch) fail(v verdict, why string) verdict {
	s.why = why
	return v
}

// probeName returns a name, no tag, strictly between two adjacent sorted
// tags a < b: a lexical registry answers last = name from b. Where a and b
// first differ inside a run of digits, the name is a up to that run's end
// with nines after it ("2.0.1999999999~" between "2.0.1-python3.12" and
// "2.0.2-python3.12"), and numeric is true: a registry sorting numbers as
// numbers (3.10 after 3.9) and taking last as a bound in that order puts
// it past b and answers from elsewhere, though its pages look lexical
// until a run of digits grows longer. Else a+"~" (probePair).
func probeName(sorted []string) (name string, numeric, ok bool) {
	for i := 0; i+1 < len(sorted); i++ {
		if name, ok := lengthenedRun(sorted[i], sorted[i+1]); ok {
			return name, true, true
		}
	}
	a, _, ok := probePair(sorted)
	return a + "~", false, ok
}

// lengthenedRun is probeName's name between a < b that lengthens the run
// of digits they first differ in, when there is one.
func lengthenedRun(a, b string) (string, bool) {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) || i == len(b) || !isDigit(a[i]) || !isDigit(b[i]) {
		return "", false
	}
	end := i
	for end < len(a) && isDigit(a[end]) {
		end++
	}
	name := a[:end] + "999999999~"
	if len(name) > maxTagLen || name <= a || name >= b {
		return "", false // a goes on with a letter past its run, or is too long
	}
	return name, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// probePair returns adjacent sorted tags a < b where b does not start with
// a, so that a+"~" (no tag: '~' is no tag character) lies strictly between
// them and a lexical answer to last=a+"~" starts at b.
func probePair(sorted []string) (a, b string, ok bool) {
	for i := 0; i+1 < len(sorted); i++ {
		if !strings.HasPrefix(sorted[i+1], sorted[i]) {
			return sorted[i], sorted[i+1], true
		}
	}
	return "", "", false
}

// joined reports whether consecutive bounded stretches fit: each starts at
// the first tag its neighbour saw past their split, or is empty where the
// neighbour reached the end. A registry answering a `last` that is no tag
// from elsewhere (its start, an empty page) fails, and the range is read
// whole.
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
	orderUnknown orderVerdict = iota // ask once more (probeBetween)
	orderLexical
	// orderUnchecked: the answer looks lexical, but the first page shows no
	// tag it had to start at. probeBetween checks while the ranges are read
	// (checkOrder): a request but no round trip, as the pin's HEAD runs
	// meanwhile (ListTagRangeSoon).
	orderUnchecked
	// orderOwn: an order of its own, cursor paging, last ignored, or a last
	// that is no tag refused: read the whole list.
	orderOwn
)

// belowEveryTag reports whether every valid tag sorts after s (a range from
// s starts at the first page): tags start with a letter, digit or '_', and
// '0' is the lowest.
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

// strayStart says why an answer to last=after starting at first ("" when
// empty) is not lexical: the sorted first page holds another next tag past
// after (nextPast). "" when it starts there or head holds none past after.
func strayStart(head []string, after, first string) string {
	if next, ok := nextPast(head, after); ok && next != first {
		return fmt.Sprintf("the page asked for after %q starts at %q, but the list's first page holds %q next", after, first, next)
	}
	return ""
}

// judgeOrder says what the first page (head, asked without last) and the
// answer to last=after show of how the registry takes last. after is no
// tag; probe is nil when none was asked or it was refused, refused is the
// refusal's status, else 0. A first page out of order or by cursor is an
// order of its own; an in-order answer at the first page's next tag past
// after is lexical (strayStart); one the first page cannot check (no tag
// past after) is unchecked.
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
		// The first page does not show where the answer must start. CNCF
		// distribution v3.0.0 answers a last that is no tag from the
		// second tag past it (sort.SearchStrings, then one more), in
		// order: it would pass as lexical and lose that tag from every
		// range. probeBetween asks between two first-page tags instead.
		return orderUnchecked, ""
	}
	return orderLexical, ""
}

// counted is n and noun, "s" added but for one: "1 tag", "3 tags".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
