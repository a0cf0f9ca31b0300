package registry

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Transient faults on the model (model_test.go): a registry behaving as a
// modelBehaviour whose chosen tag list requests fail once, then are
// answered. The listing's decisions read some statuses as a registry's
// answer about last or n (refusedLast, firstPage), so a fault on a probe,
// an order check, a cursor page or a piece's first page is where a wrong
// decision would hide. The property is the model's: every call returns
// exactly the tags inside its range, or an error, never another set; and,
// where the fault is one the Client retries (modelFault.retried) and the
// behaviour is readable, no error.
//
// Each run is in a synctest bubble, so that a stall past the request
// timeout, the backoff and a Retry-After take no real time.

// modelFault is one way a request fails once.
type modelFault struct {
	name string
	// retried: the Client retries it, and the fault-free answer follows:
	// a readable behaviour must then be read without error. The others
	// are answers a registry may give for good, which the Client acts on:
	//   404 or 400 once: a refusal of a last that is no tag (refusedLast),
	//     of n (400 on the first page, firstPage asks without n), or a
	//     missing repository; indistinguishable from the registry's real
	//     answer, so only the exact set or an error is required.
	// (A 200 whose body is cut inside the JSON, or is not JSON, is
	// retried: every body the Client asks for is JSON, so one that is not
	// is a fault.)
	retried bool
	// answer fails req, whose fault-free answer is served by serve; nil
	// and an error for a request that never gets an answer.
	answer func(req *http.Request, serve func() *http.Response) (*http.Response, error)
}

// The Client's settings in a faulty run. Its requests may take what
// the defaults let them: the request timeout is DefaultRequestTimeout, so
// that a registry pacing its requests one at a time after a 429 (retryOnce)
// gives each its turn within its time, as it would in a plan; the
// listing's own timeout is out of the way (an hour: a stall on every page
// costs a request timeout each, which a 5-minute listing would not
// allow, rightly). In the bubble, none of it is waited in real time.
const (
	modelFaultTimeout        = DefaultRequestTimeout
	modelFaultListingTimeout = time.Hour
	// modelFaultRetries is the Client's MaxRetries: at least the faults
	// any one request meets (one: each request fails once at most).
	modelFaultRetries = 2
	// modelFaultRetryAfter is the Retry-After of the 429 that sends one.
	modelFaultRetryAfter = "1"
)

var modelFaults = []modelFault{
	{name: "500", retried: true, answer: faultStatus(http.StatusInternalServerError)},
	{name: "502", retried: true, answer: faultStatus(http.StatusBadGateway)},
	{name: "503", retried: true, answer: faultStatus(http.StatusServiceUnavailable)},
	{name: "429", retried: true, answer: faultStatus(http.StatusTooManyRequests)},
	{name: "429-retry-after", retried: true, answer: faultStatus(http.StatusTooManyRequests, "Retry-After", modelFaultRetryAfter)},
	{name: "404", answer: faultStatus(http.StatusNotFound)},
	{name: "400", answer: faultStatus(http.StatusBadRequest)},
	{name: "truncated-json", retried: true, answer: func(_ *http.Request, serve func() *http.Response) (*http.Response, error) {
		resp := serve()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK {
			b = b[:len(b)/2] // a whole answer, whose JSON ends halfway
		}
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		return resp, nil
	}},
	{name: "not-json", retried: true, answer: func(req *http.Request, _ func() *http.Response) (*http.Response, error) {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "text/html")
		rec.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(rec, "<html><body>upstream connect error or disconnect/reset before headers</body></html>")
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}},
	{name: "closed-mid-body", retried: true, answer: func(_ *http.Request, serve func() *http.Response) (*http.Response, error) {
		resp := serve()
		b, _ := io.ReadAll(resp.Body)
		// What net/http's body gives when the connection closes before
		// Content-Length bytes came.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{io.ErrUnexpectedEOF}))
		return resp, nil
	}},
	{name: "stall", retried: true, answer: func(req *http.Request, _ func() *http.Response) (*http.Response, error) {
		<-req.Context().Done() // longer than the request timeout
		return nil, req.Context().Err()
	}},
	{name: "stall-mid-body", retried: true, answer: func(req *http.Request, serve func() *http.Response) (*http.Response, error) {
		resp := serve()
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), ctxReader{req.Context()}))
		return resp, nil
	}},
}

