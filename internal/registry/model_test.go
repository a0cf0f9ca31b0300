package registry

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A model of how registries list a repository's tags, as independent
// dimensions, and the property every listing keeps on every combination:
// each call returns exactly the catalog's tags inside its range, or an
// error, never another set. TestListingModel walks every combination of
// the first six dimensions (2,240); TestListingModelWide (5,312 more)
// and TestListingModelOdd (7,744 more) change each in one of the
// dimensions added later; FuzzListingModel lets
// the fuzzer pick combinations of all, catalogs and ranges.
// A registry is served in memory (modelRegistry), so that a combination
// costs no socket.

// modelBehaviour is one registry behaviour: an index into each dimension.
type modelBehaviour struct {
	order, last, link, size int
	linkOff                 bool // no Link on the last full page (reviewList.linkOff)
	small                   bool // the Client asks n=modelSmallN, not its 1000

	// Dimensions added later, each zero for the behaviour before it.
	fixed   int  // modelFixed: a page size of its own, n ignored (size unused)
	linkN   int  // modelLinkNs: the n its Links carry (reviewList.linkN)
	linkEnd bool // a Link on a full last page too (reviewList.linkEnd)
	client  int  // modelClientNs: the n the Client asks, when not 0

	// Dimensions added by the third widening (TestListingModelOdd).
	vary      int  // modelVaries: pages cut by bytes too, so their sizes vary
	inclusive bool // a last that is a tag is answered from it (reviewList.inclusive)
	dup       int  // modelDups: tags listed twice
	linkForm  int  // modelLinkForms: the form of its Links, over link's style
}

// The dimensions.
var (
	// The order the registry keeps its tags in.
	modelOrders = []struct {
		name    string
		order   func(sorted []string) []string
		collate func(a, b string) int // the order's comparison, when it has one
	}{
		{"lexical", func(s []string) []string { return s }, strings.Compare},
		{"reversed", registrytest.Reversed, nil},
		{"shuffled", registrytest.Shuffled(5), nil},
		{"moved", registrytest.MovedToEnd(25), nil}, // re-pushed tags listed last
		{"collation", func(s []string) []string { slices.SortFunc(s, collateFold); return s }, collateFold},
	}
	// How it takes last (reviewList.last). New ways go last: tests and
	// fuzz seeds name behaviours by index.
	modelLasts = []string{"lexical", "position", "position-empty", "ignore", "refuse400", "refuse404", "refuse500", "skip"}
	// Its Link headers: none, or reviewList.linkStyle.
	modelLinks = []string{"none", "last", "cursor", "relative"}
	// Its page size: n as asked, n capped, or n ignored and everything
	// after where the request starts sent at once.
	modelSizes = []string{"n", "cap50", "cap100", "all"}
	// A page size of its own, whatever n asks (0: none, size decides).
	modelFixed = []int{0, 50, 100}
	// The n its Links carry (reviewList.linkN).
	modelLinkNs = []string{"", "asked", "none", "zero"}
	// The n the Client asks, other than its 1000 or modelSmallN (0: small
	// decides).
	modelClientNs = []int{0, 10, 7, 50, 100}
	// Pages cut by bytes as well (reviewList.bytes, byteCap): 26 bytes
	// for each name of n (a catalog name takes 28 on average, JSON quotes
	// and comma included), or 1,500 bytes a page whatever n asks.
	modelVaries = []struct{ perName, perPage int }{{}, {26, 0}, {0, 1500}}
	// Tags listed twice: every ninth one twice in a row (a join over
	// manifests), every ninth one again at the end of the order (an old
	// entry kept on a re-push), or a cursor Link's page starting at the
	// cursor's tag, the page before's last (reviewList.cursorAt).
	modelDups = []string{"", "adjacent", "again-at-end", "cursor-at"}
	// The form of its Links, where it sends Links: its style (link), a
	// cursor and last both (the cursor followed), or a relative path.
	modelLinkForms = []string{"", "both", "path"}
)

// modelSmallN is the page size a small Client asks for, so that n
// honoured still pages through a catalog of a few hundred tags.
const modelSmallN = 25

