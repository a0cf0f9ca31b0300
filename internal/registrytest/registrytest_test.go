package registrytest_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

const repo = "prefecthq/prefect"

var (
	catalogOnce sync.Once
	catalog     []string // tagcatalog.Prefect(), sorted
)

func sortedCatalog(t testing.TB) []string {
	t.Helper()
	catalogOnce.Do(func() {
		catalog = tagcatalog.Prefect()
		slices.Sort(catalog)
	})
	if len(catalog) != 13512 {
		t.Fatalf("catalog has %d tags, want 13512", len(catalog))
	}
	return catalog
}

func ref(t *testing.T, r *registrytest.Registry, tag string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(r.Host() + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func repository(t *testing.T, r *registrytest.Registry) name.Repository {
	t.Helper()
	rp, err := name.NewRepository(r.Host() + "/" + repo)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

type tagList struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

// get does a plain GET of path (with query) and decodes a tags/list body.
func get(t *testing.T, r *registrytest.Registry, path string, header http.Header) (*http.Response, tagList) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := r.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var tl tagList
	if resp.StatusCode == http.StatusOK && strings.Contains(path, "/tags/list") {
		if err := json.Unmarshal(b, &tl); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, b)
		}
	}
	return resp, tl
}

// nextLink returns the target of a rel="next" Link header, or "".
func nextLink(t *testing.T, resp *http.Response) string {
	t.Helper()
	l := resp.Header.Get("Link")
	if l == "" {
		return ""
	}
	target, ok := strings.CutSuffix(l, `>; rel="next"`)
	if !ok || !strings.HasPrefix(target, "<") {
		t.Fatalf("malformed Link header %q", l)
	}
	return target[1:]
}

// walk follows Link headers from first and returns every tag and the pages.
func walk(t *testing.T, r *registrytest.Registry, first string, maxPages int) (tags []string, pages []tagList) {
	t.Helper()
	next := first
	for next != "" {
		if len(pages) == maxPages {
			t.Fatalf("more than %d pages", maxPages)
		}
		resp, tl := get(t, r, next, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", next, resp.Status)
		}
		pages = append(pages, tl)
		tags = append(tags, tl.Tags...)
		next = nextLink(t, resp)
	}
	return tags, pages
}

func TestPagingDefaultPageSize(t *testing.T) {
	r := registrytest.Prefect(t)
	want := sortedCatalog(t)

	tags, pages := walk(t, r, "/v2/"+repo+"/tags/list", 200)
	if !slices.Equal(tags, want) {
		t.Fatalf("read %d tags, want the %d catalog tags exactly once in order", len(tags), len(want))
	}
	if len(pages) != 136 {
		t.Errorf("%d pages, want 136", len(pages))
	}
	for i, p := range pages[:len(pages)-1] {
		if len(p.Tags) != 100 || p.Name != repo {
			t.Fatalf("page %d: name %q, %d tags, want %q and 100", i, p.Name, len(p.Tags), repo)
		}
	}
	reqs := r.Requests()
	if reqs[0] != "GET /v2/"+repo+"/tags/list" {
		t.Errorf("first request %q", reqs[0])
	}
	if want := "GET /v2/" + repo + "/tags/list?last=" + url.QueryEscape(pages[0].Tags[99]) + "&n=100"; reqs[1] != want {
		t.Errorf("second request %q, want %q", reqs[1], want)
	}
	if c := r.Counts(); c.ListPage != 136 || c.Total() != 136 {
		t.Errorf("counts %+v, want 136 list pages and nothing else", c)
	}

	// go-containerregistry's client, sending no n, sees the same.
	r.ResetCounts()
	got, err := remote.List(repository(t, r), remote.WithPageSize(0))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("remote.List read %d tags, want the %d catalog tags in order", len(got), len(want))
	}
	if c := r.Counts(); c.ListPage != 136 {
		t.Errorf("remote.List made %d list requests, want 136", c.ListPage)
	}
}