// faultStatus answers code, with a registry error body and headers.
func faultStatus(code int, header ...string) func(*http.Request, func() *http.Response) (*http.Response, error) {
	return func(req *http.Request, _ func() *http.Response) (*http.Response, error) {
		rec := httptest.NewRecorder()
		for i := 0; i+1 < len(header); i += 2 {
			rec.Header().Set(header[i], header[i+1])
		}
		writeRegError(rec, code, "FAULT", http.StatusText(code))
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// ctxReader blocks until ctx is done.
type ctxReader struct{ ctx context.Context }

func (c ctxReader) Read([]byte) (int, error) {
	<-c.ctx.Done()
	return 0, c.ctx.Err()
}

// modelPlacement chooses which tag list requests fail: given the
// request's number among the Client's tag list requests (from 1) and its
// query. A query fails once at most (faultyRegistry), so that its retry
// is answered.
type modelPlacement struct {
	name   string
	choose func(k int, q faultQuery) bool
}

// faultQuery is what a placement may look at of a request.
type faultQuery struct {
	key       string // the query, its parameters in order
	last      string
	hasLast   bool
	cursor    bool // it carries next_page
	noTag     bool // last is set and names no tag of the catalog
	pieceHead bool // last is the After or a split of a range read, or absent
	seed      uint32
}

// modelPlacements: the k-th request (once), or every request of a kind,
// each the first time its query is asked: a last that is no tag (probes,
// ranges' starts), a piece's first page (or the list's), a page asked by
// a cursor or after a tag (Links, and the pages after the first), one in
// three by a seeded hash, or every one.
var modelPlacements = func() []modelPlacement {
	var out []modelPlacement
	for _, k := range []int{1, 2, 3, 4, 5, 7, 10} {
		out = append(out, modelPlacement{fmt.Sprintf("request-%d", k), func(n int, _ faultQuery) bool { return n == k }})
	}
	out = append(out,
		modelPlacement{"last-no-tag", func(_ int, q faultQuery) bool { return q.noTag }},
		modelPlacement{"piece-heads", func(_ int, q faultQuery) bool { return q.pieceHead }},
		modelPlacement{"cursors-and-links", func(_ int, q faultQuery) bool { return q.cursor || (q.hasLast && !q.noTag) }},
		modelPlacement{"one-in-3", func(_ int, q faultQuery) bool { return faultHash(q.seed, q.key)%3 == 0 }},
		modelPlacement{"every", func(int, faultQuery) bool { return true }},
	)
	return out
}()

func faultHash(seed uint32, key string) uint32 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d\x00%s", seed, key)
	return h.Sum32()
}

// faultyRegistry is one Client's view of a model registry whose tag list
// requests fail once where placed: each query fails at most once (its
// retry is answered), and the k-th placement fails one request only.
type faultyRegistry struct {
	reg    *modelRegistry
	tags   map[string]bool // the catalog
	heads  map[string]bool // modelFaultRanges' Afters and splits
	fault  modelFault
	place  modelPlacement
	seed   uint32
	mu     sync.Mutex
	n      int             // tag list requests
	failed map[string]bool // queries failed once
	faults int
	// onFailure: a fault fell on a request the registry answers with an
	// error status (see runModelFaults).
	onFailure bool
}

func (f *faultyRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/tags/list") {
		return f.reg.RoundTrip(req)
	}
	qv := req.URL.Query()
	q := faultQuery{key: qv.Encode(), last: qv.Get("last"), hasLast: qv.Has("last"), cursor: qv.Has("next_page"), seed: f.seed}
	q.noTag = q.hasLast && !f.tags[q.last]
	q.pieceHead = !q.cursor && (!q.hasLast || f.heads[q.last])
	f.mu.Lock()
	f.n++
	fail := !f.failed[q.key] && f.place.choose(f.n, q)
	if fail {
		f.failed[q.key] = true
		f.faults++
	}
	f.mu.Unlock()
	if !fail {
		return f.reg.RoundTrip(req)
	}
	if resp, _ := f.reg.RoundTrip(req); resp.StatusCode != http.StatusOK {
		f.mu.Lock()
		f.onFailure = true
		f.mu.Unlock()
	}
	return f.fault.answer(req, func() *http.Response {
		resp, _ := f.reg.RoundTrip(req)
		return resp
	})
}

