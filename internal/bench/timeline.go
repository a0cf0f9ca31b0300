package bench

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Span is one request as the registry saw it: when it arrived and when its
// answer was written.
type Span struct {
	Kind  string // ping, token, list, head, get, blob, other
	Query string // a tag list request's query (n, last), for Trace
	Start time.Time
	End   time.Time
}

// Timeline records the time span of every request a registrytest.Registry
// serves. Install it with registrytest.WithMiddleware(t.Middleware).
//
// Middlewares run after the registry's latency sleep, so a span starts
// Latency before the middleware sees the request: the moment it reached the
// server.
type Timeline struct {
	Latency time.Duration

	mu    sync.Mutex
	spans []Span
}

// Middleware records each request's span around next.
func (t *Timeline) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now().Add(-t.Latency)
		next.ServeHTTP(w, req)
		s := Span{Kind: registrytest.KindOf(req), Start: start, End: time.Now()}
		if s.Kind == "list" {
			s.Query = req.URL.RawQuery
		}
		t.mu.Lock()
		t.spans = append(t.spans, s)
		t.mu.Unlock()
	})
}

// Reset forgets every span recorded so far.
func (t *Timeline) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spans = nil
}

// Spans returns the spans recorded since the last Reset, by start time.
func (t *Timeline) Spans() []Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]Span(nil), t.spans...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// CriticalPath returns the longest chain of requests in which each one
// started after the one before it had ended: the round trips that were
// paid one after another. Requests that overlap in time were concurrent and
// count once. The chain is returned in order.
func CriticalPath(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	s := append([]Span(nil), spans...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start.Before(s[j].Start) })
	best := make([]int, len(s)) // longest chain ending with s[i]
	prev := make([]int, len(s))
	top := 0
	for i := range s {
		best[i], prev[i] = 1, -1
		for j := range i {
			if !s[j].End.After(s[i].Start) && best[j]+1 > best[i] {
				best[i], prev[i] = best[j]+1, j
			}
		}
		if best[i] > best[top] {
			top = i
		}
	}
	chain := make([]Span, best[top])
	for i, k := top, len(chain)-1; i >= 0; i, k = prev[i], k-1 {
		chain[k] = s[i]
	}
	return chain
}

// ChainString names the kinds of a chain in order, runs of one kind
// collapsed: "ping → token → list ×2 → head ×2".
func ChainString(chain []Span) string {
	var parts []string
	for i := 0; i < len(chain); {
		j := i
		for j < len(chain) && chain[j].Kind == chain[i].Kind {
			j++
		}
		if n := j - i; n > 1 {
			parts = append(parts, chain[i].Kind+" ×"+strconv.Itoa(n))
		} else {
			parts = append(parts, chain[i].Kind)
		}
		i = j
	}
	return strings.Join(parts, " → ")
}

// Trace renders spans as lines of "start end kind", in milliseconds from the
// first start, and a tag list request's query, for reading a run's timeline.
func Trace(spans []Span) string {
	if len(spans) == 0 {
		return ""
	}
	var b strings.Builder
	t0 := spans[0].Start
	for _, s := range spans {
		fmt.Fprintf(&b, "%6d %6d %s", s.Start.Sub(t0).Milliseconds(), s.End.Sub(t0).Milliseconds(), s.Kind)
		if s.Query != "" {
			b.WriteString(" " + s.Query)
		}
		b.WriteString("\n")
	}
	return b.String()
}
