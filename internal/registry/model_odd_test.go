package registry

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// modelOddBehaviours are the behaviours of the dimensions added to the
// model third (pages cut by bytes, last taken inclusively, tags listed
// twice, Links carrying last and a cursor or a relative path): each
// behaviour of modelBehaviours in the lexical and reversed orders, changed
// in one added dimension at a time, and in the moved order (re-pushed
// tags last) in how it takes last and lists tags twice.
func modelOddBehaviours() []modelBehaviour {
	var out []modelBehaviour
	for _, b := range modelBehaviours() {
		name := modelOrders[b.order].name
		if name != "lexical" && name != "reversed" && name != "moved" {
			continue
		}
		moved := name == "moved" // only where how last is taken matters
		for v := 1; v < len(modelVaries) && !moved; v++ {
			w := b
			w.vary = v
			out = append(out, w)
		}
		w := b
		w.inclusive = true
		out = append(out, w)
		for d := 1; d < len(modelDups); d++ {
			if modelDups[d] == "cursor-at" && modelLinks[b.link] != "cursor" {
				continue
			}
			w := b
			w.dup = d
			out = append(out, w)
		}
		for f := 1; f < len(modelLinkForms) && modelLinks[b.link] != "none" && !moved; f++ {
			w := b
			w.linkForm = f
			out = append(out, w)
		}
	}
	return out
}

// modelOddSizes are list sizes where the odd behaviours' pages end: past
// a page of 25, of 50 (a cap, or about 1,500 bytes of names) and of 100,
// and a list of several pages of each.
var modelOddSizes = []int{26, 51, 101, 201}

// TestListingModelOdd checks the property of TestListingModel, for the
// whole list, on every behaviour of modelOddBehaviours at every size of
// modelOddSizes. It found a registry cutting its pages by bytes and
// leaving the Link off the last page it cut full read as 90 of its 101
// tags (TestListingModelUnevenPagesLinkOff), and an error on a registry
// that takes last inclusively, caps n and sends no Link.
func TestListingModelOdd(t *testing.T) {
	all := modelOddBehaviours()
	t.Logf("%d behaviours", len(all))
	sweepModel(t, all, modelOddSizes)
}

// unevenPagesLinkOff is the registry of the two tests below:
// lexical/last-lexical/link-last/n/link-off-last-full-page/n25/bytes-26-a-name.
var unevenPagesLinkOff = modelBehaviour{last: 0, link: 1, linkOff: true, small: true, vary: 1}

// A registry that cuts its pages by bytes as well as n (so that their
// sizes vary) and leaves the Link off the last page it cut full: the
// third widening of the model found it read as 90 of 101 tags, the page
// without Link taken for the end as it held fewer names than the linked
// ones. Once its linked pages differ in size, the page after such a page
// is asked for. (Where they do not differ before that page, it cannot be
// told from the end: modelBehaviour.unprovable.)
func TestListingModelUnevenPagesLinkOff(t *testing.T) {
	b := unevenPagesLinkOff
	for _, size := range []int{101, 370} {
		sorted := spread(modelCatalog(), size)
		for _, mc := range runModel(t, b, sorted, modelRanges) {
			if msg := mc.check(sorted, true); msg != "" {
				t.Errorf("%d tags: %s", size, msg)
			}
		}
	}
}

// The same registry, read by one Client a range whose pages show their
// sizes uneven and then another, which reaches the list's end in a page
// without Link short of the linked ones: that the listing's pages were
// uneven holds for every reading of it, so the page after is asked for
// (here 22 of 25 tags, 21 of 31, were read without it).
func TestListingModelUnevenPagesSeenBefore(t *testing.T) {
	b := unevenPagesLinkOff
	for _, size := range []int{300, 370} {
		sorted := spread(modelCatalog(), size)
		c, ref := modelClient(t, &modelRegistry{list: b.list(sorted)}, b.clientN())
		for _, r := range []TagRange{{After: "2.", Before: "3.9", Splits: prefectSplits}, {After: "sha-8"}} {
			got, err := c.ListTagRange(context.Background(), ref, r)
			if msg := (modelCall{"one", r, got, err}).check(sorted, true); msg != "" {
				t.Errorf("%d tags: %s", size, msg)
			}
		}
	}
}

