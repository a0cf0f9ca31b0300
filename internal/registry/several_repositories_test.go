package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// hostRepo is one repository of a hostDouble: its tags in the registry's
// own order and how its tag list answers.
type hostRepo struct {
	tags []string
	// positional: last is a position in the registry's order, a last
	// that is no tag answered from the start (GHCR, ECR); else last is a
	// lexical bound over tags kept sorted.
	positional bool
	endless    bool          // every page links a fresh page of a fresh tag
	huge       []string      // when set, every page is these names (MiBs of them), linking a fresh page
	slow       time.Duration // each tag list page answered after this long
	rateLimit  bool          // every request answered 429, Retry-After: 0
	// held, when set, holds every tag list request until it is closed
	// (or the request given up).
	held  <-chan struct{}
	lists atomic.Int64
}

// hostDouble is a registry written from the distribution spec and SPEC.md
// alone: several repositories on one host, each paged as its hostRepo
// says (pages of at most 100, Link with n and last), a manifest per tag.
type hostDouble struct {
	mu    sync.Mutex
	repos map[string]*hostRepo
	seq   atomic.Int64
}

func hostDoubleManifest(repo, tag string) []byte {
	s := sha256.Sum256([]byte(repo + ":" + tag))
	return fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}`, hex.EncodeToString(s[:]))
}

func hostDoubleDigest(repo, tag string) string {
	s := sha256.Sum256(hostDoubleManifest(repo, tag))
	return "sha256:" + hex.EncodeToString(s[:])
}

func (d *hostDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		w.WriteHeader(http.StatusOK)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v2/")
	var name, rest string
	if i := strings.Index(path, "/tags/list"); i > 0 && path[i:] == "/tags/list" {
		name, rest = path[:i], "tags"
	} else if i := strings.Index(path, "/manifests/"); i > 0 {
		name, rest = path[:i], path[i+len("/manifests/"):]
	}
	d.mu.Lock()
	repo := d.repos[name]
	d.mu.Unlock()
	if repo == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`)
		return
	}
	if repo.rateLimit {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`)
		return
	}
	if rest == "tags" {
		repo.lists.Add(1)
		if repo.held != nil {
			select {
			case <-repo.held:
			case <-r.Context().Done():
				return
			}
		}
		if repo.slow > 0 {
			select {
			case <-time.After(repo.slow):
			case <-r.Context().Done():
				return
			}
		}
		d.serveTags(w, r, name, repo)
		return
	}
	if !slices.Contains(repo.tags, rest) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		return
	}
	b := hostDoubleManifest(name, rest)
	w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	w.Header().Set("Docker-Content-Digest", hostDoubleDigest(name, rest))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

func (d *hostDouble) serveTags(w http.ResponseWriter, r *http.Request, name string, repo *hostRepo) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	if n <= 0 || n > 100 {
		n = 100
	}
	last := q.Get("last")
	var page []string
	more := false
	switch {
	case repo.huge != nil:
		page = repo.huge
		more = true
		last = fmt.Sprint(d.seq.Add(1)) // a fresh cursor: the Link below names the page's last name
	case repo.endless:
		page = []string{fmt.Sprintf("3.%d.%06d", d.seq.Load()%10, d.seq.Add(1))}
		more = true
	default:
		start := 0
		if last != "" {
			if repo.positional {
				if i := slices.Index(repo.tags, last); i >= 0 {
					start = i + 1
				}
			} else {
				start, _ = slices.BinarySearch(repo.tags, last)
				if start < len(repo.tags) && repo.tags[start] == last {
					start++
				}
			}
		}
		end := min(start+n, len(repo.tags))
		page = repo.tags[start:end]
		more = end < len(repo.tags)
	}
	if more && repo.huge != nil {
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&cursor=%s>; rel="next"`, name, n, last))
	} else if more {
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&last=%s>; rel="next"`, name, n, url.QueryEscape(page[len(page)-1])))
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"name": name, "tags": page})
	w.Write(b)
}

func serveHostDouble(t *testing.T, repos map[string]*hostRepo) (*hostDouble, string) {
	t.Helper()
	d := &hostDouble{repos: repos}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, strings.TrimPrefix(srv.URL, "http://")
}

// severalSelectors are fleet selectors, each meeting both catalogs but the
// last (prefect-client publishes no conda image).
var severalSelectors = []struct{ versions, python, flavor string }{
	{"~> 3.8.0", "3.12", "standard"},
	{"~> 2.20", "3.11", "standard"},
	{">= 3.4, < 3.5", "3.12", "standard"},
	{"~> 3.1.0", "3.11", "standard"},
	{"==3.2.*", "3.10", "standard"},
	{"~> 3.8.0", "3.10", "conda"},
}

func severalSelector(t *testing.T, versions, python, flavor string) prefecttag.Selector {
	t.Helper()
	vc, err := prefecttag.ParseConstraint(versions)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := prefecttag.ParsePythonConstraint(python)
	if err != nil {
		t.Fatal(err)
	}
	return prefecttag.Selector{Versions: vc, Python: pc, Flavor: prefecttag.Flavor(flavor)}
}

// One plan pinning several repositories of three registries at once,
// some of them hostile (an endless tag list, endless pages of 4 MiB, a
// slow endless list, a 429 storm), sound ones also written another way
// (localhost for 127.0.0.1, the host in upper case), two differing by a
// trailing path segment: every pin of a sound repository is what
// selection over its own catalog picks, with its own digest; each hostile
// repository fails on its own bound (2,500 pages, 64 MiB, the listing
// timeout), naming itself; no listing, bound or cache of one repository
// answers for another.
//
// The hostile repositories' tag lists are answered once every sound pin
// has resolved (soundDone): their listings begin with the others, on the
// same Client, and run to their bounds after. Read beside them, under
// -race on a loaded machine, a sound repository listed by position (136
// pages of 100) was not read within the listing timeout, which bounds
// the slow list: 105 pages in 20 s, beside the endless lists' thousands
// of pages and 64 MiB of JSON, and its pins failed on the timeout, as
// they must on a machine that slow. What the test is about, that each
// repository keeps its own listing, bounds and cache, does not hang on
// that order; the time one machine takes does.
func TestSeveralRepositoriesOneHostileKeepTheirOwnPins(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	prefect := tagcatalog.Prefect()
	client := tagcatalog.PrefectClient()
	sortedPrefect := slices.Sorted(slices.Values(prefect))
	sortedClient := slices.Sorted(slices.Values(client))
	huge := make([]string, 0, 150000) // about 4 MiB a page
	for i := range cap(huge) {
		huge = append(huge, fmt.Sprintf("x%025d", i))
	}

	soundDone := make(chan struct{})
	_, hostA := serveHostDouble(t, map[string]*hostRepo{
		"prefecthq/prefect":        {tags: sortedPrefect},
		"prefecthq/prefect-client": {tags: pushOrder(client), positional: true},
		"acme/endless":             {endless: true, held: soundDone},
		"acme/huge":                {huge: huge, held: soundDone},
	})
	_, hostB := serveHostDouble(t, map[string]*hostRepo{
		"mirror/prefect":        {tags: pushOrder(prefect), positional: true},
		"mirror/prefect/client": {tags: sortedClient},
		"acme/slow":             {endless: true, slow: 2 * time.Second, held: soundDone},
	})
	// A registry's spent 429 stops the run's later requests to it, so the
	// storm is a third registry's.
	_, hostC := serveHostDouble(t, map[string]*hostRepo{"acme/storm": {rateLimit: true}})
	portA := strings.TrimPrefix(hostA, "127.0.0.1:")
	portB := strings.TrimPrefix(hostB, "127.0.0.1:")

	type target struct {
		repo    string
		catalog []string
		digest  string // repository name the double hashes digests with
	}
	sound := []target{
		{hostA + "/prefecthq/prefect", prefect, "prefecthq/prefect"},
		{"localhost:" + portA + "/prefecthq/prefect", prefect, "prefecthq/prefect"},
		{hostA + "/prefecthq/prefect-client", client, "prefecthq/prefect-client"},
		{hostB + "/mirror/prefect", prefect, "mirror/prefect"},
		{hostB + "/mirror/prefect/client", client, "mirror/prefect/client"},
		{"LOCALHOST:" + portB + "/mirror/prefect/client", client, "mirror/prefect/client"},
	}
	// The endless lists may meet the listing timeout before their own
	// bound on a loaded machine (under -race, 96 pages in 10 s were seen):
	// either names the repository's own listing.
	const timedOut = "listing timeout of 20s"
	hostile := []struct {
		repo string
		want []string // one of
	}{
		{hostA + "/acme/endless", []string{"2500 pages", timedOut}},
		{hostA + "/acme/huge", []string{"64 MiB", timedOut}},
		{hostB + "/acme/slow", []string{timedOut}},
		{hostC + "/acme/storm", []string{"429"}},
	}

	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1, RequestTimeout: time.Minute, ListingTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := resolver.New(c)
	var wg, soundWG sync.WaitGroup
	for _, s := range severalSelectors {
		sel := severalSelector(t, s.versions, s.python, s.flavor)
		for _, tg := range sound {
			soundWG.Go(func() {
				want, wantErr := prefecttag.NewCatalog(tg.catalog).Select(sel)
				pin, err := res.Resolve(context.Background(), resolver.Request{Repository: tg.repo, Selector: sel})
				switch {
				case wantErr != nil && err != nil:
				case err != nil:
					t.Errorf("%s %+v: %v; selection over its catalog picks %s", tg.repo, s, err, want.Name)
				case wantErr != nil:
					t.Errorf("%s %+v: picked %s; selection over its catalog picks nothing", tg.repo, s, pin.Tag)
				case pin.Tag != want.Name:
					t.Errorf("%s %+v: picked %s; selection over its catalog picks %s", tg.repo, s, pin.Tag, want.Name)
				case pin.Digest != hostDoubleDigest(tg.digest, pin.Tag):
					t.Errorf("%s %+v: %s has digest %s, want %s", tg.repo, s, pin.Tag, pin.Digest, hostDoubleDigest(tg.digest, pin.Tag))
				case !strings.HasPrefix(pin.Ref, tg.repo+"@"):
					t.Errorf("%s %+v: ref %s is not of the repository as written", tg.repo, s, pin.Ref)
				}
			})
		}
		for _, h := range hostile {
			wg.Go(func() {
				_, err := res.Resolve(context.Background(), resolver.Request{Repository: h.repo, Selector: sel})
				if err == nil {
					t.Errorf("%s %+v: resolved, want an error", h.repo, s)
					return
				}
				var re *registry.Error
				name := strings.SplitN(h.repo, "/", 2)[1]
				said := slices.ContainsFunc(h.want, func(w string) bool { return strings.Contains(err.Error(), w) })
				if !errors.As(err, &re) || !strings.Contains(err.Error(), name) || !said {
					t.Errorf("%s %+v: error does not name the repository and one of %q: %v", h.repo, s, h.want, err)
				}
			})
		}
	}
	soundWG.Wait()
	close(soundDone)
	wg.Wait()
}