func TestPagingN1000(t *testing.T) {
	r := registrytest.Prefect(t)
	want := sortedCatalog(t)

	tags, pages := walk(t, r, "/v2/"+repo+"/tags/list?n=1000", 20)
	if !slices.Equal(tags, want) {
		t.Fatalf("read %d tags, want the %d catalog tags exactly once in order", len(tags), len(want))
	}
	if len(pages) != 14 || len(pages[13].Tags) != 512 {
		t.Errorf("%d pages, last with %d tags; want 14 and 512", len(pages), len(pages[len(pages)-1].Tags))
	}

	// remote.List asks for n=1000 by default.
	r.ResetCounts()
	got, err := remote.List(repository(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("remote.List read %d tags, want the %d catalog tags in order", len(got), len(want))
	}
	lists := 0
	for _, q := range r.Requests() {
		if strings.Contains(q, "/tags/list") {
			if !strings.Contains(q, "n=1000") {
				t.Errorf("request %q lacks n=1000", q)
			}
			lists++
		}
	}
	if lists != 14 || r.Counts().ListPage != 14 {
		t.Errorf("%d list requests (counted %d), want 14", lists, r.Counts().ListPage)
	}
}

func TestPageSizeOptionsAndCap(t *testing.T) {
	r := registrytest.New(t, registrytest.WithDefaultPageSize(3), registrytest.WithMaxPageSize(5))
	tags := []string{"a", "b", "c", "d", "e", "f", "g"}
	if err := r.Seed(repo, tags); err != nil {
		t.Fatal(err)
	}
	resp, tl := get(t, r, "/v2/"+repo+"/tags/list", nil)
	if !slices.Equal(tl.Tags, []string{"a", "b", "c"}) || nextLink(t, resp) != "/v2/"+repo+"/tags/list?last=c&n=3" {
		t.Errorf("default page: %v, Link %q", tl.Tags, resp.Header.Get("Link"))
	}
	resp, tl = get(t, r, "/v2/"+repo+"/tags/list?n=50", nil)
	if !slices.Equal(tl.Tags, tags[:5]) || nextLink(t, resp) != "/v2/"+repo+"/tags/list?last=e&n=5" {
		t.Errorf("capped page: %v, Link %q", tl.Tags, resp.Header.Get("Link"))
	}
	resp, tl = get(t, r, "/v2/"+repo+"/tags/list?n=5&last=e", nil)
	if !slices.Equal(tl.Tags, []string{"f", "g"}) || resp.Header.Get("Link") != "" {
		t.Errorf("last page: %v, Link %q", tl.Tags, resp.Header.Get("Link"))
	}
	resp, tl = get(t, r, "/v2/"+repo+"/tags/list?n=0", nil)
	if resp.StatusCode != http.StatusOK || tl.Tags == nil || len(tl.Tags) != 0 || resp.Header.Get("Link") != "" {
		t.Errorf("n=0: %s %#v, Link %q; want an empty list and no Link", resp.Status, tl.Tags, resp.Header.Get("Link"))
	}
	for _, bad := range []string{"-1", "ten"} {
		if resp, _ := get(t, r, "/v2/"+repo+"/tags/list?n="+bad, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("n=%s: %s, want 400", bad, resp.Status)
		}
	}
	if resp, _ := get(t, r, "/v2/nobody/nothing/tags/list", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown repository: %s, want 404", resp.Status)
	}
}

func TestLastHonoured(t *testing.T) {
	r := registrytest.Prefect(t)
	want := sortedCatalog(t)
	for _, c := range []struct {
		last  string
		start int // index in the catalog of the first tag expected
	}{
		{want[0], 1},
		{want[5000], 5001},
		{want[5000] + "-", -1}, // not a tag: strictly greater still applies
		{"", 0},                // empty last: from the start
		{"0", 0},               // before every tag
		{want[len(want)-2], len(want) - 1},
	} {
		if c.start < 0 {
			c.start = sort.SearchStrings(want, c.last)
			if c.start != 5001 {
				t.Fatalf("test data: %q sorts at %d", c.last, c.start)
			}
		}
		path := "/v2/" + repo + "/tags/list?n=10"
		if c.last != "" {
			path += "&last=" + url.QueryEscape(c.last)
		}
		_, tl := get(t, r, path, nil)
		exp := want[c.start:min(c.start+10, len(want))]
		if !slices.Equal(tl.Tags, exp) {
			t.Errorf("last=%q: got %v, want %v", c.last, tl.Tags, exp)
		}
	}
	// Past the end: an empty page without Link. (pkg/registry itself
	// returns every tag here.)
	resp, tl := get(t, r, "/v2/"+repo+"/tags/list?last=zzz", nil)
	if len(tl.Tags) != 0 || resp.Header.Get("Link") != "" {
		t.Errorf("last past the end: %d tags, Link %q; want none", len(tl.Tags), resp.Header.Get("Link"))
	}
}

// TestSkipPastUnknownLast: a last that is a tag pages as usual; one that
// is no tag is answered from the second tag past it, as distribution
// v3.0.0 does.
func TestSkipPastUnknownLast(t *testing.T) {
	r := registrytest.Prefect(t, registrytest.WithSkipPastUnknownLast())
	want := sortedCatalog(t)
	for _, c := range []struct {
		last  string
		start int
	}{
		{"", 0},
		{want[5000], 5001},
		{want[5000] + "-", 5002}, // sorts just before want[5001], which is skipped
		{"0", 1},                 // before every tag: the first is skipped
		{want[len(want)-1] + "~", len(want)},
	} {
		path := "/v2/" + repo + "/tags/list?n=10"
		if c.last != "" {
			path += "&last=" + url.QueryEscape(c.last)
		}
		_, tl := get(t, r, path, nil)
		if exp := want[c.start:min(c.start+10, len(want))]; !slices.Equal(tl.Tags, exp) {
			t.Errorf("last=%q: got %v, want %v", c.last, tl.Tags, exp)
		}
	}
}

// WithLastAsBoundOverOrder: the page after last is the first tags of the
// registry's order that sort after last, and its Link names the page's
// last tag in that order.
func TestLastAsBoundOverOrder(t *testing.T) {
	order := []string{"3.0", "1.0", "4.0", "2.0", "5.0"}
	own := func([]string) []string { return slices.Clone(order) }
	r := registrytest.New(t, registrytest.WithOrder(own), registrytest.WithLastAsBoundOverOrder())
	if err := r.Seed("acme/prefect", order); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		last string
		tags []string
		link string
	}{
		{"", []string{"3.0", "1.0"}, "last=1.0"},
		{"1.0", []string{"3.0", "4.0"}, "last=4.0"}, // 3.0 again; 2.0 comes after 4.0
		{"4.0", []string{"5.0"}, ""},                // 2.0 is never sent after 4.0
		{"2.5", []string{"3.0", "4.0"}, "last=4.0"}, // a last that is no tag is a bound too
	} {
		path := "/v2/acme/prefect/tags/list?n=2"
		if c.last != "" {
			path += "&last=" + url.QueryEscape(c.last)
		}
		resp, tl := get(t, r, path, nil)
		if !slices.Equal(tl.Tags, c.tags) {
			t.Errorf("last=%q: got %v, want %v", c.last, tl.Tags, c.tags)
		}
		if link := resp.Header.Get("Link"); (c.link == "") != (link == "") || !strings.Contains(link, c.link) {
			t.Errorf("last=%q: Link %q, want one with %q", c.last, link, c.link)
		}
	}
}