// collateFold is a case-insensitive collation, as a database might keep.
func collateFold(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func (b modelBehaviour) String() string {
	size := modelSizes[b.size]
	if f := modelFixed[b.fixed]; f > 0 {
		size = fmt.Sprintf("fixed%d", f)
	}
	s := fmt.Sprintf("%s/last-%s/link-%s/%s", modelOrders[b.order].name, modelLasts[b.last], modelLinks[b.link], size)
	if b.linkOff {
		s += "/link-off-last-full-page"
	}
	if b.linkEnd {
		s += "/link-on-last-page"
	}
	if ln := modelLinkNs[b.linkN]; ln != "" {
		s += "/link-n-" + ln
	}
	if b.small || b.client != 0 {
		s += fmt.Sprintf("/n%d", b.clientN())
	}
	if v := modelVaries[b.vary]; v.perName > 0 {
		s += fmt.Sprintf("/bytes-%d-a-name", v.perName)
	} else if v.perPage > 0 {
		s += fmt.Sprintf("/bytes-%d-a-page", v.perPage)
	}
	if b.inclusive {
		s += "/last-inclusive"
	}
	if d := modelDups[b.dup]; d != "" {
		s += "/dup-" + d
	}
	if f := modelLinkForms[b.linkForm]; f != "" {
		s += "/link-form-" + f
	}
	return s
}

// clientN is the n the Client asks.
func (b modelBehaviour) clientN() int {
	switch {
	case modelClientNs[b.client] != 0:
		return modelClientNs[b.client]
	case b.small:
		return modelSmallN
	}
	return 1000
}

// modelBehaviourOf decodes a fuzz input's choice of dimensions.
func modelBehaviourOf(d uint32) modelBehaviour {
	next := func(n int) int {
		v := int(d % uint32(n))
		d /= uint32(n)
		return v
	}
	b := modelBehaviour{order: next(len(modelOrders)), last: next(len(modelLasts)), link: next(len(modelLinks)), size: next(len(modelSizes))}
	b.linkOff = next(2) == 1 && modelLinks[b.link] != "none"
	b.small = next(2) == 1
	b.fixed = next(len(modelFixed))
	b.linkN = next(len(modelLinkNs))
	b.linkEnd = next(2) == 1 && modelLinks[b.link] != "none"
	b.client = next(len(modelClientNs))
	b.vary = next(len(modelVaries))
	b.inclusive = next(2) == 1
	b.dup = next(len(modelDups))
	if b.linkForm = next(len(modelLinkForms)); modelLinks[b.link] == "none" {
		b.linkForm = 0
	}
	return b
}

// encode is the fuzz input that modelBehaviourOf decodes to b.
func (b modelBehaviour) encode() uint32 {
	d, m := uint32(0), uint32(1)
	for _, v := range []struct{ v, n int }{{b.order, len(modelOrders)}, {b.last, len(modelLasts)}, {b.link, len(modelLinks)}, {b.size, len(modelSizes)}, {boolInt(b.linkOff), 2}, {boolInt(b.small), 2},
		{b.fixed, len(modelFixed)}, {b.linkN, len(modelLinkNs)}, {boolInt(b.linkEnd), 2}, {b.client, len(modelClientNs)},
		{b.vary, len(modelVaries)}, {boolInt(b.inclusive), 2}, {b.dup, len(modelDups)}, {b.linkForm, len(modelLinkForms)}} {
		d += uint32(v.v) * m
		m *= uint32(v.n)
	}
	return d
}

// modelBehaviours is every combination of the first six dimensions
// (linkOff only where there are Links), the added ones zero: 2,240
// behaviours.
func modelBehaviours() []modelBehaviour {
	var out []modelBehaviour
	for o := range modelOrders {
		for l := range modelLasts {
			for k := range modelLinks {
				for s := range modelSizes {
					for _, off := range []bool{false, true} {
						if off && modelLinks[k] == "none" {
							continue
						}
						for _, small := range []bool{false, true} {
							out = append(out, modelBehaviour{o, l, k, s, off, small, 0, 0, false, 0, 0, false, 0, 0})
						}
					}
				}
			}
		}
	}
	return out
}

// list is the registry serving sorted (the catalog) by behaviour b.
func (b modelBehaviour) list(sorted []string) reviewList {
	o := modelOrders[b.order]
	rl := reviewList{
		order:     o.order(slices.Clone(sorted)),
		last:      modelLasts[b.last],
		link:      modelLinks[b.link] != "none",
		linkStyle: modelLinks[b.link],
		linkOff:   b.linkOff,
		linkEnd:   b.linkEnd,
		linkN:     modelLinkNs[b.linkN],
		collate:   o.collate,
	}
	if rl.linkStyle == "last" {
		rl.linkStyle = ""
	}
	switch modelSizes[b.size] {
	case "cap50":
		rl.cap = 50
	case "cap100":
		rl.cap = 100
	case "all":
		rl.fixed = -1 // the order's length, set below
	}
	if f := modelFixed[b.fixed]; f > 0 {
		rl.cap, rl.fixed = 0, f
	}
	rl.bytes, rl.byteCap = modelVaries[b.vary].perName, modelVaries[b.vary].perPage
	rl.inclusive = b.inclusive
	switch modelDups[b.dup] {
	case "adjacent":
		var out []string
		for i, t := range rl.order {
			out = append(out, t)
			if i%9 == 4 {
				out = append(out, t)
			}
		}
		rl.order = out
	case "again-at-end":
		for i := range len(rl.order) {
			if i%9 == 4 {
				rl.order = append(rl.order, rl.order[i])
			}
		}
	case "cursor-at":
		rl.cursorAt = true
	}
	if f := modelLinkForms[b.linkForm]; f != "" && rl.link {
		rl.linkStyle = f
	}
	if rl.fixed < 0 {
		rl.fixed = max(len(rl.order), 1)
	}
	return rl
}

// unprovable says why no reader can tell behaviour b, on a catalog of
// size tags, from a registry that it reads right, or "" when one can. The
// reliability guide (templates/guides/reliability.md.tmpl, "What cannot be
// proven, and is assumed") names the classes; these three are left out of
// the property. A registry taking last as a lexical bound over an order of
// its own (ownOrderBound) is judged call by call (judgedCall), in every
// sweep and fuzz target, but where it answers every request as a smaller
// registry does (the third).
//
// The first: a registry that ignores last, caps n below the list's size
// (or cuts every page at a size of its own, whatever n asks) and sends no
// Link, or none on its first page (when it leaves the Link off the last
// full page, and that is the first), answers every request alike, so the
// widest page asked for cannot be told from the whole list. The second:
// one that cuts pages by bytes too and leaves the Link off the last page
// it cut full; the reader asks past a page short of the linked ones only
// once its linked pages have shown different sizes
// (TestListingModelUnevenPagesLinkOff). The third: one that takes last as
// a lexical bound over a descending order, caps n and sends no Link; any
// answer, to any last, is the highest tags past it, so no request shows
// that it holds more than its first page (one more, for "skip").
func (b modelBehaviour) unprovable(sorted []string) string {
	// The first page as the Client asks it, and the list as a reader asks
	// it again whole (widePage), both without last.
	_, linkOnFirst := b.answer(sorted, b.clientN())
	wide, _ := b.answer(sorted, widePage)
	switch {
	case modelLasts[b.last] == "ignore" && wide < len(b.list(sorted).order) && !linkOnFirst:
		return "it ignores last, sends no Link and caps n silently: its capped answer cannot be told from a list that holds that many tags"
	case b.ownOrderBound() && modelOrders[b.order].name == "reversed" && !linkOnFirst && wide < len(b.list(sorted).order):
		return "it takes last as a lexical bound over a descending order, caps n and sends no Link: every answer is its highest tags past last, so it answers every request as a registry holding only its first page's tags (and, skipping a tag past a last that is no tag, one more) does"
	case modelVaries[b.vary] != modelVaries[0] && b.linkOff:
		return "it cuts pages by bytes and leaves the Link off the last page it cut full: a page without Link short of the linked ones is taken for the list's end, unless its linked pages were seen to differ in size"
	}
	return ""
}

// answer is how many names behaviour b's answer to n without last holds,
// and whether it links a next page.
func (b modelBehaviour) answer(sorted []string, n int) (int, bool) {
	rec := httptest.NewRecorder()
	b.list(sorted).serve(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v2/prefecthq/prefect/tags/list?n=%d", n), nil))
	var body struct{ Tags []string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		panic(err)
	}
	return len(body.Tags), rec.Header().Get("Link") != ""
}

// readable reports whether a registry that behaves so is one a real
// registry plausibly is, and can be read: it must be, with no error. The
// others may fail (never return a wrong set): one whose own Links carry a
// last that it ignores (every Link leads back to its first page), one
// that ignores last and leaves the Link off a full page (what follows
// cannot be asked for), and one that ignores last and n and whose list
// ends on a full page (that end looks like a Link left off).
func (b modelBehaviour) readable(sorted []string) bool {
	size := len(sorted)
	ignores := modelLasts[b.last] == "ignore"
	positional := strings.HasPrefix(modelLasts[b.last], "position") || strings.HasPrefix(modelLasts[b.last], "refuse")
	switch link := modelLinks[b.link]; {
	case b.unprovable(sorted) != "":
		return false
	case b.ownOrderBound():
		// Paging by last skips every tag below a page's last tag that it
		// has not sent yet: the listing fails (UnreadableListError) or,
		// where its pages look lexical, reads what a lexical registry
		// holding the tags sent holds (judgedCall.check).
		return false
	case ignores && (link == "last" || link == "relative"):
		return false
	case ignores && b.linkOff:
		return false
	case ignores && modelLinkForms[b.linkForm] != "":
		return false // its Links carry a last it ignores, as above
	case modelDups[b.dup] == "again-at-end" && (positional || link == "cursor"):
		// The tag it lists twice names two places: a last or cursor
		// naming it leads back to the first.
		return false
	case ignores && modelVaries[b.vary] != modelVaries[0] && (modelSizes[b.size] == "all" || modelFixed[b.fixed] > 0):
		// It ignores n and last and its pages vary: a last page as full
		// as a linked one cannot be told from one whose Link was left
		// off, nor asked for again shorter or after.
		return false
	case ignores && modelFixed[b.fixed] > 0 && size%modelFixed[b.fixed] == 0 && !b.linkEnd:
		// Its list ends on a full page without a Link; asked again
		// shorter it sends the same page, and after its last tag its
		// start: no reader can tell that end from a Link left off a full
		// page with tags after it.
		return false
	}
	return true
}

// modelRegistry serves one repository's tag list in memory, as a Client's
// base transport: the ping is answered 200 (anonymous), every tag list by
// the reviewList. It keeps the query of every tag list request, for
// lexicalTwin.
type modelRegistry struct {
	list reviewList

	// answering, when set, is called with each tag list request's query
	// before it is answered, and calls done once it has been: a test
	// decides there which of concurrent requests is answered first.
	answering func(query string) (done func())

	mu    sync.Mutex
	asked []string // the tag list requests' queries
}

func (m *modelRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if strings.HasSuffix(req.URL.Path, "/tags/list") {
		m.mu.Lock()
		m.asked = append(m.asked, req.URL.RawQuery)
		m.mu.Unlock()
		if m.answering != nil {
			defer m.answering(req.URL.RawQuery)()
		}
		m.list.serve(rec, req)
	} else {
		rec.WriteHeader(http.StatusOK)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// answerTo is list's answer to a tag list request with query q: its status
// and Link header, and the tags of its body.
func answerTo(list reviewList, q string) (string, []string) {
	rec := httptest.NewRecorder()
	list.serve(rec, httptest.NewRequest(http.MethodGet, "/v2/prefecthq/prefect/tags/list?"+q, nil))
	var body struct{ Tags []string }
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			panic(err)
		}
	}
	return fmt.Sprintf("%d %q", rec.Code, rec.Header().Get("Link")), body.Tags
}

// ownOrderBound reports whether b takes last as a lexical bound (or as
// distribution v3.0.0 does, "skip") over an order of its own: the answer to
// last is the first tags of its order that sort after last.
func (b modelBehaviour) ownOrderBound() bool {
	l := modelLasts[b.last]
	return (l == "lexical" || l == "skip") && modelOrders[b.order].name != "lexical"
}

// lexicalTwin returns the tags of a registry that lists them in lexical
// order, otherwise behaving as m (page sizes, how it takes last) but for
// where it sends Links and whether it lists tags twice (twinVariants), and
// answers every tag list request m was asked exactly as m did: no reader
// asking those requests can tell the two apart, and what it reads right
// from the twin it reads from m. nil when none is found. The twin holds
// m's tags but those that m's answers hide: a tag that the twin's answer
// holds, below the last tag of m's answer, and m's answer does not, is
// taken out until every answer is m's; failing that, the same starting
// from the tags m sent only.
func lexicalTwin(m *modelRegistry) []string {
	m.mu.Lock()
	asked := slices.Clone(m.asked)
	m.mu.Unlock()
	for _, twin := range twinVariants(m.list) {
		if tags := twinOf(m.list, twin, asked); tags != nil {
			return tags
		}
	}
	// Or the registry holding only the tags m sent: hiding tags below an
	// answer's last tag does not reach one whose place a skip past a last
	// that is no tag ("skip") moves.
	sent := map[string]bool{}
	for _, q := range asked {
		_, tags := answerTo(m.list, q)
		for _, t := range tags {
			sent[t] = true
		}
	}
	only := m.list
	only.order = slices.DeleteFunc(slices.Clone(m.list.order), func(t string) bool { return !sent[t] })
	for _, twin := range twinVariants(only) {
		if tags := twinOf(m.list, twin, asked); tags != nil {
			return tags
		}
	}
	return nil
}

// twinVariants are the lexical registries a twin of list may be: list's
// tags sorted (a tag listed twice stays twice, or is listed once, or one
// more tag follows them all), with its Links on a full page before a short
// last one or not (linkOff), and on a full last page, to an empty one, or
// not (linkEnd); every one a registry the model reads whole.
func twinVariants(list reviewList) []reviewList {
	sorted := slices.Sorted(slices.Values(list.order))
	// Or with one tag more, past every other and as long as a tag may be:
	// a tag no answer read holds, which a page cut short by its bytes
	// links to (a range's reading stops at its bound, before asking it).
	past := append(slices.Clone(sorted), strings.Repeat("z", maxTagLen))
	var out []reviewList
	for _, order := range [][]string{sorted, slices.Compact(slices.Clone(sorted)), past} {
		for _, off := range []bool{list.linkOff, !list.linkOff} {
			for _, end := range []bool{list.linkEnd, !list.linkEnd} {
				if !list.link && (off || end) {
					continue
				}
				twin := list
				twin.order, twin.collate, twin.linkOff, twin.linkEnd = slices.Clone(order), nil, off, end
				out = append(out, twin)
			}
		}
	}
	return out
}

// twinOf is the tags of twin, less those list's answers to asked hide,
// when it then answers every one of them as list does; else nil.
func twinOf(list, twin reviewList, asked []string) []string {
	for changed := true; changed; {
		changed = false
		for _, q := range asked {
			head, tags := answerTo(list, q)
			twinHead, twinTags := answerTo(twin, q)
			if head == twinHead && slices.Equal(tags, twinTags) {
				continue
			}
			hidden := map[string]bool{}
			for _, t := range twinTags {
				if !slices.Contains(tags, t) && (len(tags) == 0 || t <= tags[len(tags)-1]) {
					hidden[t] = true
				}
			}
			if len(hidden) == 0 {
				return nil
			}
			twin.order = slices.DeleteFunc(twin.order, func(t string) bool { return hidden[t] })
			changed = true
		}
	}
	return slices.Compact(twin.order)
}

// judgedCall is a call of the model with what judges it: twin, when the
// registry takes last as a lexical bound over an order of its own
// (ownOrderBound) and answered its Client as its lexicalTwin would, is the
// tags that twin holds.
type judgedCall struct {
	modelCall
	twin []string
}

// check holds the property (modelCall.check), but for a call whose
// registry answered every request as its lexical twin would and that got
// exactly the twin's tags inside its range: no reader can tell that
// registry from its twin, whose tags those are. Such a registry lists tags
// in an order of its own that looks lexical on every page read (re-pushed
// tags moved to the end, past the pages read); the reliability guide names
// it in "What cannot be proven, and is assumed".
func (jc judgedCall) check(sorted []string, readable bool) string {
	if jc.indistinct() {
		return ""
	}
	return jc.modelCall.check(sorted, readable)
}

// indistinct reports whether the call got its registry's lexical twin's
// tags inside its range, without error (no reader can do otherwise).
func (jc judgedCall) indistinct() bool {
	return jc.twin != nil && jc.err == nil && slices.Equal(jc.got, inRange(jc.twin, jc.r))
}

// judge pairs each call with its twin: readRanges' calls, the i-th read on
// the i-th Client from newClient and the rest (shared) on the last; regs
// are the Clients' registries in that order.
func (b modelBehaviour) judge(calls []modelCall, regs []*modelRegistry) []judgedCall {
	twins := make([][]string, len(regs))
	if b.ownOrderBound() {
		for i, reg := range regs {
			twins[i] = lexicalTwin(reg)
		}
	}
	out := make([]judgedCall, len(calls))
	for i, mc := range calls {
		twin := twins[min(i, len(regs)-1)]
		if j := i - (len(regs) - 1); j >= 0 && twin == nil {
			// The shared Client's other readings (the whole list) may
			// find the pages out of order after this one returned: it is
			// judged by the pages its range, read alone, asks.
			twin = twins[j]
		}
		out[i] = judgedCall{mc, twin}
	}
	return out
}

const modelRepo = "registry.model.test/prefecthq/prefect"

// modelClient is a Client reading from the model registry, anonymously
// (no Docker config is read), with no retries.
func modelClient(t testing.TB, reg *modelRegistry, n int) (*Client, Repository) {
	t.Helper()
	c, err := New(Config{Keychain: authn.NewMultiKeychain(), UserAgent: "terraform-provider-prefectimage/test"})
	if err != nil {
		t.Fatal(err)
	}
	c.base = reg
	c.pageSize = n
	ref, err := ParseRepository(modelRepo)
	if err != nil {
		t.Fatal(err)
	}
	return c, ref
}

// modelCatalog is a few hundred tags of prefecthq/prefect (every 37th:
// releases, moving tags, flavors, sha- tags) and four with capitals, which
// a case-insensitive collation lists elsewhere than byte order does;
// sorted.
func modelCatalog() []string {
	all := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var out []string
	for i := 0; i < len(all); i += 37 {
		out = append(out, all[i])
	}
	out = append(out, "PR-1234", "Nightly", "3.2.1-Debug", "sha-Deadbeef")
	slices.Sort(out)
	return out
}

// digitSplits are the splits the resolver gives below a prefix.
func digitSplits(p string) []string {
	var s []string
	for d := '0'; d <= '9'; d++ {
		s = append(s, p+string(d))
	}
	return s
}

// modelRanges are ranges as the resolver asks for them, and the edges.
var modelRanges = []TagRange{
	{}, // ListTags
	{After: "3.1~", Before: "3.2~", Splits: digitSplits("3.2.")}, // a minor (~> 3.2.0)
	{After: "3.7~", Before: "3.8~", Splits: digitSplits("3.8.")},
	{After: "2.20/", Before: "2.20:", Splits: digitSplits("2.20.")}, // a span of ~> 2.20
	{After: "/~", Before: "9~", Splits: prefectSplits},              // every release
	{After: "9~", Before: "sha-"},                                   // the tags with capitals
	{Before: "/"},                                                   // below every tag
	{After: "z~", Splits: []string{"zz"}},                           // past every tag
	// Bounds that are tags, around the lowest re-pushed tag of the moved
	// order (TestListingModelTagAsAfter).
	{After: "2.14.19-python3.8-conda", Before: "2.16.0-python3.8", Splits: []string{"2.15"}},
}

// modelCall is one call's outcome, judged.
type modelCall struct {
	how string // "fresh" or "shared"
	r   TagRange
	got []string
	err error
}

// check holds the property: the tags inside r or an error, and no error
// when the registry is readable. It returns what is wrong, or "".
func (mc modelCall) check(sorted []string, readable bool) string {
	want := inRange(sorted, mc.r)
	switch {
	case mc.err == nil && !slices.Equal(mc.got, want):
		missing, extra := setDiff(want, mc.got), setDiff(mc.got, want)
		return fmt.Sprintf("%s client, range %+v: WRONG SET, %d tags, want %d; missing %q, extra %q", mc.how, mc.r, len(mc.got), len(want), head(missing), head(extra))
	case mc.err != nil && readable:
		return fmt.Sprintf("%s client, range %+v: error on a readable registry: %v", mc.how, mc.r, mc.err)
	}
	return ""
}

func setDiff(a, b []string) []string {
	var out []string
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// runModel reads every range of ranges from a registry behaving as b over
// sorted, each on a fresh Client, then all at once on one Client, and
// returns every call, judged (judgedCall).
func runModel(t testing.TB, b modelBehaviour, sorted []string, ranges []TagRange) []judgedCall {
	list := b.list(sorted)
	var regs []*modelRegistry
	calls := readRanges(func() (*Client, Repository) {
		reg := &modelRegistry{list: list}
		regs = append(regs, reg)
		return modelClient(t, reg, b.clientN())
	}, ranges)
	return b.judge(calls, regs)
}

// readRanges reads every range, each on a fresh Client from newClient,
// then all at once on one, and returns every call: the i-th read on the
// i-th Client, the rest on the last, in ranges' order. The shared Client is
// read as the resolver reads it (ListTagRangeSoon): tags given as proven
// must be right as they are, and settled tags as settled.
func readRanges(newClient func() (*Client, Repository), ranges []TagRange) []modelCall {
	ctx := context.Background()
	calls := make([]modelCall, 0, 2*len(ranges))
	for _, r := range ranges {
		c, ref := newClient()
		got, err := c.ListTagRange(ctx, ref, r)
		calls = append(calls, modelCall{"fresh", r, got, err})
	}
	c, ref := newClient()
	shared := make([]modelCall, len(ranges))
	var wg sync.WaitGroup
	for i, r := range ranges {
		wg.Go(func() {
			got, settle, err := c.ListTagRangeSoon(ctx, ref, r)
			how := "shared"
			if settle != nil {
				got, err = settle(ctx)
				how = "shared, settled"
			}
			shared[i] = modelCall{how, r, got, err}
		})
	}
	wg.Wait()
	return append(calls, shared...)
}

// TestListingModel checks the property on every behaviour of the model
// (2,240), each with nine ranges on fresh Clients and on one Client.
func TestListingModel(t *testing.T) {
	sorted := modelCatalog()
	var mu sync.Mutex
	excluded, readable, indistinct := map[string]int{}, 0, 0
	for _, b := range modelBehaviours() {
		why := b.unprovable(sorted)
		ok := why == "" && b.readable(sorted) // asked once: it serves the list twice
		mu.Lock()
		if why != "" {
			excluded[why]++
		} else if ok {
			readable++
		}
		mu.Unlock()
		if why != "" {
			continue
		}
		t.Run(b.String(), func(t *testing.T) {
			t.Parallel()
			for _, mc := range runModel(t, b, sorted, modelRanges) {
				if msg := mc.check(sorted, ok); msg != "" {
					t.Error(msg)
				}
				if mc.indistinct() && !slices.Equal(mc.got, inRange(sorted, mc.r)) {
					mu.Lock()
					indistinct++
					mu.Unlock()
				}
			}
		})
	}
	t.Cleanup(func() {
		t.Logf("%d behaviours, %d of them readable; left out as unprovable: %v; calls that read their registry's lexical twin, not its catalog: %d", len(modelBehaviours()), readable, excluded, indistinct)
	})
}

// FuzzListingModel checks the property on behaviours, catalogs and ranges
// the fuzzer picks: dims chooses the behaviour (modelBehaviourOf), subset
// which tags of modelCatalog the registry holds (every stride-th from an
// offset, the capitals or not), and the range is After, Before and Splits
// (comma-separated).
func FuzzListingModel(f *testing.F) {
	base := modelCatalog()
	for _, s := range []struct {
		b             modelBehaviour
		subset        uint64
		after, before string
		splits        string
	}{
		{modelBehaviour{0, 0, 1, 0, false, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "3.1~", "3.2~", "3.2.1,3.2.5"},      // Docker Hub
		{modelBehaviour{3, 1, 1, 0, false, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "/~", "9~", "2.,3.,3.8,sha-"},       // re-pushed, last by position
		{modelBehaviour{2, 1, 0, 2, false, false, 0, 0, false, 0, 0, false, 0, 0}, 2, "3.7~", "3.8~", "3.8.1,3.8.2"},     // shuffled, positional, no Link
		{modelBehaviour{0, 3, 2, 2, false, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "2.20/", "2.20:", "2.20.1"},         // Quay's cursors
		{modelBehaviour{2, 3, 0, 3, false, false, 0, 0, false, 0, 0, false, 0, 0}, 3, "3.1~", "3.2~", ""},                // distribution 2.x
		{modelBehaviour{0, 4, 1, 1, true, false, 0, 0, false, 0, 0, false, 0, 0}, 1, "3.1~", "3.2~", "3.2.3"},            // 400 for no tag, Link off a full page
		{modelBehaviour{4, 6, 3, 0, false, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "9~", "sha-", ""},                   // collation, 500 for no tag name
		{modelBehaviour{0, 2, 1, 0, true, true, 0, 0, false, 0, 0, false, 0, 0}, 5, "3.2.1-python3.12", "3.3~", "3.2.5"}, // a tag as After
		{modelBehaviour{3, 5, 3, 1, true, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "", "", "3.,sha-"},
		{modelBehaviour{3, 1, 1, 0, false, true, 0, 0, false, 0, 0, false, 0, 0}, 0, "2.14.19-python3.8-conda", "2.16.0-python3.8", ""}, // a tag as After, re-pushed tags last
		{modelBehaviour{1, 3, 2, 2, true, true, 0, 0, false, 0, 0, false, 0, 0}, 1, "", "", "0"},                                        // cursors, last ignored, Link off a full page, n capped: asked whole, capped
		{modelBehaviour{0, 3, 2, 2, true, false, 0, 1, false, 0, 0, false, 0, 0}, 0, "", "", ""},                                        // as above, Links carrying the n asked: 300 of 370 (TestListingModelWide)
		{modelBehaviour{0, 3, 2, 0, false, false, 2, 0, false, 1, 0, false, 0, 0}, 0, "", "", ""},                                       // cursors, last ignored, pages of 100 whatever n=10 asks: an error
	} {
		f.Add(s.b.encode(), s.subset, s.after, s.before, s.splits)
	}
	f.Fuzz(func(t *testing.T, dims uint32, subset uint64, after, before, splits string) {
		b := modelBehaviourOf(dims)
		sorted, r := modelFuzzInput(base, subset, after, before, splits)
		if b.unprovable(sorted) != "" || searching() && b.ownOrderBound() {
			return
		}
		ok := b.readable(sorted)
		for _, mc := range runModel(t, b, sorted, []TagRange{r, {}}) {
			if msg := mc.check(sorted, ok); msg != "" {
				t.Errorf("%s, %d tags: %s", b, len(sorted), msg)
			}
		}
	})
}

// searching reports whether go test runs a fuzz target's search (-fuzz),
// not its corpus. The search leaves out registries taking last as a
// lexical bound over an order of their own (ownOrderBound): it finds, in
// minutes, cases of that class still open (the reliability guide's "What
// cannot be proven"), which would fail make fuzz at random; the sweeps
// (TestListingModel, its wide, odd, sizes and faults sweeps) and the
// corpus, which holds the cases fixed, judge the class call by call.
func searching() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// modelFuzzInput is the catalog and range a fuzz input names: every
// stride-th tag of base from an offset (subset's low bits), without those
// with capitals when subset's bit 8 is set, and the range after..before
// cut at splits (comma-separated).
func modelFuzzInput(base []string, subset uint64, after, before, splits string) ([]string, TagRange) {
	stride := int(subset%7) + 1
	var sorted []string
	for i := int(subset>>3) % stride; i < len(base); i += stride {
		if subset&(1<<8) != 0 && strings.ToLower(base[i]) != base[i] {
			continue // no capitals
		}
		sorted = append(sorted, base[i])
	}
	r := TagRange{After: after, Before: before}
	if splits != "" {
		r.Splits = strings.Split(splits, ",")
	}
	return sorted, r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A registry that lists re-pushed tags last and takes last by position
// (the positional-moved shape), asked first for a range whose After is a
// tag. Its answer to last = that tag is the tags after it in its own
// order, which starts as a lexical one would: the order was judged lexical
// on that answer, and the range stopped at its Before, without the
// re-pushed tag inside it. Only a last that is no tag tells a position
// from a bound.
func TestListingModelTagAsAfter(t *testing.T) {
	sorted := modelCatalog()
	b := modelBehaviour{order: 3, last: 1, link: 1, small: true} // moved/last-position/link-last/n/n25
	rl := b.list(sorted)
	tail := 1
	for rl.order[tail] > rl.order[tail-1] {
		tail++
	}
	i := slices.Index(sorted, rl.order[tail]) // the lowest re-pushed tag, far from the list's end
	r := TagRange{After: sorted[i-2], Before: sorted[i+3]}
	for _, mc := range runModel(t, b, sorted, []TagRange{r}) {
		if msg := mc.check(sorted, true); msg != "" {
			t.Error(msg)
		}
	}
}

// A registry that lists its tags in descending order, takes last as a
// lexical bound over it (every answer starts again at its highest tag),
// caps n at 50 and links a next page: a whole reading asked its list at
// once, got 50 names and a Link, and the page the Link led to held none
// it had not read. That was taken for the whole list: 50 of 370 tags, and
// every range filtered from them (the ~> 3.2.0 range read as none of its
// 18 tags), with no error. A Link after the answer to every tag at once
// says there is more: the listing fails.
func TestListingModelDescendingBoundLinkedFails(t *testing.T) {
	sorted := modelCatalog()
	for _, link := range []string{"last", "relative"} {
		b := modelBehaviour{order: 1, last: 0, link: slices.Index(modelLinks, link), size: 1, small: true} // reversed/last-lexical/link-<link>/cap50/n25
		t.Run(b.String(), func(t *testing.T) {
			for _, mc := range runModel(t, b, sorted, modelRanges) {
				if mc.err == nil {
					t.Errorf("%s client, range %+v: %d tags and no error, want an error", mc.how, mc.r, len(mc.got))
					continue
				}
				if msg := mc.err.Error(); !strings.Contains(msg, "cannot be read") {
					t.Errorf("%s client, range %+v: error %q does not say the list cannot be read", mc.how, mc.r, msg)
				}
			}
		})
	}
}
