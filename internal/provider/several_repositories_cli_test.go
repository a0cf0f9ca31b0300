package provider

import (
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

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// pushedRepo is one repository of a pushedRegistry: its tags in the
// registry's own order, how its tag list pages, and how often its tags
// were pushed (every push a new digest).
type pushedRepo struct {
	tags []string
	// positional: last is a position in the registry's order, a last
	// that is no tag answered from the start (GHCR, ECR); else a lexical
	// bound over sorted tags.
	positional bool
	endless    bool // every page links a fresh page of a fresh tag
	pushes     int
}

// pushedRegistry is a registry written from the distribution spec and
// SPEC.md alone: several repositories on one host, pages of at most 100
// tags linked by n and last, a manifest per tag whose digest changes with
// every push of its repository.
type pushedRegistry struct {
	mu      sync.Mutex
	repos   map[string]*pushedRepo
	endless int
	srv     *httptest.Server
}

func newPushedRegistry(t *testing.T, repos map[string]*pushedRepo) *pushedRegistry {
	t.Helper()
	r := &pushedRegistry{repos: repos}
	r.srv = httptest.NewServer(r)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *pushedRegistry) host() string { return strings.TrimPrefix(r.srv.URL, "http://") }

func (r *pushedRegistry) set(name string, f func(*pushedRepo)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.repos[name])
}

