package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// bodyShaped51 is a lexical registry (pages of at most 1,000, n honoured
// below that, a Link naming the page's last tag while tags remain) whose
// page bodies body writes: first says the page was asked without last.
func bodyShaped51(sorted []string, body func(first bool, tags []string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 1000
		if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v < n {
			n = v
		}
		i, _ := slices.BinarySearch(sorted, q.Get("last"))
		if i < len(sorted) && sorted[i] == q.Get("last") {
			i++
		}
		j := min(i+n, len(sorted))
		if j < len(sorted) && j > i {
			v := url.Values{"n": {strconv.Itoa(n)}, "last": {sorted[j-1]}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body(!q.Has("last"), sorted[i:j])))
	}
}

// A tag list body holding "tags" and, after it, a member of the same name
// in another case ("TAGS": [], "Tags": null): Go's encoding/json matches
// struct fields without case, the last member counting, so each such page
// read as holding no tags, and a list whose pages after the first carry
// one read as its first 1,000 of 13,512 tags, no error (a range on it as
// none). JSON names are case-sensitive: the body's "tags" is its list. A
// body naming its list "Tags" alone is still read; one naming two lists
// in other cases and none "tags" is an error.
func TestRedteam51TagsMemberInAnotherCase(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, tc := range []struct {
		name     string
		body     func(first bool, tags []string) string
		readable bool
	}{
		{"TAGS-empty-after-tags", func(first bool, t []string) string {
			if first {
				return js(map[string]any{"name": "prefecthq/prefect", "tags": t})
			}
			return `{"name":"prefecthq/prefect","tags":` + js(t) + `,"TAGS":[]}`
		}, true},
		{"Tags-null-after-tags", func(first bool, t []string) string {
			if first {
				return js(map[string]any{"name": "prefecthq/prefect", "tags": t})
			}
			return `{"tags":` + js(t) + `,"Tags":null}`
		}, true},
		{"Tags-alone", func(_ bool, t []string) string { return `{"Name":"prefecthq/prefect","Tags":` + js(t) + `}` }, true},
		{"Tags-and-TAGS", func(_ bool, t []string) string { return `{"Tags":` + js(t) + `,"TAGS":[]}` }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, bodyShaped51(sorted, tc.body), "prefecthq/prefect", sorted, tc.readable)
		})
	}
}

// tagsField reads the member named "tags" exactly; another case only when
// no member is so named, and only one.
func TestRedteam51TagsField(t *testing.T) {
	for body, want := range map[string]string{
		`{"tags":["a"],"TAGS":[]}`:          `["a"]`,
		`{"TAGS":[],"tags":["a"]}`:          `["a"]`,
		`{"tags":["a"],"tags":["b"]}`:       `["b"]`, // repeated: the last, as Go reads it
		`{"Tags":["a"]}`:                    `["a"]`,
		`{"tags":null}`:                     `null`,
		`{"name":"x"}`:                      ``,
		`null`:                              ``,
		`{"Tags":["a"],"TAGS":["b"]}`:       `error`,
		`["a"]`:                             `error`,
		`{"tags":["a"],"Tags":["b"],"x":1}`: `["a"]`,
		`{"\u0074ags":["a"],"TAGS":[]}`:     `["a"]`, // an escaped name is the name
		`{"tagſ":["a"]}`:                    `["a"]`, // ſ folds to s, as Go matches
		`{"tags":["TAGS","x"]}`:             `["TAGS","x"]`,
		`{"Tags":["a"],"Tags":["b"]}`:       `["b"]`,
	} {
		raw, err := tagsField([]byte(body))
		got := string(raw)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%s: got %s (%v), want %s", body, got, err, want)
		}
	}
}

// distributionS3 is CNCF distribution v3.1.2 (registry/handlers/tags.go,
// registry/storage/tagstore.go) over its s3-aws storage driver, which
// walks <repository>/_manifests/tags with ListObjectsV2, StartAfter the
// path of last: tags come in the order of their keys, "<tag>/current/link"
// ('-' and '.' sort below '/': "2-latest-kubernetes/…" before
// "2-latest/…"), each sent when it sorts after last as bytes (lessPath).
// Following its own Links skips tags ("2-latest" after
// "2-latest-kubernetes"), as distribution/distribution#4903 reports of
// its catalog; without n it sends every tag. n is clamped to maxtags
// (1000); a page that filled n links the next.
func distributionS3(sorted []string) http.HandlerFunc {
	keys := keyOrder54r(sorted)
	return func(w http.ResponseWriter, r *http.Request) {
		if manifestOfS3(w, r, sorted) {
			return
		}
		q := r.URL.Query()
		limit := -1
		if n := q.Get("n"); n != "" {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
				return
			}
			limit = min(v, 1000)
		}
		tags, filled := s3Paged54r(keys, limit, q.Get("last"))
		if tags == nil {
			tags = []string{}
		}
		if filled {
			v := url.Values{"n": {strconv.Itoa(limit)}, "last": {tags[len(tags)-1]}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags})
	}
}

// manifestOfS3 answers a manifest request of the S3 doubles: 404 for a tag
// not in sorted, as distribution does (keyAfterEnd asks), else an index's
// headers. It reports whether r was one.
func manifestOfS3(w http.ResponseWriter, r *http.Request, sorted []string) bool {
	tag, ok := strings.CutPrefix(r.URL.Path, "/v2/prefecthq/prefect/manifests/")
	if !ok {
		return false
	}
	if _, found := slices.BinarySearch(sorted, tag); !found {
		writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return true
	}
	w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
	w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("5", 64))
	return true
}

