package registry

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// quay is Quay's tag list (quay/quay endpoints/v2/__init__.py paginate and
// endpoints/v2/tag.py list_all_tags): tags in the order of their ids, the
// order they were pushed in; n capped at 100 (V2_PAGINATION_SIZE, at least
// 100), 100 without it; the next page's start an encrypted token, read
// from next_page or, failing that, from last, and a token it cannot
// decrypt (a tag name) starts from the beginning; while tags remain, an
// absolute Link, <https://quay.io/v2/<ns>/<repo>/tags/list?n=100&next_page=
// gAAAA…%3D>; rel="next" (deitch/docker_registry2#56,
// TritonDataCenter/node-docker-registry-client#12).
//
// spell writes the Link header from the next page's absolute target and
// those of the first, previous and last pages ("" when there is none):
// quaySpelling is Quay's own; the others spell the same link as RFC 8288
// allows.
func quay(spell func(h http.Header, next, first, prev, last string)) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := registrytest.Shuffled(13)(slices.Clone(sorted))
		token := func(i int) string { return base64.URLEncoding.EncodeToString([]byte("start_id=" + strconv.Itoa(i))) }
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := 100
			if v, err := strconv.Atoi(q.Get("n")); err == nil {
				n = max(min(v, 100), 1)
			} else if q.Has("n") {
				n = 1
			}
			cursor := q.Get("next_page")
			if cursor == "" {
				cursor = q.Get("last")
			}
			start := 0 // a token it cannot decrypt starts from the beginning
			if b, err := base64.URLEncoding.DecodeString(cursor); err == nil {
				if i, err := strconv.Atoi(strings.TrimPrefix(string(b), "start_id=")); err == nil && i < len(order) {
					start = i
				}
			}
			stop := min(start+n, len(order))
			if stop < len(order) {
				at := func(i int) string {
					u := url.URL{Scheme: "https", Host: r.Host, Path: r.URL.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}}.Encode()}
					if i > 0 {
						u.RawQuery = url.Values{"n": {strconv.Itoa(n)}, "next_page": {token(i)}}.Encode()
					}
					return u.String()
				}
				prev := ""
				if start > 0 {
					prev = at(max(start-n, 0))
				}
				spell(w.Header(), at(stop), at(0), prev, at((len(order)-1)/n*n))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": order[start:stop]})
		}
	}
}

func quaySpelling(h http.Header, next, _, _, _ string) {
	h.Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
}

// TestZooQuayLinkSpellings reads every range from Quay, and from Quay with
// its Link spelled in the other ways RFC 8288 allows: on a registry that
// pages by cursor, a next link missed ends the list early, and a wrong one
// followed reads other pages than the next.
func TestZooQuayLinkSpellings(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	rel := func(fmtS string) func(h http.Header, next, _, _, _ string) {
		return func(h http.Header, next, _, _, _ string) { h.Set("Link", fmt.Sprintf(fmtS, next)) }
	}
	for _, tc := range []struct {
		name  string
		spell func(h http.Header, next, first, prev, last string)
	}{
		{"quay", quaySpelling},
		{"first-prev-next-last-in-one-header", func(h http.Header, next, first, prev, last string) {
			v := fmt.Sprintf(`<%s>; rel="first", `, first)
			if prev != "" {
				v += fmt.Sprintf(`<%s>; rel="prev", `, prev)
			}
			h.Set("Link", v+fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, next, last))
		}},
		{"prev-last-next-in-several-headers", func(h http.Header, next, first, prev, last string) {
			if prev != "" {
				h.Add("Link", fmt.Sprintf(`<%s>; rel="prev"`, prev))
			}
			h.Add("Link", fmt.Sprintf(`<%s>; rel="last"`, last))
			h.Add("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
		}},
		{"unquoted", rel(`<%s>; rel=next`)},
		{"upper-case", rel(`<%s>; REL=NEXT`)},
		{"whitespace-around-equals", rel(`<%s> ; rel = "next"`)},
		{"params-before-rel", rel(`<%s>; title="next page"; type="application/json"; rel="next"`)},
		{"several-types", rel(`<%s>; rel="nofollow next"`)},
		{"query-only-reference", func(h http.Header, next, _, _, _ string) {
			u, _ := url.Parse(next)
			h.Set("Link", fmt.Sprintf(`<?%s>; rel="next"`, u.RawQuery))
		}},
		{"relative-path-reference", func(h http.Header, next, _, _, _ string) {
			u, _ := url.Parse(next)
			h.Set("Link", fmt.Sprintf(`<./list?%s>; rel="next"`, u.RawQuery))
		}},
		{"scheme-relative-reference", func(h http.Header, next, _, _, _ string) {
			h.Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next[len("https:"):]))
		}},
		{"prev-titled-like-next", func(h http.Header, next, _, prev, _ string) {
			v := ""
			if prev != "" {
				v = fmt.Sprintf(`<%s>; title="back; rel=next"; rel="prev", `, prev)
			}
			h.Set("Link", v+fmt.Sprintf(`<%s>; rel="next"`, next))
		}},
		{"last-before-next-as-next-archive", func(h http.Header, next, _, _, last string) {
			h.Set("Link", fmt.Sprintf(`<%s>; rel="next-archive", <%s>; rel="next"`, last, next))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, quay(tc.spell)(sorted), "prefecthq/prefect", sorted, true)
		})
	}
}