func TestIgnoreLast(t *testing.T) {
	r := registrytest.Prefect(t, registrytest.WithIgnoreLast())
	want := sortedCatalog(t)

	first, tl1 := get(t, r, "/v2/"+repo+"/tags/list", nil)
	if !slices.Equal(tl1.Tags, want[:100]) {
		t.Fatalf("first page: %d tags, want the first 100", len(tl1.Tags))
	}
	link := nextLink(t, first)
	if link != "/v2/"+repo+"/tags/list?last="+url.QueryEscape(want[99])+"&n=100" {
		t.Fatalf("Link %q", link)
	}
	// Following the Link gives the first page again, with the same Link.
	for range 3 {
		resp, tl := get(t, r, link, nil)
		if !slices.Equal(tl.Tags, tl1.Tags) || nextLink(t, resp) != link {
			t.Fatalf("following %q: %d tags starting %q, Link %q; want the first page and the same Link", link, len(tl.Tags), tl.Tags[0], nextLink(t, resp))
		}
	}
	resp, tl := get(t, r, "/v2/"+repo+"/tags/list?n=5&last="+url.QueryEscape(want[5000]), nil)
	if !slices.Equal(tl.Tags, want[:5]) || nextLink(t, resp) != "/v2/"+repo+"/tags/list?last="+url.QueryEscape(want[4])+"&n=5" {
		t.Errorf("explicit last: %v, Link %q; want the first 5 tags", tl.Tags, resp.Header.Get("Link"))
	}

	// go-containerregistry's Lister follows the Link into the same page.
	l, err := remote.NewPuller()
	if err != nil {
		t.Fatal(err)
	}
	lister, err := l.Lister(context.Background(), repository(t, r))
	if err != nil {
		t.Fatal(err)
	}
	p1, err := lister.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p2, err := lister.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !lister.HasNext() || !slices.Equal(p1.Tags, p2.Tags) {
		t.Errorf("Lister: pages differ or end; want the same page again and again")
	}
}

func TestCursorPaging(t *testing.T) {
	r := registrytest.Prefect(t, registrytest.WithCursorPaging())
	want := sortedCatalog(t)
	got, err := remote.List(repository(t, r), remote.WithPageSize(0))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("remote.List read %d tags, want the %d catalog tags in order", len(got), len(want))
	}
	for i, q := range slices.DeleteFunc(r.Requests(), func(q string) bool { return !strings.Contains(q, "/tags/list") }) {
		if i > 0 && (strings.Contains(q, "last=") || !strings.Contains(q, "cursor=")) {
			t.Fatalf("request %q: want a cursor and no last", q)
		}
	}
	_, tl := get(t, r, "/v2/"+repo+"/tags/list?n=3&last="+url.QueryEscape(want[100]), nil)
	if !slices.Equal(tl.Tags, want[:3]) {
		t.Errorf("last is not ignored: %v", tl.Tags)
	}
}