// A registry that lists re-pushed tags last, takes last as a lexical bound
// over that order, caps n at 50 and cuts its pages at 1,500 bytes, read
// for the tags after "7" (FuzzListingModel found it): the range's second
// page held a re-pushed tag after higher ones, so the whole list was read,
// and every page of that reading looked lexical (each last hid the
// re-pushed tags below it): 72 of the range's 75 tags, no error. The
// whole reading takes the range page's two tags out of order as its own:
// asked for the tags after the upper one, a registry taking last by
// position answers from the lower one, and this one does not.
func TestListingModelRangeDescentProbesWholeReading(t *testing.T) {
	b := modelBehaviour{order: 3, last: 0, link: 3, size: 1, vary: 2} // moved/last-lexical/link-relative/cap50/bytes-1500-a-page
	sorted := spread(modelCatalog(), 370)
	r := TagRange{After: "7"}
	c, ref := modelClient(t, &modelRegistry{list: b.list(sorted)}, b.clientN())
	got, err := c.ListTagRange(context.Background(), ref, r)
	if err == nil {
		t.Fatalf("%d of %d tags and no error, want an error", len(got), len(inRange(sorted, r)))
	}
	if msg := err.Error(); !skipsTags(msg) {
		t.Errorf("error %q does not say it takes last as a lexical bound over an order of its own", msg)
	}
}

// A registry that lists re-pushed tags last, takes last as a lexical bound
// over that order and drops the tag past a last that is no tag (as CNCF
// distribution v3.0.0 does), read for the tags after ":" (FuzzListingModel
// found it). The range's first page, asked beside the list's first to
// show how the registry takes last, held a re-pushed tag after higher
// ones, so the whole list was read, and every page of that reading looked
// lexical (each last hid the re-pushed tags below it): 59 of 61 tags, no
// error. The whole reading takes that answer's two tags out of order as
// its own, as it does a range page's. (Read whole at once, its answers are
// a lexical registry's holding those 59 tags: TestListingModel's twin.)
func TestListingModelOrderProbeDescentProbesWholeReading(t *testing.T) {
	err := fuzzFoundError(t, 2158, "moved/last-skip/link-last/cap50/link-off-last-full-page/n25", 40, ":", "", "0")
	if msg := err.Error(); !skipsTags(msg) {
		t.Errorf("error %q does not say it takes last as a lexical bound over an order of its own", msg)
	}
}

// gatedRegistry holds the tag list request whose query holds gate until
// open is closed, and closes arrived when it comes.
type gatedRegistry struct {
	*modelRegistry
	gate          string
	arrived, open chan struct{}
	once          sync.Once
}

func (g *gatedRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.RawQuery, g.gate) {
		g.once.Do(func() { close(g.arrived) })
		<-g.open
	}
	return g.modelRegistry.RoundTrip(req)
}

// Two pins of one plan on a registry that lists re-pushed tags last and
// takes last as a lexical bound over that order (FuzzListingModel found
// it): one reads the whole list, whose pages all look lexical, while the
// other reads a range in pieces; the piece after "A17c" comes last, and
// shows two tags out of order. The range then takes the whole list as
// read, which asked no position probe, having seen no descent: 48 of its
// 49 tags, no error. The probe is asked then, once.
func TestListingModelDescentNotedAfterWholeReadingProbes(t *testing.T) {
	b := modelBehaviourOf(2243)
	if got, want := b.String(), "moved/last-lexical/link-none/cap100/n25"; got != want {
		t.Fatalf("behaviour %s, want %s", got, want)
	}
	sorted, r := modelFuzzInput(modelCatalog(), 89, "0b", "]B8", "A17c")
	reg := &gatedRegistry{modelRegistry: &modelRegistry{list: b.list(sorted)}, gate: "last=A17c", arrived: make(chan struct{}), open: make(chan struct{})}
	c, ref := modelClient(t, reg.modelRegistry, b.clientN())
	c.base = reg
	ctx := context.Background()
	type result struct {
		tags []string
		err  error
	}
	ranged := make(chan result, 1)
	go func() {
		tags, err := c.ListTagRange(ctx, ref, r)
		ranged <- result{tags, err}
	}()
	<-reg.arrived
	if _, err := c.ListTags(ctx, ref); err != nil {
		t.Fatalf("the whole list, read while the range waits: %v", err)
	}
	close(reg.open)
	got := <-ranged
	if got.err == nil {
		t.Fatalf("%d of %d tags and no error, want an error", len(got.tags), len(inRange(sorted, r)))
	}
	if msg := got.err.Error(); !skipsTags(msg) {
		t.Errorf("error %q does not say it takes last as a lexical bound over an order of its own", msg)
	}
}

