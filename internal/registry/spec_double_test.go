package registry_test

import (
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
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// specDouble is a registry double written from the distribution spec and
// SPEC.md alone, not from registrytest's shapes: one repository, its tag
// list paged as the fields say, a manifest per tag, and optional bearer
// auth with token services of its own.
type specDouble struct {
	mu   sync.Mutex
	host string // set by serveSpecDouble
	repo string
	tags []string // in the registry's own order

	pageSize int  // when n is not sent; 0: the whole list
	maxN     int  // n capped to this; 0: no cap
	offsets  bool // Links carry an offset cursor (next_page=); last is ignored
	// positional: last is a position in the registry's order (a last that
	// is no tag answers from the start); else a lexical bound.
	positional bool
	// onList runs before the i-th tag list request (from 1) is answered.
	onList func(o *specDouble, i int)

	// realm, when set, is the token service each 401 names (it may change
	// mid-plan); every request but a token request then needs a token
	// from the token service realm names now. A token service no longer
	// named issues tokens still, or answers 401 when retire is set.
	realm  func(o *specDouble) string
	retire bool

	lists, tokenRequests, issued int
}

func (o *specDouble) digest(tag string) string {
	s := sha256.Sum256(o.manifest(tag))
	return "sha256:" + hex.EncodeToString(s[:])
}

func (o *specDouble) manifest(tag string) []byte {
	s := sha256.Sum256([]byte(tag))
	return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}`, hex.EncodeToString(s[:])))
}

func (o *specDouble) realmPath() string {
	u, _ := url.Parse(o.realm(o))
	return u.Path
}

func (o *specDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.realm != nil && strings.HasPrefix(r.URL.Path, "/token") {
		o.tokenRequests++
		if o.retire && r.URL.Path != o.realmPath() {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"details":"this token service is retired"}`)
			return
		}
		o.issued++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"%d@%s","expires_in":300}`, o.issued, r.URL.Path)
		return
	}
	if o.realm != nil && !strings.HasSuffix(r.Header.Get("Authorization"), "@"+o.realmPath()) {
		h := fmt.Sprintf(`Bearer realm=%q,service="spec-double",scope="repository:%s:pull"`, o.realm(o), o.repo)
		if r.Header.Get("Authorization") != "" {
			h += `,error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", h)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	prefix := "/v2/" + o.repo
	switch {
	case r.URL.Path == "/v2/":
		w.WriteHeader(http.StatusOK)
	case r.URL.Path == prefix+"/tags/list":
		o.lists++
		if o.onList != nil {
			o.onList(o, o.lists)
		}
		o.page(w, r)
	case strings.HasPrefix(r.URL.Path, prefix+"/manifests/"):
		ref := strings.TrimPrefix(r.URL.Path, prefix+"/manifests/")
		i := slices.IndexFunc(o.tags, func(t string) bool { return t == ref || o.digest(t) == ref })
		if i < 0 {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
			return
		}
		b := o.manifest(o.tags[i])
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", o.digest(o.tags[i]))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`)
	}
}

// page answers a tag list request: from last (or the next_page cursor),
// n tags (or pageSize, capped at maxN), with a Link while more follow.
func (o *specDouble) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := o.pageSize
	if s := q.Get("n"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if o.maxN > 0 && (n > o.maxN || n <= 0) {
		n = o.maxN
	}
	start := 0
	if c := q.Get("next_page"); c != "" {
		start, _ = strconv.Atoi(c)
	} else if last := q.Get("last"); last != "" && !o.offsets {
		if o.positional {
			start = slices.Index(o.tags, last) + 1
		} else {
			start = len(o.tags)
			if i := slices.IndexFunc(o.tags, func(t string) bool { return t > last }); i >= 0 {
				start = i
			}
		}
	}
	start = min(start, len(o.tags))
	end := len(o.tags)
	if n > 0 {
		end = min(end, start+n)
	}
	tags := o.tags[start:end]
	if end < len(o.tags) && len(tags) > 0 {
		target := fmt.Sprintf("/v2/%s/tags/list?n=%d&last=%s", o.repo, n, url.QueryEscape(tags[len(tags)-1]))
		if o.offsets {
			target = fmt.Sprintf("/v2/%s/tags/list?n=%d&next_page=%d", o.repo, n, end)
		}
		w.Header().Set("Link", "<"+target+`>; rel="next"`)
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"name": o.repo, "tags": tags})
	w.Write(b)
}

func serveSpecDouble(t *testing.T, o *specDouble) string {
	t.Helper()
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	o.host = strings.TrimPrefix(srv.URL, "http://")
	return o.host
}

// specDoubleSelectors are fleet selectors and those that once picked old
// releases on registries out of lexical order.
var specDoubleSelectors = []struct{ versions, python, flavor string }{
	{"~> 3.8.0", "3.12", ""}, {"~> 3.8.0", "3.10", "conda"}, {"~> 2.20", "3.11", "kubernetes"},
	{">= 3.4, < 3.5", "", ""}, {"3.7.8", "3.12", ""}, {"", "", ""}, {"~> 3.1.0", "3.11", "conda"},
	{"==2.*", "3.9", ""}, {"~> 3", "", "kubernetes"},
}

// specDoublePicks resolves every selector of specDoubleSelectors at once
// with one resolver (as one plan does) on o, and checks that each pin is
// what selection over one of catalogs picks, with o's digest for its tag,
// or an error where that selection picks nothing.
func specDoublePicks(t *testing.T, o *specDouble, catalogs ...[]string) {
	t.Helper()
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	res := resolver.New(c)
	parsed := make([]*prefecttag.Catalog, len(catalogs))
	for i, cat := range catalogs {
		parsed[i] = prefecttag.NewCatalog(cat)
	}
	var wg sync.WaitGroup
	for _, s := range specDoubleSelectors {
		wg.Go(func() {
			vc, err := prefecttag.ParseConstraint(s.versions)
			if err != nil {
				t.Error(err)
				return
			}
			pc, err := prefecttag.ParsePythonConstraint(s.python)
			if err != nil {
				t.Error(err)
				return
			}
			sel := prefecttag.Selector{Versions: vc, Python: pc, Flavor: prefecttag.Flavor(s.flavor)}
			var want []string
			for _, cat := range parsed {
				if tg, err := cat.Select(sel); err == nil {
					want = append(want, tg.Name)
				}
			}
			pin, err := res.Resolve(context.Background(), resolver.Request{Repository: o.host + "/" + o.repo, Selector: sel})
			switch {
			case err != nil && len(want) == 0: // nothing to pick: a no-match error
			case err != nil:
				t.Errorf("%+v: %v; selection over the catalog picks %q", s, err, want)
			case !slices.Contains(want, pin.Tag):
				t.Errorf("%+v: picked %q; selection over the catalog picks %q", s, pin.Tag, want)
			case pin.Digest != o.digest(pin.Tag):
				t.Errorf("%+v: %s has digest %s, want %s", s, pin.Tag, pin.Digest, o.digest(pin.Tag))
			}
		})
	}
	wg.Wait()
}

// pushOrder is tags in release order, as an image workflow pushes them:
// by version, numbers as numbers, each release's tags together.
func pushOrder(tags []string) []string {
	key := func(s string) string {
		parts := strings.Split(strings.SplitN(s, "-", 2)[0], ".")
		for i, p := range parts {
			parts[i] = fmt.Sprintf("%08s", p)
		}
		return strings.Join(parts, ".") + "|" + s
	}
	out := slices.Clone(tags)
	slices.SortStableFunc(out, func(a, b string) int { return strings.Compare(key(a), key(b)) })
	return out
}