// TestZooQuayLinkUnreadable: a Link header that is no list of links as RFC
// 8288 writes them (here the target's closing '>' left out) is an error,
// not a page without a next link: on Quay, which pages by cursor and
// starts over for a last it cannot decrypt, that would end the list early.
func TestZooQuayLinkUnreadable(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	runZoo(t, quay(func(h http.Header, next, _, _, _ string) {
		h.Set("Link", fmt.Sprintf(`<%s; rel="next"`, next))
	})(sorted), "prefecthq/prefect", sorted, false)
	c, ref := zooClient(t, quay(func(h http.Header, next, _, _, _ string) {
		h.Set("Link", fmt.Sprintf(`<%s; rel="next"`, next))
	})(sorted), "prefecthq/prefect")
	if _, err := c.ListTags(t.Context(), ref); err == nil || !strings.Contains(err.Error(), "RFC 8288") {
		t.Errorf("got %v, want an error naming the unreadable Link header", err)
	}
}

func TestNextLinkRFC8288(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string // "-": an error
	}{
		{[]string{`</a>; rel="prev", </b>; rel="next"`}, "/b"},
		{[]string{`</f>; rel="first", </p>; rel="prev", </b>; rel="next", </l>; rel="last"`}, "/b"},
		{[]string{`</p>; rel="prev"`, `</b>; rel="next"`, `</l>; rel="last"`}, "/b"},
		{[]string{`</b>; rel=next`}, "/b"},
		{[]string{`</b>; REL=NEXT`}, "/b"},
		{[]string{`</b>; rel = "next"`}, "/b"},
		{[]string{`</b> ; rel= next ;`}, "/b"},
		{[]string{`</b>;rel="next"`}, "/b"},
		{[]string{`</b>; title="page 2"; type="application/json"; rel="next"`}, "/b"},
		{[]string{`</b>; rel="last next"`}, "/b"},
		{[]string{`</b?last=a,b&n=2>; rel="next"`}, "/b?last=a,b&n=2"},
		{[]string{`</b>; rel="next"; anchor="#x"`}, "/b"},
		{[]string{`<?last=x&n=100>; rel="next"`}, "?last=x&n=100"},
		{[]string{``, `, </b>; rel="next",`}, "/b"},
		{[]string{`</b>; rel="next"`, `</b>; rel=next`}, "/b"},
		// Not next: rel=next inside another parameter, a second rel, a
		// type that only holds the word.
		{[]string{`</p>; title="x; rel=next"; rel="prev", </b>; rel="next"`}, "/b"},
		{[]string{`</p>; rel=prev; title=next, </b>; rel="next"`}, "/b"},
		{[]string{`</p>; rel="prev"; rel="next", </b>; rel="next"`}, "/b"},
		{[]string{`</x>; rel="next-archive", </b>; rel="next"`}, "/b"},
		{[]string{`</x>; rel="https://example.com/rel/next", </b>; rel="next"`}, "/b"},
		{[]string{`</p>; title="<c>, rel=next"; rel="prev", </b>; rel="next"`}, "/b"},
		{[]string{`</x>; rel="nextpage"`, `</x>; rel="prev-next"`}, ""},
		{nil, ""},
		// Unreadable, or two next pages: an error.
		{[]string{`</b; rel="next"`}, "-"},
		{[]string{`/b; rel="next"`}, "-"},
		{[]string{`</b>; rel="next`}, "-"},
		{[]string{`</a>; rel="next", </b>; rel="next"`}, "-"},
	} {
		got, ok, err := nextLink(tc.in)
		switch {
		case tc.want == "-" && err == nil:
			t.Errorf("nextLink(%q) = %q, %v; want an error", tc.in, got, ok)
		case tc.want != "-" && (err != nil || got != tc.want || ok != (tc.want != "")):
			t.Errorf("nextLink(%q) = %q, %v, %v; want %q", tc.in, got, ok, err, tc.want)
		}
	}
	// An empty target is this page again (RFC 3986 §5.2), not no link.
	if got, ok, err := nextLink([]string{`<>; rel="next"`}); got != "" || !ok || err != nil {
		t.Errorf(`nextLink("<>; rel=next") = %q, %v, %v; want "", true`, got, ok, err)
	}
}

