package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A zoo of real registries' tag lists, each served as its source (or its
// users' reports) show it answering GET /v2/<name>/tags/list, over the
// 13,512 prefecthq/prefect tags, and read with the ranges the resolver asks
// for. The model test (model_test.go) combines idealised dimensions; these
// are the shapes it leaves out: an off-by-one answer to a last that is no
// tag, opaque tokens in last refused with 405, a Link naming another
// repository's path, an offset in last, a full last page linking an empty
// one. The property is the model's: exactly the tags inside each range, or
// an error, never another set; no error where the registry can be read.

// zooRanges are the model's ranges and the minor spans an exact version
// asks for (releaseRange in internal/resolver: "3.7.8" lists "3.7").
var zooRanges = append(slices.Clone(modelRanges),
	TagRange{After: "3.6~", Before: "3.7~", Splits: []string{"3.7.1", "3.7.2", "3.7.3", "3.7.4", "3.7.5", "3.7.6", "3.7.7", "3.7.8", "3.7.9"}},
	TagRange{After: "2.19~", Before: "2.2~"},
	TagRange{After: "3.0~", Before: "3.1~", Splits: []string{"3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.1.5", "3.1.6", "3.1.7", "3.1.8", "3.1.9"}},
)

// handlerTransport serves a Client's requests from a handler in memory:
// the ping is answered 200 (anonymous), everything else by h.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/v2/" || req.URL.Path == "/v2" {
		return serveInMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), req)
	}
	return serveInMemory(t.h, req)
}

const zooHost = "registry.zoo.test"

func zooClient(t testing.TB, h http.Handler, repo string) (*Client, Repository) {
	t.Helper()
	c, err := New(Config{Keychain: authn.NewMultiKeychain(), UserAgent: "terraform-provider-prefectimage/test"})
	if err != nil {
		t.Fatal(err)
	}
	c.base = handlerTransport{h}
	ref, err := ParseRepository(zooHost + "/" + repo)
	if err != nil {
		t.Fatal(err)
	}
	return c, ref
}

// runZoo reads every range, each on a fresh Client, then all at once on
// one Client, and checks each call against sorted.
func runZoo(t *testing.T, h http.Handler, repo string, sorted []string, readable bool) {
	t.Helper()
	calls := readRanges(func() (*Client, Repository) { return zooClient(t, h, repo) }, zooRanges)
	for _, mc := range calls {
		if msg := mc.check(sorted, readable); msg != "" {
			t.Error(msg)
		}
	}
}

