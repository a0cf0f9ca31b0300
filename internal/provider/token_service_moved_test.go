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

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// movingRealmRegistry is a registry written from the distribution spec:
// Prefect's catalog in lexical order, pages of at most 100 tags linked by
// last, a manifest per tag, and bearer tokens from the token service its
// 401s name: /token until its moveAfter-th tag list request, then
// /token/moved, whose tokens alone it takes from then on. The old token
// service refuses every request once it is no longer named.
type movingRealmRegistry struct {
	mu        sync.Mutex
	tags      []string
	moveAfter int
	lists     int
	issued    int
}

func (m *movingRealmRegistry) realm() string {
	if m.lists >= m.moveAfter {
		return "/token/moved"
	}
	return "/token"
}

func movingRealmDigest(tag string) string {
	s := sha256.Sum256(movingRealmManifest(tag))
	return "sha256:" + hex.EncodeToString(s[:])
}

func movingRealmManifest(tag string) []byte {
	s := sha256.Sum256([]byte(tag))
	return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}`, hex.EncodeToString(s[:])))
}

func (m *movingRealmRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/token") {
		if r.URL.Path != m.realm() {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"details":"this token service is retired"}`)
			return
		}
		m.issued++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"%d@%s","expires_in":300}`, m.issued, r.URL.Path)
		return
	}
	if !strings.HasSuffix(r.Header.Get("Authorization"), "@"+m.realm()) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s%s",service="registry",scope="repository:%s:pull"`, r.Host, m.realm(), prefectRepo))
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	prefix := "/v2/" + prefectRepo
	switch {
	case r.URL.Path == "/v2/":
	case r.URL.Path == prefix+"/tags/list":
		m.lists++
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if n <= 0 || n > 100 {
			n = 100
		}
		start := len(m.tags)
		if i := slices.IndexFunc(m.tags, func(t string) bool { return t > r.URL.Query().Get("last") }); i >= 0 {
			start = i
		}
		page := m.tags[start:min(start+n, len(m.tags))]
		if start+n < len(m.tags) {
			w.Header().Set("Link", fmt.Sprintf(`<%s?n=%d&last=%s>; rel="next"`, r.URL.Path, n, url.QueryEscape(page[len(page)-1])))
		}
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]any{"name": prefectRepo, "tags": page})
		w.Write(b)
	case strings.HasPrefix(r.URL.Path, prefix+"/manifests/"):
		tag := strings.TrimPrefix(r.URL.Path, prefix+"/manifests/")
		if _, ok := slices.BinarySearch(m.tags, tag); !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
			return
		}
		b := movingRealmManifest(tag)
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", movingRealmDigest(tag))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// A registry that moves to another token service while a plan reads it
// (its 401s name a new realm; the old token service refuses every request)
// gives every pin of the plan what selection over its whole catalog picks,
// with its digest. Before, the plan failed: "the registry answered HTTP
// 401 Unauthorized: it did not accept the credentials, or it requires
// some".
func TestAccTokenServiceMovedMidPlan(t *testing.T) {
	isolateHome(t)
	cat := tagcatalog.Prefect()
	reg := &movingRealmRegistry{tags: slices.Sorted(slices.Values(cat)), moveAfter: 5}
	srv := httptest.NewServer(reg)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	selectors := []struct{ name, versions, python, flavor string }{
		{"p38", "~> 3.8.0", "3.12", "standard"},
		{"p38conda", "~> 3.8.0", "3.10", "conda"},
		{"p220", "~> 2.20", "3.11", "kubernetes"},
		{"p34", ">= 3.4, < 3.5", "3.14", "standard"},
		{"p31", "~> 3.1.0", "3.11", "conda"},
	}
	whole := prefecttag.NewCatalog(cat)
	config := fmt.Sprintf("provider \"prefectimage\" {\n  repository = %q\n  max_retries = 1\n}\n", host+"/"+prefectRepo)
	var checks []statecheck.StateCheck
	for _, s := range selectors {
		config += fmt.Sprintf("data \"prefectimage_pin\" %q {\n  prefect_version = %q\n  python_version = %q\n  flavor = %q\n}\n", s.name, s.versions, s.python, s.flavor)
		sel := prefecttag.Selector{Flavor: prefecttag.Flavor(s.flavor)}
		var err error
		if sel.Versions, err = prefecttag.ParseConstraint(s.versions); err != nil {
			t.Fatal(err)
		}
		if sel.Python, err = prefecttag.ParsePythonConstraint(s.python); err != nil {
			t.Fatal(err)
		}
		want, err := whole.Select(sel)
		if err != nil {
			t.Fatal(err)
		}
		addr := "data.prefectimage_pin." + s.name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("tag"), knownvalue.StringExact(want.Name)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("digest"), knownvalue.StringExact(movingRealmDigest(want.Name))))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
}