// A registry that lists its tags in descending order, takes last as a
// lexical bound over it, caps n at 50 and leaves the Link off its last
// full page, whose Links carry a cursor, which it follows, beside a last,
// holding 101 tags: the reader followed its Link, then asked after the
// last tag of the page without Link and got the tags past it, its highest:
// its first page again. That was taken for a registry starting over past
// its end: 100 of 101 tags (the lowest left out), no error. A start over
// is now taken only where that answer holds a tag below last or, asked
// once more after a tag of the first page above another, the registry
// sends that other: this one sends none below, and the listing fails.
func TestListingModelCursorBesideLastStartOverChecked(t *testing.T) {
	sorted := spread(modelCatalog(), 101)
	for _, last := range []string{"lexical", "skip"} {
		b := modelBehaviour{order: 1, last: slices.Index(modelLasts, last), link: 1, size: 1, linkOff: true, linkForm: 1} // reversed/last-<last>/link-last/cap50/link-off-last-full-page/link-form-both
		t.Run(b.String(), func(t *testing.T) {
			for _, mc := range runModel(t, b, sorted, []TagRange{{}, modelRanges[1]}) {
				if mc.err == nil {
					t.Errorf("%s client, range %+v: %d of %d tags and no error, want an error", mc.how, mc.r, len(mc.got), len(inRange(sorted, mc.r)))
				} else if msg := mc.err.Error(); !strings.Contains(msg, "takes last as a lexical bound over an order of its own rather than starting over") {
					t.Errorf("%s client, range %+v: error %q does not say it takes last as a lexical bound rather than starting over", mc.how, mc.r, msg)
				}
			}
		})
	}
}

// The same registry with its tags shuffled, caps n at 100, holding 370
// tags: asked after the last tag of its third page, without Link, it sent
// the tags of its order past that tag, from its start: tags read and new
// ones, 94 of them, short of its linked pages, which was taken for the
// list's end: 343 of 370 tags, no error. An answer to a last that is a tag
// read, on pages in an order of their own, with no tag below that last
// and tags read before beside new ones, is neither the tags after last by
// position (none read) nor the first page again (none new): the listing
// fails.
func TestListingModelCursorBesideLastAnswerPastLastFails(t *testing.T) {
	for _, last := range []string{"lexical", "skip"} {
		b := modelBehaviour{order: 2, last: slices.Index(modelLasts, last), link: 1, size: 2, linkOff: true, linkForm: 1} // shuffled/last-<last>/link-last/cap100/link-off-last-full-page/link-form-both
		t.Run(b.String(), func(t *testing.T) {
			sorted := spread(modelCatalog(), 370)
			for _, mc := range runModel(t, b, sorted, []TagRange{{}, modelRanges[1]}) {
				if mc.err == nil {
					t.Errorf("%s client, range %+v: %d of %d tags and no error, want an error", mc.how, mc.r, len(mc.got), len(inRange(sorted, mc.r)))
				} else if msg := mc.err.Error(); !skipsTags(msg) || !strings.Contains(msg, "none below it") {
					t.Errorf("%s client, range %+v: error %q does not say it takes last as a lexical bound over an order of its own, its answer to a last holding no tag below it", mc.how, mc.r, msg)
				}
			}
		})
	}
}

// A registry that lists re-pushed tags last, takes last as a lexical bound
// over that order and cuts its pages at 1,500 bytes, read for the tags
// after "7" (FuzzListingModel found it): the answer to last = "7" held a
// re-pushed tag after higher ones, so the whole list was read: its first
// page, in lexical order, and an empty page after its last tag. That
// reading asked no page by a last that brought new tags, so no position
// probe: 9 of the range's 10 tags, no error. The re-pushed tag that answer
// held is on no page of the whole reading, which proves it incomplete; and
// the empty page after a last that is a tag read now asks the position
// probe (as distribution on S3 needs), whose answer shows last taken as a
// bound: either reason fails the listing.
func TestListingModelDescentTagMissingFromWholeReadingFails(t *testing.T) {
	err := fuzzFoundError(t, 614683, "moved/last-lexical/link-relative/cap50/bytes-1500-a-page", 167, "7", "", "")
	if msg := err.Error(); !skipsTags(msg) {
		t.Errorf("error %q says neither that the whole list lacks a tag an answer held nor that paging skips tags", msg)
	}
}

