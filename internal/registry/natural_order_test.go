package registry_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// naturalCmp compares as a "natural" (numeric-aware) sort does: the names
// cut into runs of digits and runs of other bytes, compared run by run,
// runs of digits as numbers (3.4.9 before 3.4.10), others byte by byte.
func naturalCmp(a, b string) int {
	for a != "" && b != "" {
		ra, rb := leadingRun(a), leadingRun(b)
		c := strings.Compare(ra, rb)
		if isDigit(ra[0]) && isDigit(rb[0]) {
			na, _ := strconv.ParseUint(ra, 10, 64)
			nb, _ := strconv.ParseUint(rb, 10, 64)
			c = cmp.Or(cmp.Compare(na, nb), c)
		}
		if c != 0 {
			return c
		}
		a, b = a[len(ra):], b[len(rb):]
	}
	return cmp.Compare(len(a), len(b))
}

func naturalLess(a, b string) bool { return naturalCmp(a, b) < 0 }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingRun is the run of digits, or of other bytes, s starts with.
func leadingRun(s string) string {
	i := 1
	for i < len(s) && isDigit(s[i]) == isDigit(s[0]) {
		i++
	}
	return s[:i]
}

// orderedDouble is a registry double of its own: it lists a repository's
// tags in the order less gives, takes last as a bound in that order (the
// tags after it, whether or not it is a tag), caps n at maxN, and links
// each page but the last by last. Manifests by tag answer with a small
// OCI index whose digest is derived from the tag.
type orderedDouble struct {
	name string
	tags []string // in the double's order
	maxN int
	less func(a, b string) bool
}

func manifestOf(tag string) ([]byte, string) {
	body := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"tag":%q}}`, tag))
	sum := sha256.Sum256(body)
	return body, "sha256:" + hex.EncodeToString(sum[:])
}

func (d *orderedDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v2/":
		w.WriteHeader(http.StatusOK)
	case r.URL.Path == "/v2/"+d.name+"/tags/list":
		d.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/v2/"+d.name+"/manifests/"):
		tag := strings.TrimPrefix(r.URL.Path, "/v2/"+d.name+"/manifests/")
		if !slices.Contains(d.tags, tag) {
			http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`, http.StatusNotFound)
			return
		}
		body, digest := manifestOf(tag)
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Header().Set("Docker-Content-Digest", digest)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	default:
		http.NotFound(w, r)
	}
}