func TestBearerAuth(t *testing.T) {
	r := registrytest.New(t, registrytest.WithBearerAuth("me", "s3cret"))
	if err := r.Seed(repo, []string{"3-latest", "3.1.15-python3.12"}); err != nil {
		t.Fatal(err)
	}
	if len(r.Token()) < 32 {
		t.Fatalf("token %q is too short to be random", r.Token())
	}

	resp, _ := get(t, r, "/v2/", nil)
	if want := `Bearer realm="` + r.URL() + `/token",service="registrytest"`; resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
		t.Errorf("GET /v2/: %s %q, want 401 %q", resp.Status, resp.Header.Get("WWW-Authenticate"), want)
	}
	for _, p := range []string{"/v2/" + repo + "/tags/list", "/v2/" + repo + "/manifests/3-latest"} {
		resp, _ := get(t, r, p, http.Header{"Authorization": {"Bearer wrong"}})
		want := `Bearer realm="` + r.URL() + `/token",service="registrytest",scope="repository:` + repo + `:pull"`
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
			t.Errorf("GET %s: %s %q, want 401 %q", p, resp.Status, resp.Header.Get("WWW-Authenticate"), want)
		}
	}

	// The token endpoint wants the password.
	tokenReq := func(user, pass string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, r.URL()+"/token?service=registrytest&scope=repository:"+repo+":pull", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, _ := tokenReq("me", "wrong"); code != 401 {
		t.Errorf("/token with a wrong password: %d, want 401", code)
	}
	if code, _ := tokenReq("", ""); code != 401 {
		t.Errorf("/token without credentials: %d, want 401", code)
	}
	code, body := tokenReq("me", "s3cret")
	if code != 200 || body["token"] != r.Token() || body["access_token"] != r.Token() {
		t.Fatalf("/token: %d %v", code, body)
	}
	if resp, tl := get(t, r, "/v2/"+repo+"/tags/list", http.Header{"Authorization": {"Bearer " + r.Token()}}); resp.StatusCode != 200 || len(tl.Tags) != 2 {
		t.Errorf("with the token: %s %v", resp.Status, tl.Tags)
	}

	// go-containerregistry's client goes through the whole flow.
	r.ResetCounts()
	good := remote.WithAuth(&authn.Basic{Username: "me", Password: "s3cret"})
	tags, err := remote.List(repository(t, r), good)
	if err != nil || len(tags) != 2 {
		t.Fatalf("remote.List: %v %v", tags, err)
	}
	desc, err := remote.Head(ref(t, r, "3-latest"), good)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := r.Digest(repo, "3-latest"); desc.Digest.String() != d {
		t.Errorf("HEAD digest %s, want %s", desc.Digest, d)
	}
	if c := r.Counts(); c.Token < 1 || c.Ping < 1 || c.ListPage < 1 || c.Head < 1 {
		t.Errorf("counts %+v: want a ping, a token, a list and a HEAD", c)
	}
	for _, q := range r.Requests() {
		if strings.Contains(q, r.Token()) || strings.Contains(q, "s3cret") {
			t.Errorf("request log leaks a secret: %q", q)
		}
	}

	for _, auth := range []authn.Authenticator{&authn.Basic{Username: "me", Password: "wrong"}, authn.Anonymous} {
		_, err = remote.Head(ref(t, r, "3-latest"), remote.WithAuth(auth))
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
			t.Errorf("remote.Head with %v: %v, want a 401 transport.Error", auth, err)
		}
	}
}

func TestBearerAuthAnonymous(t *testing.T) {
	r := registrytest.New(t, registrytest.WithBearerAuth("", ""))
	if _, err := r.Push(repo, "3-latest"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, r, "/v2/"+repo+"/manifests/3-latest", nil); resp.StatusCode != 401 {
		t.Errorf("without a token: %s, want 401", resp.Status)
	}
	if _, err := remote.Head(ref(t, r, "3-latest"), remote.WithAuth(authn.Anonymous)); err != nil {
		t.Errorf("anonymous token flow: %v", err)
	}
	if c := r.Counts(); c.Token != 1 {
		t.Errorf("%d token requests, want 1", c.Token)
	}
}