// modelFaultRanges are the ranges a faulty run reads: the whole list, a
// minor cut at splits, every release in many pieces, and bounds that are
// tags (modelRanges).
var modelFaultRanges = []TagRange{modelRanges[0], modelRanges[1], modelRanges[4], modelRanges[8]}

// faultRun is a faulty run's outcome.
type faultRun struct {
	calls  []judgedCall
	faults int // requests failed
	// onFailure: a fault fell on a request the registry answers with an
	// error status, a refusal the Client retries as any other failure:
	// refuse500's 500 for a last that is no valid tag name ("3.1~"). Its
	// attempts are all failures, so that a fault on its last attempt ends
	// it on that fault, not on the 500 that refusedLast would read as a
	// refusal: an error, not a wrong set. A request's retries are bounded;
	// a refusal by a retried status spends them.
	onFailure bool
}

// runModelFaults reads ranges as runModel does, each Client seeing the
// registry behave as b over sorted with fault placed by place, in a
// synctest bubble.
func runModelFaults(t *testing.T, b modelBehaviour, sorted []string, ranges []TagRange, fault modelFault, place modelPlacement, seed uint32) faultRun {
	tags := map[string]bool{}
	for _, s := range sorted {
		tags[s] = true
	}
	heads := map[string]bool{}
	for _, r := range ranges {
		heads[r.After] = true
		for _, s := range r.Splits {
			heads[s] = true
		}
	}
	list := b.list(sorted)
	var run faultRun
	synctest.Test(t, func(t *testing.T) {
		var regs []*faultyRegistry
		var models []*modelRegistry
		calls := readRanges(func() (*Client, Repository) {
			reg := &modelRegistry{list: list}
			models = append(models, reg)
			fr := &faultyRegistry{reg: reg, tags: tags, heads: heads, fault: fault, place: place, seed: seed, failed: map[string]bool{}}
			regs = append(regs, fr)
			c, err := New(Config{Keychain: authn.NewMultiKeychain(), UserAgent: "terraform-provider-prefectimage/test", MaxRetries: modelFaultRetries, RequestTimeout: modelFaultTimeout, ListingTimeout: modelFaultListingTimeout})
			if err != nil {
				t.Fatal(err)
			}
			c.base = fr
			c.pageSize = b.clientN()
			ref, err := ParseRepository(modelRepo)
			if err != nil {
				t.Fatal(err)
			}
			return c, ref
		}, ranges)
		run.calls = b.judge(calls, models)
		for _, fr := range regs {
			run.faults += fr.faults
			run.onFailure = run.onFailure || fr.onFailure
		}
		// A check begun alongside a range read (orderCheck) may still
		// wait on a stalled answer when every caller has its own, none
		// needing it any more: it must end by the listing's deadline,
		// which the bubble's clock reaches here, or synctest reports the
		// goroutine left blocked.
		time.Sleep(modelFaultListingTimeout)
	})
	return run
}