// TestZooArtifactoryDigestsListed reads every range from Artifactory
// listing the digests of a multi-arch image's platform manifests among
// its tags ("sha256:aaaa…" beside "multi-arch:v1.0.0",
// containers/skopeo#2346, containers/image#2440), which are no tag names
// and, in its lexical order, sort after every Prefect tag: the list's
// last pages hold digests only, the last of them, without a Link, fewer
// than a page.
func TestZooArtifactoryDigestsListed(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	listed := slices.Clone(sorted)
	for i := range 1500 {
		listed = append(listed, fmt.Sprintf("sha256:%064x", i*7919))
	}
	slices.Sort(listed)
	runZoo(t, artifactory("dockerhub-remote", false, nil)(listed), "dockerhub-remote/prefecthq/prefect", sorted, true)
}

// The decision behind TestZooArtifactoryDigestsListed, without HTTP: after
// linked pages of two, a page without a Link holding one name that is no
// tag is not full, and ends the list.
func TestWholeStretchShortPageOfNoTags(t *testing.T) {
	s := &stretch{n: 2}
	for i, want := range []verdict{readMore, complete} {
		if got := s.take([]page{pg("", true, "a", "b"), {sent: "b", count: 1}}[i]); got != want {
			t.Fatalf("page %d: verdict %d, want %d (%s)", i+1, got, want, s.why)
		}
	}
	if !slices.Equal(s.tags, []string{"a", "b"}) {
		t.Errorf("tags %q", s.tags)
	}
}

// nexusNull is Sonatype Nexus 3.58 listing a JSON null among the tags,
// first (containers/skopeo#2409: "tags": [null, "1.0.0-1", …], the
// whole list asked without n; containers/image#2544 drops it), and
// otherwise paging as the Nexus model of zoo_test.go (distribution310):
// the null a name of the list's first page. How Nexus pages around it is
// not confirmed.
func nexusNull(sorted []string) http.HandlerFunc {
	list := distribution310Handler(1000, append([]string{"\x00null"}, sorted...))
	return func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		list(rec, r)
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.Replace(rec.Body.Bytes(), []byte(`"\u0000null"`), []byte("null"), 1))
	}
}

// TestZooNexusNullTag reads every range from Nexus listing a null tag.
func TestZooNexusNullTag(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	runZoo(t, nexusNull(sorted), "prefecthq/prefect", sorted, true)
}

// An empty repository's tag list is an empty list, every range of it
// empty, with no error: "tags": null (CNCF distribution 2.1.1 for a name
// it holds no tags of, distribution/distribution#1186; GitLab's container
// registry, registry/handlers/tags.go, "returns a nil slice") or "tags": []
// (Harbor, src/server/registry/util/util.go pickItems).
func TestZooEmptyRepository(t *testing.T) {
	for _, body := range []string{`{"name":"prefecthq/prefect","tags":null}`, `{"name":"prefecthq/prefect","tags":[]}`} {
		runZoo(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write([]byte(body))
		}), "prefecthq/prefect", []string{}, true)
	}
}