func TestBasicAuth(t *testing.T) {
	r := registrytest.New(t, registrytest.WithBasicAuth("me", "s3cret"))
	d, err := r.Push(repo, "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := get(t, r, "/v2/"+repo+"/tags/list", nil)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="registrytest"` {
		t.Errorf("without credentials: %s %q", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	desc, err := remote.Head(ref(t, r, "3-latest"), remote.WithAuth(&authn.Basic{Username: "me", Password: "s3cret"}))
	if err != nil || desc.Digest.String() != d {
		t.Fatalf("remote.Head: %v %v, want %s", desc, err, d)
	}
	for _, auth := range []authn.Authenticator{&authn.Basic{Username: "me", Password: "wrong"}, authn.Anonymous} {
		_, err = remote.Head(ref(t, r, "3-latest"), remote.WithAuth(auth))
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
			t.Errorf("remote.Head with %v: %v, want a 401 transport.Error", auth, err)
		}
	}
	if c := r.Counts(); c.Token != 0 {
		t.Errorf("%d token requests under basic auth", c.Token)
	}
}

func TestSeedContent(t *testing.T) {
	r := registrytest.New(t)
	tags := []string{"3.1.15-python3.12", "3.1.15-python3.11", "3-latest"}
	if err := r.Seed(repo, tags); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, tag := range tags {
		desc, err := remote.Get(ref(t, r, tag))
		if err != nil {
			t.Fatal(err)
		}
		if desc.MediaType != types.OCIImageIndex {
			t.Errorf("%s: media type %s", tag, desc.MediaType)
		}
		if prev, dup := seen[desc.Digest.String()]; dup {
			t.Errorf("%s and %s share digest %s", tag, prev, desc.Digest)
		}
		seen[desc.Digest.String()] = tag
		idx, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var plats []string
		for _, m := range im.Manifests {
			plats = append(plats, m.Platform.String())
		}
		if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64", "unknown/unknown"}) {
			t.Errorf("%s: platforms %v", tag, plats)
		}
		pd, err := r.PlatformDigests(repo, tag)
		if err != nil {
			t.Fatal(err)
		}
		if len(pd) != 2 || pd["linux/amd64"] != im.Manifests[0].Digest.String() || pd["linux/arm64"] != im.Manifests[1].Digest.String() {
			t.Errorf("%s: PlatformDigests %v", tag, pd)
		}
		// The platform images are whole: config and layer can be read.
		img, err := idx.Image(im.Manifests[1].Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil || cf.OS != "linux" || cf.Architecture != "arm64" {
			t.Errorf("%s arm64 config: %+v %v", tag, cf, err)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%s layers: %v %v", tag, layers, err)
		}
		rc, err := layers[0].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Errorf("%s layer: %v", tag, err)
		}
		rc.Close()
	}
	// HEAD answers with digest, type and length, by tag and by digest.
	d, _ := r.Digest(repo, tags[0])
	for _, p := range []string{tags[0], d} {
		req, _ := http.NewRequest(http.MethodHead, r.URL()+"/v2/"+repo+"/manifests/"+p, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != d ||
			resp.Header.Get("Content-Type") != string(types.OCIImageIndex) || resp.ContentLength <= 0 {
			t.Errorf("HEAD %s: %s %v", p, resp.Status, resp.Header)
		}
	}
}

func TestPushChangesDigest(t *testing.T) {
	r := registrytest.New(t)
	if err := r.Seed(repo, []string{"3.1.15-python3.12"}); err != nil {
		t.Fatal(err)
	}
	before, err := r.Digest(repo, "3.1.15-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	pdBefore, _ := r.PlatformDigests(repo, "3.1.15-python3.12")
	after, err := r.Push(repo, "3.1.15-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Fatal("Push kept the digest")
	}
	if d, _ := r.Digest(repo, "3.1.15-python3.12"); d != after {
		t.Errorf("Digest %s after Push, want %s", d, after)
	}
	desc, err := remote.Head(ref(t, r, "3.1.15-python3.12"))
	if err != nil || desc.Digest.String() != after {
		t.Errorf("remote.Head: %v %v, want %s", desc, err, after)
	}
	pdAfter, _ := r.PlatformDigests(repo, "3.1.15-python3.12")
	if pdAfter["linux/amd64"] == pdBefore["linux/amd64"] || pdAfter["linux/arm64"] == pdBefore["linux/arm64"] {
		t.Errorf("platform digests unchanged: %v", pdAfter)
	}
	// The old index stays reachable by digest.
	if _, err := remote.Head(ref(t, r, "3.1.15-python3.12@"+before)); err != nil {
		t.Errorf("old digest: %v", err)
	}
	// Push creates tags too.
	if _, err := r.Push(repo, "3.2.0-python3.12"); err != nil {
		t.Fatal(err)
	}
	if tags, _ := remote.List(repository(t, r)); !slices.Equal(tags, []string{"3.1.15-python3.12", "3.2.0-python3.12"}) {
		t.Errorf("tags %v", tags)
	}
}

func TestPushSingle(t *testing.T) {
	r := registrytest.New(t)
	d, err := r.PushSingle(repo, "2.7.9-python3.10", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref(t, r, "2.7.9-python3.10"))
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != d || desc.MediaType != types.DockerManifestSchema2 {
		t.Errorf("got %s %s, want %s and a Docker manifest", desc.Digest, desc.MediaType, d)
	}
	img, err := desc.Image()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil || cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("config %+v %v", cf, err)
	}
	if pd, err := r.PlatformDigests(repo, "2.7.9-python3.10"); err != nil || len(pd) != 1 || pd["linux/amd64"] != d {
		t.Errorf("PlatformDigests %v %v", pd, err)
	}
	d2, err := r.PushSingle(repo, "2.7.9-python3.10", "linux/arm/v7")
	if err != nil || d2 == d {
		t.Fatalf("re-push: %s %v", d2, err)
	}
	if pd, _ := r.PlatformDigests(repo, "2.7.9-python3.10"); pd["linux/arm/v7"] != d2 {
		t.Errorf("PlatformDigests %v", pd)
	}
	if _, err := r.PushSingle(repo, "x", "linux"); err == nil {
		t.Error("platform without arch accepted")
	}
}

func TestPushManifestList(t *testing.T) {
	r := registrytest.New(t)
	d, err := r.PushManifestList(repo, "2.10.0-python3.10")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref(t, r, "2.10.0-python3.10"))
	if err != nil || desc.Digest.String() != d || desc.MediaType != types.DockerManifestList {
		t.Fatalf("got %v %v", desc, err)
	}
	pd, err := r.PlatformDigests(repo, "2.10.0-python3.10")
	if err != nil || len(pd) != 2 || pd["linux/amd64"] == "" || pd["linux/arm64"] == "" {
		t.Errorf("PlatformDigests %v %v", pd, err)
	}
}