// check holds the property on a faulty run's calls: the exact set or an
// error, and no error where the behaviour is readable and the fault one
// the Client retries, on a request the registry answers. It returns what
// is wrong.
func (run faultRun) check(sorted []string, b modelBehaviour, fault modelFault) []string {
	var out []string
	ok := fault.retried && !run.onFailure && b.readable(sorted) // asked once: it serves the list twice
	for _, mc := range run.calls {
		if msg := mc.check(sorted, ok); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// modelFaultCases are the fault kinds and placements, every pair.
func modelFaultCases() [][2]int {
	var out [][2]int
	for f := range modelFaults {
		for p := range modelPlacements {
			out = append(out, [2]int{f, p})
		}
	}
	return out
}

// TestListingModelFaults checks the property on every provable behaviour
// of modelBehaviours (a registry taking last as a lexical bound over an
// order of its own judged call by call, as TestListingModel judges it),
// each under two of the fault kinds × placements
// (chosen by a hash of the behaviour's name, so that each pair meets a
// dozen behaviours or more, about 25 on average), reading
// modelFaultRanges. Skipped under -race, as sweepModel is:
// TestListingModel gives the race detector the same concurrency.
//
// Every behaviour under every pair was too long to keep; passes run once
// by hand, every behaviour under 400 and 404 placed on the first four
// requests, on lasts that are no tag, piece heads, cursors and tags as
// last, and every request, and under 503, a connection closed, a stall
// and a 429 with Retry-After on the first two requests, lasts that are no
// tag and piece heads, found TestListingModelFaultsRefusedNOnce and
// nothing else.
func TestListingModelFaults(t *testing.T) {
	if raceDetector {
		t.Skip("the fault sweep is long under -race; TestListingModel runs under it")
	}
	sorted := modelCatalog()
	cases := modelFaultCases()
	perCase := make([]int, len(cases))
	var mu sync.Mutex
	runs, faulted, faults := 0, 0, 0
	var behaviours []modelBehaviour
	for _, b := range modelBehaviours() {
		if b.unprovable(sorted) == "" {
			behaviours = append(behaviours, b)
		}
	}
	for i, b := range behaviours {
		for j := range uint32(2) {
			ci := int(faultHash(j, b.String()) % uint32(len(cases)))
			if j == 1 && ci == int(faultHash(0, b.String())%uint32(len(cases))) {
				ci = (ci + 1) % len(cases)
			}
			perCase[ci]++
			fault, place := modelFaults[cases[ci][0]], modelPlacements[cases[ci][1]]
			t.Run(fmt.Sprintf("%s/%s/%s", b, fault.name, place.name), func(t *testing.T) {
				t.Parallel()
				run := runModelFaults(t, b, sorted, modelFaultRanges, fault, place, uint32(i))
				mu.Lock()
				runs, faults = runs+1, faults+run.faults
				if run.faults > 0 {
					faulted++
				}
				mu.Unlock()
				for _, msg := range run.check(sorted, b, fault) {
					t.Error(msg)
				}
			})
		}
	}
	t.Cleanup(func() {
		t.Logf("%d behaviours × 2 of %d fault cases (fewest behaviours a case met: %d): %d runs, %d of them with faults, %d faults", len(behaviours), len(cases), slices.Min(perCase), runs, faulted, faults)
	})
}

// FuzzListingModelFaults is FuzzListingModel (the same dims, subset and
// range) with a fault: fault chooses its kind (modelFaults), its
// placement (modelPlacements) and the seed of a seeded placement. The
// property is TestListingModelFaults'.
func FuzzListingModelFaults(f *testing.F) {
	base := modelCatalog()
	kinds, places := uint32(len(modelFaults)), uint32(len(modelPlacements))
	faultOf := func(kind, place string, seed uint32) uint32 {
		k := slices.IndexFunc(modelFaults, func(m modelFault) bool { return m.name == kind })
		p := slices.IndexFunc(modelPlacements, func(m modelPlacement) bool { return m.name == place })
		if k < 0 || p < 0 {
			panic(kind + " " + place)
		}
		return uint32(k) + kinds*(uint32(p)+places*seed)
	}
	for _, s := range []struct {
		dims          uint32
		fault         uint32
		subset        uint64
		after, before string
		splits        string
	}{
		{0, faultOf("503", "request-1", 0), 1, "3.1~", "3.2~", "3.2.1,3.2.5"},
		{modelBehaviour{order: 0, last: 3, small: true}.encode(), faultOf("400", "request-1", 0), 0, "", "", ""},                              // a 400 on the first page: asked again without n
		{modelBehaviour{order: 3, last: 1, link: 1, small: true}.encode(), faultOf("404", "last-no-tag", 0), 1, "/~", "9~", "2.,3.,3.8,sha-"}, // re-pushed, by position
		{modelBehaviour{order: 0, last: 3, link: 2, size: 2, small: true}.encode(), faultOf("closed-mid-body", "cursors-and-links", 0), 1, "2.20/", "2.20:", "2.20.1"},
		{modelBehaviour{order: 0, last: 4, link: 1, size: 1, linkOff: true}.encode(), faultOf("stall", "piece-heads", 0), 1, "3.1~", "3.2~", "3.2.3"},
		{modelBehaviour{order: 4, last: 6, link: 3, small: true}.encode(), faultOf("429-retry-after", "every", 0), 1, "9~", "sha-", ""},
		{modelBehaviour{order: 2, last: 3, size: 3}.encode(), faultOf("truncated-json", "one-in-3", 7), 3, "3.1~", "3.2~", ""},
		{modelBehaviour{order: 0, last: 2, link: 1, linkOff: true, small: true}.encode(), faultOf("stall-mid-body", "request-3", 0), 5, "3.2.1-python3.12", "3.3~", "3.2.5"},
	} {
		f.Add(s.dims, s.fault, s.subset, s.after, s.before, s.splits)
	}
	f.Fuzz(func(t *testing.T, dims, fault uint32, subset uint64, after, before, splits string) {
		b := modelBehaviourOf(dims)
		kind, place, seed := modelFaults[fault%kinds], modelPlacements[fault/kinds%places], fault/kinds/places
		sorted, r := modelFuzzInput(base, subset, after, before, splits)
		if b.unprovable(sorted) != "" || searching() && b.ownOrderBound() {
			return
		}
		run := runModelFaults(t, b, sorted, []TagRange{r, {}}, kind, place, seed)
		for _, msg := range run.check(sorted, b, kind) {
			t.Errorf("%s, %d tags, %s %s (seed %d): %s", b, len(sorted), kind.name, place.name, seed, msg)
		}
	})
}

// A registry that ignores last and sends no Link, but honours n, read
// whole with n=1000 (TestListingModel), answers the list's first page,
// asked with n, 400 once (a flaky load balancer). The listing takes that
// for a refusal of n and reads on without n (firstPage): the registry
// sends a page of its own size (100), and last, ignored, the same page
// again. That page was taken for the whole list, its 100 names being more
// than the 25 the Client would ask: 100 of 370 tags, and every range
// filtered from them. n was not sent, so that shows nothing; no reader
// can tell such a page from the whole list: an error, not a wrong set.
func TestListingModelFaultsRefusedNOnce(t *testing.T) {
	sorted := modelCatalog()
	fault := modelFaults[slices.IndexFunc(modelFaults, func(f modelFault) bool { return f.name == "400" })]
	for o := range modelOrders {
		b := modelBehaviour{order: o, last: slices.Index(modelLasts, "ignore"), small: true} // <order>/last-ignore/link-none/n/n25
		for _, place := range modelPlacements[:2] {                                          // request-1, request-2: the first page, or the probe beside it
			t.Run(fmt.Sprintf("%s/%s/%s", b, fault.name, place.name), func(t *testing.T) {
				run := runModelFaults(t, b, sorted, modelFaultRanges, fault, place, 0)
				if run.faults == 0 {
					t.Fatal("no request failed")
				}
				for _, msg := range run.check(sorted, b, fault) {
					t.Error(msg)
				}
			})
		}
	}
}