// Distribution v3.1 on S3 lists tags in the order of their storage keys
// with last a byte-order bound, so that its pages skip tags; without n it
// sends every tag in key order, which the reader asks for once paging
// cannot read the list whole (wholeAtOnce): every range is its exact tags.
// It failed before (Registry Tag List Cannot Be Read Whole). The real
// registry: TestRealV3OnS3ReadsEveryTag.
func TestRedteam51DistributionOnS3(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	runZoo(t, distributionS3(sorted), "prefecthq/prefect", sorted, true)
}

// A registry behind a load balancer whose replicas are not all current (a
// replica of its metadata database behind the primary): the Client read
// the whole list (ListTags, a releases data source) from a current one,
// 13,512 tags with the fifteen 3.8.4.dev6 images, and the range of
// ~> 3.8.0 alone, its page after last=3.7~ answered later by a replica
// without them. The range read 360 of its 375 tags, no error, though the
// same Client had read them in the listing's answers before (and
// ListTags returned them): two pins of one plan saw two lists. A range
// read alone that lacks a tag an answer of the listing held inside it is
// read from the whole list, which holds it.
func TestRedteam51RangeLacksATagAnotherAnswerHeld(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	stale := slices.DeleteFunc(slices.Clone(sorted), func(tg string) bool { return strings.HasPrefix(tg, "3.8.4.dev6") })
	body := func(_ bool, tags []string) string {
		b, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": tags})
		return string(b)
	}
	current, behind := bodyShaped51(sorted, body), bodyShaped51(stale, body)
	asked, answered := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("last") == "3.7~" {
			once.Do(func() { close(asked) })
			<-answered // once the whole list was read
			behind(w, r)
			return
		}
		current(w, r)
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	r := TagRange{After: "3.7~", Before: "3.8~", Splits: digitSplits("3.8.")}
	type result struct {
		tags []string
		err  error
	}
	done := make(chan result)
	go func() {
		tags, err := c.ListTagRange(context.Background(), ref, r)
		done <- result{tags, err}
	}()
	<-asked // the range is being read alone
	all, err := c.ListTags(context.Background(), ref)
	close(answered)
	got := <-done
	if err != nil || !slices.Equal(all, sorted) {
		t.Fatalf("ListTags: %d of %d tags, %v", len(all), len(sorted), err)
	}
	if want := r.filter(sorted); got.err == nil && !slices.Equal(got.tags, want) {
		t.Errorf("WRONG SET: the range read %d of its %d tags, no error; missing %q, which the whole list the same Client read holds", len(got.tags), len(want), head(setDiff(want, got.tags)))
	}
	// Asked again, it is served as the whole list holds it.
	if again, err := c.ListTagRange(context.Background(), ref, r); err == nil && !slices.Equal(again, r.filter(sorted)) {
		t.Errorf("asked again: %d tags, want %d", len(again), len(r.filter(sorted)))
	}
}

// A tag deleted while a plan runs (a retention policy: ECR's lifecycle
// rules, Harbor's retention): a range's page held the 3.8.4.dev6 images
// past its bound, then they were deleted, and a range holding them read
// without them. Two reads disagree, which a replica behind the others
// explains as well, so the listing fails rather than guess, its error
// naming both causes (it named a tag pushed, and paging that skips tags);
// a range far from them is read exactly or fails alike, never short.
func TestRedteam51DeletedTagMidRunFailsSayingSo(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	body := func(_ bool, tags []string) string {
		b, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": tags})
		return string(b)
	}
	deleted := slices.DeleteFunc(slices.Clone(sorted), func(tg string) bool { return strings.HasPrefix(tg, "3.8.4.dev6") })
	var mu sync.Mutex
	serve := bodyShaped51(sorted, body)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := serve
		mu.Unlock()
		s(w, r)
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	ctx := context.Background()
	before := TagRange{After: "3.7~", Before: "3.8.4.dev6-python3.10"}
	if _, err := c.ListTagRange(ctx, ref, before); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	serve = bodyShaped51(deleted, body)
	mu.Unlock()
	holding := TagRange{After: "3.8.4.dev5~", Before: "3.8~"}
	if got, err := c.ListTagRange(ctx, ref, holding); err == nil {
		t.Errorf("the range holding the deleted tags read %d tags and no error, though an answer before held them: deleted, or a replica behind, cannot be told", len(got))
	} else if !strings.Contains(err.Error(), "deleted") || !strings.Contains(err.Error(), "replicas") {
		t.Errorf("the error does not say the tag may have been deleted, or the replicas disagree: %v", err)
	}
	far := TagRange{After: "3.1~", Before: "3.2~"}
	if got, err := c.ListTagRange(ctx, ref, far); err == nil && !slices.Equal(got, far.filter(sorted)) {
		t.Errorf("WRONG SET: a range far from the deleted tags read %d of %d tags, no error", len(got), len(far.filter(sorted)))
	}
}

// A hostile page of a million members beside "tags" ({"tags":["a"],"0":0,
// "1":0,…}): read member by member into a map, each page of the listing's
// 64 MiB took 15 times its bytes; a body naming no member "tags" otherwise
// is read as a struct, the other members skipped unkept.
func TestRedteam51TagsFieldSkipsOtherMembers(t *testing.T) {
	var body strings.Builder
	body.WriteString(`{"tags":["a"]`)
	for i := 0; body.Len() < 1<<20; i++ {
		body.WriteString(`,"` + strconv.Itoa(i) + `":0`)
	}
	body.WriteString(`}`)
	b := []byte(body.String())
	allocs := testing.AllocsPerRun(3, func() {
		if raw, err := tagsField(b); err != nil || string(raw) != `["a"]` {
			t.Fatalf("got %s, %v", raw, err)
		}
	})
	if allocs > 100 {
		t.Errorf("%.0f allocations to read a 1 MiB body's tags, want at most 100: its other members are kept", allocs)
	}
}