func TestDelete(t *testing.T) {
	r := registrytest.New(t)
	if err := r.Seed(repo, []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	old, _ := r.Digest(repo, "b")
	if err := r.Delete(repo, "b"); err != nil {
		t.Fatal(err)
	}
	var terr *transport.Error
	if _, err := remote.Head(ref(t, r, "b")); !errors.As(err, &terr) || terr.StatusCode != 404 {
		t.Errorf("HEAD after Delete: %v, want 404", err)
	}
	if _, err := remote.Get(ref(t, r, "b")); !errors.As(err, &terr) || terr.StatusCode != 404 {
		t.Errorf("GET after Delete: %v, want 404", err)
	}
	if tags, _ := remote.List(repository(t, r)); !slices.Equal(tags, []string{"a", "c"}) {
		t.Errorf("tags after Delete: %v", tags)
	}
	if _, err := r.Digest(repo, "b"); !errors.Is(err, registrytest.ErrNotFound) {
		t.Errorf("Digest after Delete: %v", err)
	}
	if err := r.Delete(repo, "b"); !errors.Is(err, registrytest.ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := remote.Head(ref(t, r, "b@"+old)); err != nil {
		t.Errorf("the deleted tag's manifest by digest: %v", err)
	}
	if _, err := r.Push(repo, "b"); err != nil {
		t.Fatal(err)
	}
	if tags, _ := remote.List(repository(t, r)); !slices.Equal(tags, []string{"a", "b", "c"}) {
		t.Errorf("tags after re-push: %v", tags)
	}
}

func TestCountsByKind(t *testing.T) {
	r := registrytest.New(t)
	if err := r.Seed(repo, []string{"3-latest"}); err != nil {
		t.Fatal(err)
	}
	if c := r.Counts(); c.Total() != 0 {
		t.Fatalf("seeding was counted: %+v", c)
	}
	for _, p := range []string{"/v2/", "/v2/" + repo + "/tags/list", "/v2/" + repo + "/manifests/3-latest", "/v2/_catalog", "/nowhere"} {
		get(t, r, p, nil)
	}
	req, _ := http.NewRequest(http.MethodHead, r.URL()+"/v2/"+repo+"/manifests/3-latest", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	pd, _ := r.PlatformDigests(repo, "3-latest")
	desc, err := remote.Get(ref(t, r, "3-latest@"+pd["linux/amd64"]))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := desc.Image()
	if _, err := img.ConfigFile(); err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigName()
	want := registrytest.Counts{Ping: 2, ListPage: 1, Head: 1, Get: 2, Blob: 1, Other: 2}
	if c := r.Counts(); c != want || c.Total() != 9 {
		t.Errorf("counts %+v (total %d), want %+v (9)", c, c.Total(), want)
	}
	m := "/v2/" + repo + "/manifests/"
	wantLog := []string{
		"GET /v2/", "GET /v2/" + repo + "/tags/list", "GET " + m + "3-latest", "GET /v2/_catalog", "GET /nowhere",
		"HEAD " + m + "3-latest",
		"GET /v2/", "GET " + m + pd["linux/amd64"], "GET /v2/" + repo + "/blobs/" + cfg.String(),
	}
	if got := r.Requests(); !slices.Equal(got, wantLog) {
		t.Errorf("request log\n%q\nwant\n%q", got, wantLog)
	}
	r.ResetCounts()
	if c := r.Counts(); c.Total() != 0 || len(r.Requests()) != 0 {
		t.Errorf("after ResetCounts: %+v %q", c, r.Requests())
	}
}

func TestLatency(t *testing.T) {
	r := registrytest.New(t, registrytest.WithLatency(80*time.Millisecond))
	if err := r.Seed(repo, []string{"3-latest"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if resp, _ := get(t, r, "/v2/"+repo+"/tags/list", nil); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("request took %v, want at least 80ms", d)
	}

	// A request is counted as it arrives, before its latency: the request
	// is cancelled once it is counted. (It was cancelled by a deadline of
	// 50 ms, and counted only if the server had read it by then, which a
	// loaded machine under -race did not in 1 run of 100.)
	slow := registrytest.New(t, registrytest.WithLatency(10*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, slow.URL()+"/v2/", nil)
	errc := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		errc <- err
	}()
	for guard := time.Now().Add(5 * time.Second); slow.Counts().Ping == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(guard) { // a guard, not a measure: half the latency
			t.Fatalf("counts %+v after 5s: the request in its latency was not counted", slow.Counts())
		}
	}
	start = time.Now()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want the cancellation", err)
	}
	if c := slow.Counts(); c.Ping != 1 {
		t.Errorf("counts %+v: want the cancelled request counted once", c)
	}
	slow.Close() // must not wait for the 10s sleep
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel and Close took %v", d)
	}
}

func TestMiddlewareFaultsAreCounted(t *testing.T) {
	var mu sync.Mutex
	fail := 2
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			f := fail > 0 && strings.HasSuffix(req.URL.Path, "/tags/list")
			if f {
				fail--
			}
			mu.Unlock()
			if f {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, req)
		})
	}
	r := registrytest.New(t, registrytest.WithMiddleware(mw), registrytest.WithBasicAuth("me", "pw"))
	if err := r.Seed(repo, []string{"3-latest"}); err != nil {
		t.Fatal(err)
	}
	// The middleware runs before authentication: no credentials, yet 429.
	for range 2 {
		if resp, _ := get(t, r, "/v2/"+repo+"/tags/list", nil); resp.StatusCode != 429 {
			t.Errorf("%s, want 429", resp.Status)
		}
	}
	if resp, _ := get(t, r, "/v2/"+repo+"/tags/list", nil); resp.StatusCode != 401 {
		t.Errorf("%s, want 401 once the faults are spent", resp.Status)
	}
	if c := r.Counts(); c.ListPage != 3 {
		t.Errorf("counted %d list requests, want 3 (faults included)", c.ListPage)
	}
}

