package registry

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// repushingRegistry answers as before until the request whose query holds
// gate arrives; it holds that request until open is closed, and answers it
// and every later one as after: a tag re-pushed meanwhile.
type repushingRegistry struct {
	before, after *modelRegistry
	gate          string
	arrived, open chan struct{}
	once          sync.Once

	mu      sync.Mutex
	swapped bool
	asked   []string // every tag list query, in order
}

func (g *repushingRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/tags/list") {
		if strings.Contains(req.URL.RawQuery, g.gate) {
			g.once.Do(func() { close(g.arrived) })
			<-g.open
		}
		g.mu.Lock()
		g.asked = append(g.asked, req.URL.RawQuery)
		g.mu.Unlock()
	}
	g.mu.Lock()
	m := g.before
	if g.swapped {
		m = g.after
	}
	g.mu.Unlock()
	return m.RoundTrip(req)
}

// A lexical registry taking last as a lexical bound, paged by last alone.
// One pin of a plan reads its whole list; another's range waits on its
// first page meanwhile. Then a tag is re-pushed, which this registry lists
// last, and the range's page shows it after a higher tag. Both tags are in
// the whole list, so nothing is missing there (listing.unsent); but the registry
// now lists tags in an order of its own under a lexical bound, which paging
// by last cannot read whole. The position probe the whole reading would
// have asked, had it seen the pair, is asked then, once (positionProbeLate):
// asked for the tags after the higher tag, this registry sends none, and
// the listing fails rather than serve a list it can no longer vouch for.
func TestLatePositionProbeAskedWhenTheWholeListHoldsBothTags(t *testing.T) {
	var sorted []string
	for i := range 60 {
		sorted = append(sorted, fmt.Sprintf("3.%02d", i))
	}
	const repushed = "3.45"
	moved := append(slices.DeleteFunc(slices.Clone(sorted), func(s string) bool { return s == repushed }), repushed)
	list := reviewList{order: sorted, last: "lexical"}
	after := list
	after.order = moved
	reg := &repushingRegistry{before: &modelRegistry{list: list}, after: &modelRegistry{list: after}}
	_, _, got := rangeHeldWhileWholeListRead(t, reg, TagRange{After: "3.40~", Before: "4"}, len(sorted))
	if got.err == nil {
		t.Fatalf("%d tags and no error, want an error", len(got.tags))
	}
	if msg := got.err.Error(); !strings.Contains(msg, "lexical bound over an order of its own") {
		t.Errorf("error %q does not say the registry takes last as a lexical bound over an order of its own", msg)
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	probes := 0
	for _, q := range reg.asked {
		if q == fmt.Sprintf("last=3.59&n=%d", probePage) {
			probes++
		}
	}
	if probes != 1 {
		t.Errorf("the position probe after 3.59 was asked %d times, want once: %q", probes, reg.asked)
	}
}

type rangeResult struct {
	tags []string
	err  error
}

// rangeHeldWhileWholeListRead reads r on a Client of reg, holding its first
// page (last = r.After) back while the whole list is read, which must hold
// wholeLen tags; then reg answers as after, the held page first. It
// returns the Client, for later readings, and what the range read.
func rangeHeldWhileWholeListRead(t *testing.T, reg *repushingRegistry, r TagRange, wholeLen int) (*Client, Repository, rangeResult) {
	t.Helper()
	reg.gate, reg.arrived, reg.open = "last="+r.After, make(chan struct{}), make(chan struct{})
	c, ref := modelClient(t, reg.before, 25)
	c.base = reg
	ranged := make(chan rangeResult, 1)
	go func() {
		tags, err := c.ListTagRange(context.Background(), ref, r)
		ranged <- rangeResult{tags, err}
	}()
	<-reg.arrived
	whole, err := c.ListTags(context.Background(), ref)
	if err != nil || len(whole) != wholeLen {
		t.Fatalf("the whole list, read while the range waits: %d tags, %v", len(whole), err)
	}
	reg.mu.Lock()
	reg.swapped = true
	reg.mu.Unlock()
	close(reg.open)
	return c, ref, <-ranged
}