func (d *orderedDouble) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rest := d.tags
	if last := q.Get("last"); last != "" {
		i := slices.IndexFunc(d.tags, func(t string) bool { return d.less(last, t) })
		if i < 0 {
			i = len(d.tags)
		}
		rest = d.tags[i:]
	}
	n := d.maxN
	if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v < n {
		n = v
	}
	page := rest[:min(n, len(rest))]
	if len(page) < len(rest) {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {page[len(page)-1]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?%s>; rel="next"`, d.name, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": d.name, "tags": page})
}

type wantedSelector struct {
	versions, python, flavor string
	pre                      bool
}

// fleetLike are selectors as a fleet writes them, and the ones that picked
// old releases on a registry out of lexical order (issue 9).
var fleetLike = []wantedSelector{
	{"", "", "", false},
	{"~> 3.8.0", "3.12", "", false},
	{"~> 2.20", "3.11", "kubernetes", false},
	{">= 3.4, < 3.5", "", "", false},
	{">= 3.4, < 3.5", "3.12", "", false},
	{"~> 3.4.0", "3.12", "conda", false},
	{"~> 3.1.0", "", "", false},
	{"==3.1.*", "3.12", "", false},
	{"~> 2.19.0", "3.10", "", false},
	{"==2.*", "", "", false},
}

func selectorOf(t *testing.T, s wantedSelector) prefecttag.Selector {
	t.Helper()
	sel, err := prefecttag.ParseSelector(s.versions, s.python, s.flavor, s.pre)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// picksAsTheWholeCatalog resolves each selector against the double, each
// with a client and resolver of its own, and compares the pin with what
// selection over every tag picks. Where orFails is not "", an error naming
// the registry and holding orFails passes too.
func picksAsTheWholeCatalog(t *testing.T, host, name string, tags []string, sels []wantedSelector, orFails string) {
	t.Helper()
	whole := prefecttag.NewCatalog(tags)
	for _, s := range sels {
		sel := selectorOf(t, s)
		want := "ERR"
		if tg, err := whole.Select(sel); err == nil {
			want = tg.Name
		}
		c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: registry.UseDefaultRetries})
		if err != nil {
			t.Fatal(err)
		}
		pin, err := resolver.New(c).Resolve(context.Background(), resolver.Request{Repository: host + "/" + name, Selector: sel})
		got := pin.Tag
		if err != nil {
			if orFails != "" && strings.Contains(err.Error(), orFails) && strings.Contains(err.Error(), host) {
				continue
			}
			got = "ERR"
		}
		if got != want {
			t.Errorf("%+v: picked %q (err %v), selection over the whole catalog %q", s, pin.Tag, err, want)
			continue
		}
		if err == nil {
			if _, digest := manifestOf(want); pin.Digest != digest {
				t.Errorf("%+v: digest %s, the tag's is %s", s, pin.Digest, digest)
			}
		}
	}
}

// A registry that sorts its tags naturally (3.10 after 3.9), as a person
// would, and takes last as a bound in that order: its pages look lexical
// wherever no run of digits grows longer, and it answers a last that is no
// tag as a lexical registry would, so the checks of lexical order pass on
// a mirror of one Python's images with pages of 100 or fewer. Every pin of
// the fleet, and of selectors of the minors past the catalog's (three
// digits, as the other differential tests hold), is what selection over
// every tag picks.
func TestNaturalOrderRegistryPicksAsTheWholeCatalog(t *testing.T) {
	mirror := func(py string) []string {
		return slices.DeleteFunc(tagcatalog.Prefect(), func(t string) bool { return !strings.Contains(t, "-"+py) })
	}
	threeDigits := []string{"2.150.0-python3.12", "2.105.1-python3.12-conda", "3.100.0-python3.12"}
	cases := []struct {
		name string
		tags []string
		maxN int
	}{
		{"prefect", tagcatalog.Prefect(), 100},
		{"prefect-client", tagcatalog.PrefectClient(), 100},
		{"python3.12-mirror", mirror("python3.12"), 10},
		{"python3.12-mirror", mirror("python3.12"), 100},
		{"python3.12-mirror-three-digit-minors", append(mirror("python3.12"), threeDigits...), 100},
	}
	sels := append(slices.Clone(fleetLike),
		wantedSelector{"~> 2.20", "", "", false}, wantedSelector{"~> 2.20", "3.12", "conda", false},
		wantedSelector{">= 2.20, < 3", "3.12", "", false}, wantedSelector{"~> 3.10", "", "", false})
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/n%d", tc.name, tc.maxN), func(t *testing.T) {
			order := slices.SortedFunc(slices.Values(tc.tags), naturalCmp)
			d := &orderedDouble{name: "prefecthq/prefect", tags: order, maxN: tc.maxN, less: naturalLess}
			srv := httptest.NewServer(d)
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "http://")
			picksAsTheWholeCatalog(t, host, d.name, tc.tags, sels, "")
			rangesAsTheWholeCatalog(t, host, d.name, tc.tags)
		})
	}
}

// Ranges whose bounds cut a run of digits (3.4.1 to 3.4.2 holds 3.4.10 to
// 3.4.19 in byte order, which a natural order lists after 3.4.9), and a
// range cut into pieces there, read as the whole catalog filtered.
func rangesAsTheWholeCatalog(t *testing.T, host, name string, tags []string) {
	t.Helper()
	repo, err := registry.ParseRepository(host + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []registry.TagRange{
		{After: "3.4.1", Before: "3.4.2"},
		{After: "2.1", Before: "2.2"},
		{After: "3.1.", Before: "3.1/", Splits: []string{"3.1.1", "3.1.2", "3.1.5"}},
		{After: "2.", Before: "2/", Splits: []string{"2.1", "2.2", "2.9"}},
	} {
		c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: registry.UseDefaultRetries})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.ListTagRange(context.Background(), repo, r)
		want := slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return t <= r.After || t >= r.Before })))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("range %+v: %d tags (err %v), the catalog holds %d", r, len(got), err, len(want))
		}
	}
}