// A registry that lists re-pushed tags last, takes last as a lexical bound
// over that order (with distribution v3.0.0's skip past a last that is no
// tag, and a last that is a tag answered from it) and sends no Link, read
// for the tags after "7 " (FuzzListingModel found it): the range's second
// page ended with a re-pushed tag, the order check showed the skip, and the
// whole list was read; each of its pages, asked after a last that hides the
// re-pushed tags below it, looked lexical and showed no descent, and none
// held that tag: 36 of the range's 38 tags, no error. That a page of the
// same listing held it proves the whole reading incomplete.
//
// The order check's answer is held until the range's second page has been
// answered, as from a registry slower on it. Answered first, the check
// stops the range before that page, so no answer holds the tag and no
// reader can tell the registry from one without it (the reliability
// guide's "What cannot be proven"): FuzzListingModel judges that order.
func TestListingModelTagARangesPageHeldMissingFromWholeReadingFails(t *testing.T) {
	const secondPage, orderCheck = "last=sha-a74453a-python3.11&n=25", "last=2.0999999999~&n=10"
	answered := make(chan struct{})
	err := fuzzFoundError(t, 923238, "moved/last-skip/link-none/cap100/n25/last-inclusive", 8, "7 ", "", "", func(m *modelRegistry) {
		m.answering = func(q string) func() {
			switch q {
			case orderCheck:
				select {
				case <-answered:
				case <-time.After(time.Minute): // the range no longer asks for it: the test fails below
				}
			case secondPage:
				return func() { close(answered) }
			}
			return func() {}
		}
	})
	if msg := err.Error(); !strings.Contains(msg, `held "sha-b2c95fd-python3.10-kubernetes", and its whole list, read page by page, lacks it`) {
		t.Errorf("error %q does not name the tag a page held that the whole list lacks", msg)
	}
}

// A registry that lists re-pushed tags last, takes last as a lexical bound
// over that order, cuts its pages at 50 names and 1,500 bytes and links
// them by a relative Link, read for the tags after "3" (FuzzListingModel
// found it): the range's first page, cut by bytes before the two re-pushed
// tags at the end of its order, linked a page after its last tag, and that
// page held none (both sort below it). The range's pages looked lexical,
// and so did the whole list's: 49 of the range's 51 tags, no error. A
// registry in lexical order links a page that is not full only while tags
// past it remain, so the empty page after it proves its paging skips tags.
func TestListingModelShortPageLinkedToNothingFails(t *testing.T) {
	err := fuzzFoundError(t, 614683, "moved/last-lexical/link-relative/cap50/bytes-1500-a-page", 33, "3", "", "")
	if msg := err.Error(); !strings.Contains(msg, "links a page that is not full only while tags past it remain") {
		t.Errorf("error %q does not say a page that is not full was linked to an empty one", msg)
	}
}

// fuzzFoundError reads the range of a FuzzListingModel input (subset,
// after, before, splits) on a fresh Client from a registry behaving as
// dims, which must be the behaviour named want, and returns the error the
// read must end in (a set of tags, right or not, fails the test). setup,
// if any, is given the registry before the read.
func fuzzFoundError(t *testing.T, dims uint32, want string, subset uint64, after, before, splits string, setup ...func(*modelRegistry)) error {
	t.Helper()
	b := modelBehaviourOf(dims)
	if got := b.String(); got != want {
		t.Fatalf("behaviour %s, want %s", got, want)
	}
	sorted, r := modelFuzzInput(modelCatalog(), subset, after, before, splits)
	reg := &modelRegistry{list: b.list(sorted)}
	for _, f := range setup {
		f(reg)
	}
	c, ref := modelClient(t, reg, b.clientN())
	got, err := c.ListTagRange(context.Background(), ref, r)
	if err == nil {
		t.Fatalf("%d of %d tags and no error, want an error", len(got), len(inRange(sorted, r)))
	}
	return err
}

// skipsTags reports whether msg says the registry's paging skips tags:
// shown by the position probe (it takes last as a lexical bound over an
// order of its own), or by a tag one answer held that the whole reading
// lacks (listing.unsent), which is checked first and needs no request.
func skipsTags(msg string) bool {
	return strings.Contains(msg, "takes last as a lexical bound over an order of its own") || strings.Contains(msg, "read page by page, lacks")
}