func TestTLS(t *testing.T) {
	r := registrytest.New(t, registrytest.WithTLS())
	if !strings.HasPrefix(r.URL(), "https://") {
		t.Fatalf("URL %s", r.URL())
	}
	block, _ := pem.Decode([]byte(r.CACertPEM()))
	if block == nil {
		t.Fatal("no PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	d, err := r.Push(repo, "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref(t, r, "3-latest"), remote.WithTransport(r.Client().Transport))
	if err != nil || desc.Digest.String() != d {
		t.Fatalf("remote.Head over TLS: %v %v", desc, err)
	}
	if _, err := http.Get(r.URL() + "/v2/"); err == nil {
		t.Error("an untrusting client got through")
	}
	if registrytest.New(t).CACertPEM() != "" {
		t.Error("CACertPEM without TLS")
	}
}

func TestPushOverHTTPIsListed(t *testing.T) {
	r := registrytest.New(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref(t, r, "custom"), img); err != nil {
		t.Fatal(err)
	}
	if tags, err := remote.List(repository(t, r)); err != nil || !slices.Equal(tags, []string{"custom"}) {
		t.Errorf("tags %v %v", tags, err)
	}
	if err := remote.Delete(ref(t, r, "custom")); err != nil {
		t.Fatal(err)
	}
	if tags, err := remote.List(repository(t, r)); err != nil || len(tags) != 0 {
		t.Errorf("tags after DELETE %v %v", tags, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := registrytest.New(t)
	if err := r.Seed(repo, sortedCatalog(t)[:500]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				tag := fmt.Sprintf("extra-%d-%d", i, j)
				if _, err := r.Push(repo, tag); err != nil {
					t.Error(err)
				}
				if _, err := r.Digest(repo, tag); err != nil {
					t.Error(err)
				}
				if _, err := remote.List(repository(t, r)); err != nil {
					t.Error(err)
				}
				_ = r.Counts()
				_ = r.Requests()
			}
		})
	}
	wg.Wait()
	if tags, _ := remote.List(repository(t, r)); len(tags) != 580 {
		t.Errorf("%d tags, want 580", len(tags))
	}
}

