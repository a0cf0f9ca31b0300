package registry

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A registry that keeps an order of its own (push time, say) and takes
// last as a lexical bound over it: the page after last holds the first
// tags of its order that sort after last, and its Link carries the page's
// last tag. Following its Links skips every tag below a page's last tag
// that it had not sent yet: on Prefect's 13,512 tags a whole reading got
// 266 in pages of 100 and 2,512 in pages of 1000, and a pin was selected
// from them with no error. No client can read it whole by paging: the
// listing fails, naming the registry, the repository and what the pages
// showed.
func TestOwnOrderWithLastAsBoundFails(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name string
		opts []registrytest.Option
	}{
		{"shuffled, pages of 100", []registrytest.Option{registrytest.WithOrder(registrytest.Shuffled(7)), registrytest.WithMaxPageSize(100)}},
		{"shuffled, pages of 1000", []registrytest.Option{registrytest.WithOrder(registrytest.Shuffled(11))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := registrytest.Prefect(t, append(tc.opts, registrytest.WithLastAsBoundOverOrder())...)
			repo := repoOf(t, r.Host()+"/prefecthq/prefect")
			for _, rg := range []TagRange{{}, {After: "3.7~", Before: "3.8~", Splits: digitSplits("3.8.")}} {
				got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repo, rg)
				if err == nil {
					t.Fatalf("range %+v: %d tags and no error (%d in the catalog); want an error", rg, len(got), len(inRange(slices.Sorted(slices.Values(tagcatalog.Prefect())), rg)))
				}
				msg := err.Error()
				for _, want := range []string{r.Host(), "prefecthq/prefect", "takes last as a lexical bound over an order of its own", "cannot be read whole", "its pages list"} {
					if !strings.Contains(msg, want) {
						t.Errorf("range %+v: error %q does not say %q", rg, msg, want)
					}
				}
				unreadableList(t, err)
			}
		})
	}
}

// A registry that takes last by position over an order of its own reads
// whole by its Links. Where no page after a last holds a tag below it
// (its order descends only inside pages), the pages cannot show that, and
// one request more does: the page after a tag that a lower one follows on
// its page starts at that lower one. Where one does, nothing more is
// asked.
func TestPositionalOrderRisingAcrossPagesReadsWhole(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name  string
		order []string
		opts  []registrytest.Option
		want  int    // list requests
		probe string // the request for the page after the descent's upper tag, "" for none
	}{
		{"rising across pages, Link", []string{"1.1", "1.0", "2.1", "2.0", "3.1", "3.0", "4.0"}, nil, 4 + 1, "last=1.1&"},
		{"rising across pages, no Link", []string{"1.1", "1.0", "2.1", "2.0", "3.1", "3.0", "4.0"}, []registrytest.Option{registrytest.WithoutLink()}, 5 + 1, "last=1.1&"}, // the empty page after 4.0 ends it
		{"a page after last holds a lower tag, Link", []string{"2.1", "2.0", "1.1", "1.0", "3.0"}, nil, 3, ""},
		{"a page after last holds a lower tag, no Link", []string{"2.1", "2.0", "1.1", "1.0", "3.0"}, []registrytest.Option{registrytest.WithoutLink()}, 4, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			own := func(sorted []string) []string {
				if !slices.Equal(sorted, slices.Sorted(slices.Values(tc.order))) {
					t.Errorf("the registry holds %q", sorted)
				}
				return slices.Clone(tc.order)
			}
			r := registrytest.New(t, append(tc.opts, registrytest.WithOrder(own), registrytest.WithMaxPageSize(2))...)
			if err := r.Seed("acme/prefect", tc.order); err != nil {
				t.Fatal(err)
			}
			got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, r.Host()+"/acme/prefect"))
			if err != nil {
				t.Fatal(err)
			}
			if want := slices.Sorted(slices.Values(tc.order)); !slices.Equal(got, want) {
				t.Fatalf("got %q, want %q", got, want)
			}
			if n := r.Counts().ListPage; n != tc.want {
				t.Errorf("%d list requests, want %d: %q", n, tc.want, r.Requests())
			}
			probed := slices.ContainsFunc(r.Requests(), func(s string) bool { return tc.probe != "" && strings.Contains(s, tc.probe) })
			if probed != (tc.probe != "") {
				t.Errorf("asked for the page after the descent: %v, want %v: %q", probed, tc.probe != "", r.Requests())
			}
		})
	}
}

// The decisions, without HTTP: when a whole reading asks one page more,
// and what its answer shows.
func TestPositionProbeDecisions(t *testing.T) {
	pg := func(sent string, link bool, tags ...string) page {
		return page{sent: sent, tags: tags, count: len(tags), link: link, asked: 2}
	}
	read := func(pages ...page) *stretch {
		s := &stretch{n: 2}
		for _, p := range pages {
			if v := s.take(p); v != readMore && v != complete {
				t.Fatalf("verdict %d on %+v: %s", v, p, s.why)
			}
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		pages []page
		probe string // "" for none
	}{
		{"lexical pages: none", []page{pg("", true, "1.0", "1.1"), pg("1.1", true, "2.0", "2.1"), pg("2.1", false, "3.0")}, ""},
		{"descending inside pages, rising across: after the upper tag of the first descent", []page{pg("", true, "1.0", "1.1"), pg("1.1", true, "2.1", "2.0"), pg("2.0", false, "3.0")}, "2.1"},
		{"a page after last holds a tag below it: by position, none", []page{pg("", true, "2.1", "2.0"), pg("2.0", true, "1.1", "1.0"), pg("1.0", false, "3.0")}, ""},
		{"pages after last hold nothing new: none (every tag came without last)", []page{pg("", false, "2.1", "2.0"), pg("2.0", false, "2.1")}, ""},
		{"a cursor, not last: none", []page{pg("", true, "2.1", "2.0"), {cursor: true, tags: []string{"3.0"}, count: 1, asked: 2}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := read(tc.pages...).positionProbe()
			if !ok {
				got = ""
			}
			if got != tc.probe {
				t.Errorf("probe %q, want %q", got, tc.probe)
			}
		})
	}

	s := read(pg("", true, "1.0", "1.1"), pg("1.1", true, "2.1", "2.0"), pg("2.0", false, "3.0"))
	for _, tc := range []struct {
		name    string
		answer  *page
		refused int
		why     string // a part of it; "" for none
	}{
		{"from the tag after it in its order", &page{tags: []string{"2.0", "3.0"}}, 0, ""},
		{"inclusively, from it and then that tag", &page{tags: []string{"2.1", "2.0"}}, 0, ""},
		{"from a tag above it", &page{tags: []string{"3.0"}}, 0, `answered from "3.0", not "2.0"`},
		{"with none", &page{}, 0, `answered from none, not "2.0"`},
		{"refused", nil, 400, "refused (HTTP 400)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := judgePosition(s.descent, tc.answer, tc.refused)
			if (why == "") != (tc.why == "") || !strings.Contains(why, tc.why) {
				t.Errorf("why %q, want %q", why, tc.why)
			}
		})
	}
}