func pushedManifest(name, tag string, push int) []byte {
	s := sha256.Sum256(fmt.Appendf(nil, "%s:%s:%d", name, tag, push))
	return fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}`, hex.EncodeToString(s[:]))
}

func pushedDigest(name, tag string, push int) string {
	s := sha256.Sum256(pushedManifest(name, tag, push))
	return "sha256:" + hex.EncodeToString(s[:])
}

func (r *pushedRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.URL.Path == "/v2/" {
		return
	}
	path := strings.TrimPrefix(req.URL.Path, "/v2/")
	name, ref, isManifest := strings.Cut(path, "/manifests/")
	if !isManifest {
		name = strings.TrimSuffix(path, "/tags/list")
	}
	repo := r.repos[name]
	if repo == nil || !isManifest && !strings.HasSuffix(path, "/tags/list") {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`)
		return
	}
	if isManifest {
		var b []byte
		if strings.HasPrefix(ref, "sha256:") {
			for _, tag := range repo.tags {
				if pushedDigest(name, tag, repo.pushes) == ref {
					b = pushedManifest(name, tag, repo.pushes)
				}
			}
		} else if slices.Contains(repo.tags, ref) {
			b = pushedManifest(name, ref, repo.pushes)
		}
		if b == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
			return
		}
		s := sha256.Sum256(b)
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(s[:]))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if req.Method != http.MethodHead {
			w.Write(b)
		}
		return
	}
	q := req.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	if n <= 0 || n > 100 {
		n = 100
	}
	var page []string
	more := false
	if repo.endless {
		r.endless++
		page, more = []string{fmt.Sprintf("3.4.%d-python3.12", 1000000+r.endless)}, true
	} else {
		start := 0
		if last := q.Get("last"); last != "" {
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
		page, more = repo.tags[start:end], end < len(repo.tags)
	}
	if more {
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&last=%s>; rel="next"`, name, n, url.QueryEscape(page[len(page)-1])))
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"name": name, "tags": page})
	w.Write(b)
}

// releaseOrder is tags as an image workflow pushes them: by version,
// numbers as numbers, each release's tags together.
func releaseOrder(tags []string) []string {
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

// Pins on several repositories of two registries in one configuration,
// through the Terraform CLI: each is what selection over its own catalog
// picks. Then one repository's tag list turns endless while every
// repository re-pushes its tags: the plan and apply move every other pin
// to its new digest, and hold the pins of the endless repository with a
// warning naming it and the bound; `terraform apply -refresh-only` keeps
// their upstream; once the list ends again their move is planned.
func TestAccCLI_severalRepositoriesOneEndless(t *testing.T) {
	isolateHome(t)
	prefect, client := tagcatalog.Prefect(), tagcatalog.PrefectClient()
	a := newPushedRegistry(t, map[string]*pushedRepo{
		"prefecthq/prefect":        {tags: slices.Sorted(slices.Values(prefect))},
		"prefecthq/prefect-client": {tags: releaseOrder(client), positional: true},
	})
	b := newPushedRegistry(t, map[string]*pushedRepo{
		"mirror/prefect":        {tags: releaseOrder(prefect), positional: true},
		"mirror/prefect/client": {tags: slices.Sorted(slices.Values(client))},
	})
	type repository struct {
		key, written, name string
		reg                *pushedRegistry
		catalog            []string
	}
	repos := []repository{
		{"hub", a.host() + "/prefecthq/prefect", "prefecthq/prefect", a, prefect},
		{"client", a.host() + "/prefecthq/prefect-client", "prefecthq/prefect-client", a, client},
		{"mirror", b.host() + "/mirror/prefect", "mirror/prefect", b, prefect},
		{"mirrorclient", b.host() + "/mirror/prefect/client", "mirror/prefect/client", b, client},
	}
	selectors := []struct{ key, versions, python string }{
		{"p38", "~> 3.8.0", "3.12"},
		{"p30", ">= 3.0, < 3.3", "3.11"},
		{"p34", ">= 3.4, < 3.5", "3.12"},
		{"p35", "==3.5.*", "3.10"},
	}
	config := "provider \"prefectimage\" {\n  max_retries = 0\n  request_timeout = \"10s\"\n}\n"
	type pin struct {
		address, tag string
		repo         repository
	}
	var pins []pin
	for _, r := range repos {
		for _, s := range selectors {
			vc, err := prefecttag.ParseConstraint(s.versions)
			if err != nil {
				t.Fatal(err)
			}
			pc, err := prefecttag.ParsePythonConstraint(s.python)
			if err != nil {
				t.Fatal(err)
			}
			want, err := prefecttag.NewCatalog(r.catalog).Select(prefecttag.Selector{Versions: vc, Python: pc, Flavor: prefecttag.FlavorStandard})
			if err != nil {
				t.Fatal(err)
			}
			name := r.key + "_" + s.key
			config += fmt.Sprintf("resource \"prefectimage_pin\" %q {\n  repository = %q\n  prefect_version = %q\n  python_version = %q\n}\n", name, r.written, s.versions, s.python)
			pins = append(pins, pin{"prefectimage_pin." + name, want.Name, r})
		}
	}
	s := newCLISession(t)
	s.config(config)
	s.must("apply", "-input=false", "-auto-approve")
	check := func(when string, push func(repository) int) {
		t.Helper()
		out := s.must("show", "-json")
		for _, p := range pins {
			want := p.repo.written + "@" + pushedDigest(p.repo.name, p.tag, push(p.repo))
			if got := stateAttr(t, out, p.address, "ref"); got != want {
				t.Errorf("%s: %s.ref = %s, want %s (%s)", when, p.address, got, want, p.tag)
			}
		}
	}
	check("after the first apply", func(repository) int { return 0 })

	a.set("prefecthq/prefect-client", func(r *pushedRepo) { r.endless = true })
	for _, r := range repos {
		r.reg.set(r.name, func(p *pushedRepo) { p.pushes = 1 })
	}
	out, err := s.run("plan", "-input=false", "-detailed-exitcode")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "Plan: 0 to add, 12 to change, 0 to destroy") {
		t.Fatalf("the plan does not move the 12 pins of sound repositories:\n%s", out)
	}
	for _, want := range []string{
		"Warning: Upstream Image Not Checked with prefectimage_pin.client_p38",
		"repository " + repos[1].written + " on registry " + a.host(),
		"2500 pages",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	s.must("apply", "-input=false", "-auto-approve")
	moved := func(r repository) int {
		if r.key == "client" {
			return 0
		}
		return 1
	}
	check("after the apply with one repository endless", moved)

	s.must("apply", "-refresh-only", "-input=false", "-auto-approve")
	check("after -refresh-only with one repository endless", moved)
	doc := s.must("show", "-json")
	for _, p := range pins {
		if p.repo.key == "client" {
			if got, want := stateAttr(t, doc, p.address, "upstream_digest"), pushedDigest(p.repo.name, p.tag, 0); got != want {
				t.Errorf("%s.upstream_digest = %s after a refresh that could not list, want %s", p.address, got, want)
			}
		}
	}

	a.set("prefecthq/prefect-client", func(r *pushedRepo) { r.endless = false })
	out, err = s.run("plan", "-input=false", "-detailed-exitcode")
	flat = strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "Plan: 0 to add, 4 to change, 0 to destroy") || strings.Contains(flat, "Warning") {
		t.Fatalf("once the list ends, the plan does not move the 4 held pins alone:\n%s", out)
	}
	s.must("apply", "-input=false", "-auto-approve")
	check("once the list ends", func(repository) int { return 1 })
}