func TestInvalidInput(t *testing.T) {
	r := registrytest.New(t)
	if err := r.Seed("Not/Valid", []string{"a"}); err == nil {
		t.Error("invalid repository accepted")
	}
	if err := r.Seed(repo, []string{"a", "bad tag"}); err == nil {
		t.Error("invalid tag accepted")
	}
	if _, err := r.PlatformDigests(repo, "a"); !errors.Is(err, registrytest.ErrNotFound) {
		t.Errorf("PlatformDigests of nothing: %v", err)
	}
}

func BenchmarkSeedCatalog(b *testing.B) {
	tags := sortedCatalog(b)
	for b.Loop() {
		r, err := registrytest.Start()
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Seed(repo, tags); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	b.ReportMetric(float64(len(tags)), "tags/op")
}

// Registries sharing one seeded store each serve its tags in their own
// shape, with their own counts, at once; a push through one shows in all.
func TestShare(t *testing.T) {
	base := registrytest.New(t)
	tags := []string{"a", "b", "c", "d", "e"}
	if err := base.Seed(repo, tags); err != nil {
		t.Fatal(err)
	}
	reversed := base.Share(t, registrytest.WithOrder(registrytest.Reversed), registrytest.WithMaxPageSize(2))
	moved := base.Share(t, registrytest.WithOrder(registrytest.MovedToEnd(2)), registrytest.WithMaxPageSize(2))
	paged := base.Share(t, registrytest.WithMaxPageSize(2))
	lists := func() map[string][]string {
		got := map[string][]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, r := range map[string]*registrytest.Registry{"base": base, "reversed": reversed, "moved": moved, "paged": paged} {
			wg.Go(func() {
				tl, _ := walk(t, r, "/v2/"+repo+"/tags/list", 10)
				mu.Lock()
				defer mu.Unlock()
				got[name] = tl
			})
		}
		wg.Wait()
		return got
	}
	want := map[string][]string{
		"base": tags, "paged": tags,
		"reversed": {"e", "d", "c", "b", "a"},
		"moved":    {"a", "c", "e", "b", "d"},
	}
	for name, tl := range lists() {
		if !slices.Equal(tl, want[name]) {
			t.Errorf("%s lists %q, want %q", name, tl, want[name])
		}
	}
	wantCounts := map[*registrytest.Registry]int{base: 1, reversed: 3, moved: 3, paged: 3}
	for r, n := range wantCounts {
		if c := r.Counts(); c != (registrytest.Counts{ListPage: n}) {
			t.Errorf("%s counts %+v, want %d list pages", r.Host(), c, n)
		}
	}
	if r := base.Share(t); r.Host() == base.Host() || r.Token() == base.Token() {
		t.Errorf("a shared registry has the address or token of the first: %s %s", r.Host(), base.Host())
	}

	d, err := paged.Push(repo, "f")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := reversed.Digest(repo, "f"); err != nil || got != d {
		t.Errorf("digest through another registry: %q, %v; want %q", got, err, d)
	}
	want["base"] = append(slices.Clone(tags), "f")
	want["paged"] = want["base"]
	want["reversed"] = []string{"f", "e", "d", "c", "b", "a"}
	want["moved"] = []string{"a", "c", "e", "b", "d", "f"}
	for name, tl := range lists() {
		if !slices.Equal(tl, want[name]) {
			t.Errorf("after a push, %s lists %q, want %q", name, tl, want[name])
		}
	}
}

// Every caller of Prefect reads one seeding of the whole catalog, each
// through a registry of its own.
func TestPrefect(t *testing.T) {
	a := registrytest.Prefect(t)
	b := registrytest.Prefect(t, registrytest.WithMaxPageSize(1000))
	tag := sortedCatalog(t)[0]
	da, errA := a.Digest(repo, tag)
	db, errB := b.Digest(repo, tag)
	if errA != nil || errB != nil || da != db {
		t.Errorf("digests of %s: %q (%v) and %q (%v), want one seeding's", tag, da, errA, db, errB)
	}
	if got, _ := walk(t, b, "/v2/"+repo+"/tags/list?n=1000", 20); !slices.Equal(got, sortedCatalog(t)) {
		t.Errorf("listed %d tags, want the %d of the catalog", len(got), len(sortedCatalog(t)))
	}
	if c := a.Counts(); c.Total() != 0 || a.Host() == b.Host() {
		t.Errorf("the other registry counted %+v; hosts %s and %s", c, a.Host(), b.Host())
	}
}