// collateEnUS is PostgreSQL's comparison of text under a database created
// with the en_US.UTF-8 locale (glibc strcoll, ties broken byte-wise), as
// the GitLab registry's database setup guide, Gitea's documentation and
// the PostgreSQL image Quay's operator deploys create theirs, for the
// characters of tags: '-', '.' and '_' (and '~', which the reader's
// bounds carry) weigh nothing at the first level, letters fold case and
// follow digits; lower case comes before upper case. Checked against
// glibc 2.36's en_US.UTF-8 (sort(1)) on all 13,512 prefecthq/prefect tags,
// which it puts in another order than bytes do ("2.0.0-python3.10" before
// "2-latest"), and on the first level for random strings; ties between
// names that differ only in punctuation are broken byte-wise here, which
// glibc's fourth level does otherwise (no two Prefect tags tie).
func collateEnUS(a, b string) int {
	ka, ca := collationKeys(a)
	kb, cb := collationKeys(b)
	if c := strings.Compare(ka, kb); c != 0 {
		return c
	}
	if c := strings.Compare(ca, cb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// collationKeys are a name's first-level key (its letters, folded to lower
// case, and digits) and its case key (0 for each of those that is not an
// upper-case letter, 1 for each that is).
func collationKeys(s string) (first, cases string) {
	var k, c []byte
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= 'A' && ch <= 'Z':
			k, c = append(k, ch+'a'-'A'), append(c, '1')
		case ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z':
			k, c = append(k, ch), append(c, '0')
		}
	}
	return string(k), string(c)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// distribution300 is CNCF distribution v3.0.0 (the registry:3.0.0 image,
// and its alphas, betas and release candidates since 2023),
// registry/handlers/tags.go at v3.0.0: every tag, sorted; for last,
// sort.SearchStrings and the tags after that index, which for a last that
// is no tag skips the first tag past it; n cuts the answer and adds a Link
// (the request's path, n and last) while tags remain; no n, everything.
// (Fixed in v3.1.0, which walks the tags after last.)
func distribution300(sorted []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tags := sorted
		q := r.URL.Query()
		if last := q.Get("last"); last != "" {
			i := sort.SearchStrings(tags, last)
			if i == len(tags) {
				tags = []string{}
			} else {
				tags = tags[i+1:]
			}
		}
		if n := q.Get("n"); n != "" {
			max, err := strconv.Atoi(n)
			if err != nil || max < 0 {
				writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
				return
			}
			if max >= len(tags) {
				max = len(tags)
			} else if max > 0 {
				v := url.Values{"n": {strconv.Itoa(max)}, "last": {tags[max-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			tags = tags[:max]
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags})
	}
}

// distribution310 is CNCF distribution v3.1.0 (registry/handlers/tags.go
// and registry/storage/tagstore.go at v3.1.0): n above tags.maxtags
// (default 1000) is refused with 400 PAGINATION_NUMBER_INVALID (clamped
// from v3.1.1 on); no n, every tag past last; the tags past last in byte
// order, at most n; a page that filled n links the next even when no tag
// remains, and that next answer is "tags": null (fixed after v3.1.1).
func distribution310(sorted []string) http.HandlerFunc { return distribution310Max(1000)(sorted) }

// distribution310Max is distribution310 configured with tags.maxtags
// (REGISTRY_TAGS_MAXTAGS), which its documentation shows set to 100.
func distribution310Max(maxTags int) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc { return distribution310Handler(maxTags, sorted) }
}

func distribution310Handler(maxTags int, sorted []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit := -1
		if n := q.Get("n"); n != "" {
			v, err := strconv.Atoi(n)
			if err != nil || v > maxTags || v < 0 {
				writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
				return
			}
			limit = v
		}
		var tags []string // nil when nothing is past last: "tags": null
		last := q.Get("last")
		i, found := slices.BinarySearch(sorted, last)
		if found {
			i++
		}
		for _, tg := range sorted[i:] {
			if limit >= 0 && len(tags) == limit {
				break
			}
			tags = append(tags, tg)
		}
		if limit > 0 && len(tags) == limit {
			v := url.Values{"n": {strconv.Itoa(limit)}, "last": {tags[len(tags)-1]}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags})
	}
}

// zot is project-zot's ListTags (pkg/api/routes.go): sorted; a last that is
// no tag of the repository is answered 404 with an empty body; a Link
// (/v2/<name>/tags/list?n=&last=) while tags remain.
func zot(sorted []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := -1
		if s := q.Get("n"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			n = v
		}
		start := 0
		if last := q.Get("last"); last != "" {
			i, found := slices.BinarySearch(sorted, last)
			if !found {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			start = i + 1
		}
		if n == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": []string{}})
			return
		}
		stop := len(sorted)
		if n > 0 && start+n < len(sorted) {
			stop = start + n
			w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=%d&last=%s>; rel="next"`, n, sorted[stop-1]))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": sorted[start:stop]})
	}
}

// ecr is Amazon ECR's tag list (private and Public): tags in an order of
// its own (deitch/docker_registry2#34, aws/karpenter-provider-aws#7482:
// "18", "161", "138", …); n above 1000 refused ("Invalid parameter at
// 'maxResults' failed to satisfy constraint: 'Member must have value less
// than or equal to 1000'", google/go-containerregistry#681,
// renovatebot/renovate#3800), pages of 100 without n; the next page linked
// by an absolute URL whose last is an opaque token; a last that is no token
// it handed out refused with 405 UNSUPPORTED ("Invalid parameter at
// 'NextToken' failed to satisfy constraint: 'Invalid next token
// provided'", CodesWhat/drydock#927).
func ecr(sorted []string) http.HandlerFunc {
	order := registrytest.Shuffled(7)(slices.Clone(sorted))
	token := func(i int) string {
		return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("ukD72mdD/mC8b5xV3susmJzzaTgp+%08d", i)))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 100
		if s := q.Get("n"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v > 1000 || v < 1 {
				writeRegError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'")
				return
			}
			n = v
		}
		start := 0
		if last := q.Get("last"); last != "" {
			b, err := base64.StdEncoding.DecodeString(last)
			i, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "ukD72mdD/mC8b5xV3susmJzzaTgp+"))
			if err != nil || err2 != nil || token(i) != last || i > len(order) {
				writeRegError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "Invalid parameter at 'NextToken' failed to satisfy constraint: 'Invalid next token provided'")
				return
			}
			start = i
		}
		stop := min(start+n, len(order))
		if stop < len(order) {
			u := url.URL{Scheme: "https", Host: r.Host, Path: r.URL.Path, RawQuery: url.Values{"last": {token(stop)}}.Encode()}
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.String()))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": order[start:stop]})
	}
}

// ghcr is GitHub's container registry: tags in the order they were pushed
// (ghcr.io/opentofu/opentofu lists 1.6.0-alpha1-arm64, -amd64, -arm,
// -386), n honoured, 100 a page without it; while tags remain, a relative
// Link to the next page that carries last and n=0 (ghcr.io/astral-sh/uv,
// ublue-os/bluefin), which it answers with its own page size. zeroIsZero
// is a registry linking so that takes n=0 as the distribution spec does:
// no tags. last is taken by position; one it never listed, from the start.
func ghcr(zeroIsZero bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := registrytest.Shuffled(11)(slices.Clone(sorted))
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := 100
			if s := q.Get("n"); s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 {
					writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid n")
					return
				}
				if v > 0 || zeroIsZero {
					n = min(v, 10000)
				}
			}
			start := 0
			if i := slices.Index(order, q.Get("last")); i >= 0 {
				start = i + 1
			}
			stop := min(start+n, len(order))
			if stop < len(order) && stop > start {
				v := url.Values{"last": {order[stop-1]}, "n": {"0"}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": order[start:stop]})
		}
	}
}

// nexus is a Sonatype Nexus Docker proxy repository reached on its own
// Docker connector port (sonatype/nexus-public#1011, 2026): lexical, n and
// last honoured, and the next page linked by an absolute URL under the
// main port's path, /repository/<name>/v2/..., which the connector
// answers 400.
func nexus(sorted []string) http.HandlerFunc {
	list := distribution310Handler(1000, sorted)
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/repository/") {
			writeRegError(w, http.StatusBadRequest, "UNSUPPORTED", "this port serves /v2/ only")
			return
		}
		rec := httptest.NewRecorder()
		list(rec, r)
		if link := rec.Header().Get("Link"); link != "" {
			target := strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			w.Header().Set("Link", "<https://"+r.Host+"/repository/docker-proxy-docker-hub"+target+`>; rel="next"`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// TestZooRealRegistries reads every range from each registry above, on the
// 13,512 prefecthq/prefect tags.
func TestZooRealRegistries(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	fullPages := sorted[:13000] // a multiple of 1000: the last page is full
	for _, tc := range []struct {
		name   string
		sorted []string
		h      func([]string) http.HandlerFunc
	}{
		{"distribution-3.0.0", sorted, distribution300},
		{"distribution-3.1.0", sorted, distribution310},
		{"distribution-3.1.0-full-last-page", fullPages, distribution310},
		{"distribution-3.1.0-maxtags-100", sorted, distribution310Max(100)},
		{"zot", sorted, zot},
		{"ecr", sorted, ecr},
		{"ghcr", sorted, ghcr(false)},
		{"nexus-docker-connector", sorted, nexus},
		{"ghcr-linking-n0-answered-empty", sorted, ghcr(true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, tc.h(tc.sorted), "prefecthq/prefect", tc.sorted, true)
		})
	}
}

// artifactory is a JFrog Artifactory Docker repository reached by the
// repository path method (<host>/<repo-key>/<image>): tags in lexical
// order, n honoured, last taken as an offset into the list (the Link of a
// page of n=10000 carries last=10000, renovatebot/renovate#15030, #15080;
// "Both parameters refer to an integer", JFrog's List Docker Repositories),
// a last that is no integer refused with 400; and the Link leaves the
// repository key out of its path (RTFACT-18971, renovatebot/renovate#20745
// and #35917: </v2/renovate/renovate/tags/list?last=10000&n=10000> for
// /v2/docker/renovate/renovate/tags/list), or, in renovate's test, /v2/
// too. The path the Link names answers as the host would: another
// repository (other, "NAME_UNKNOWN" when nil) under a key named after the
// image's namespace.
func artifactory(key string, noV2 bool, other []string) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			tags := sorted
			if r.URL.Path != "/v2/"+key+"/prefecthq/prefect/tags/list" {
				if other == nil {
					writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
					return
				}
				tags = other
			}
			q := r.URL.Query()
			n := len(tags)
			if s := q.Get("n"); s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 {
					writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "n is not an integer")
					return
				}
				n = v
			}
			start := 0
			if s := q.Get("last"); s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 {
					writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "last is not an integer")
					return
				}
				start = min(v, len(tags))
			}
			stop := min(start+n, len(tags))
			if stop < len(tags) {
				path := "/v2/prefecthq/prefect/tags/list"
				if noV2 {
					path = "/prefecthq/prefect/tags/list"
				}
				w.Header().Set("Link", fmt.Sprintf(`<%s?last=%d&n=%d>; rel="next"`, path, stop, n))
			}
			w.Header().Set("X-JFrog-Version", "Artifactory/7.46.11 74611900")
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags[start:stop]})
		}
	}
}

// TestZooArtifactoryRepositoryPath reads every range from Artifactory
// reached by the repository path method, whose Link names a path without
// the repository key: the Link's query, on the repository's own path.
func TestZooArtifactoryRepositoryPath(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	// Another repository, under a key named "prefecthq": its 1,500 tags
	// end on the page the stray Link asks for.
	other := slices.Sorted(slices.Values(tagcatalog.PrefectClient()))[:1500]
	for _, tc := range []struct {
		name  string
		noV2  bool
		other []string
	}{
		{"link-without-key", false, nil},
		{"link-without-key-or-v2", true, nil},
		{"link-to-another-repository", false, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, artifactory("dockerhub-remote", tc.noV2, tc.other)(sorted), "dockerhub-remote/prefecthq/prefect", sorted, true)
		})
	}
}

// GHCR's Links ask for n=0, its own page size of 100: followed as they are,
// a list of 13,512 tags took 1 page of 1000 and 126 of 100, one round trip
// each. Asked with the first page's n, it takes 14.
func TestZooGHCRPagesAsAsked(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var pages atomic.Int32
	serve := ghcr(false)(sorted)
	c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		serve(w, r)
	}), "prefecthq/prefect")
	got, err := c.ListTags(context.Background(), ref)
	if err != nil || !slices.Equal(got, sorted) {
		t.Fatalf("%d tags, want %d (%v)", len(got), len(sorted), err)
	}
	if want := (len(sorted) + c.pageSize - 1) / c.pageSize; int(pages.Load()) != want {
		t.Errorf("%d tag list pages, want %d", pages.Load(), want)
	}
}
