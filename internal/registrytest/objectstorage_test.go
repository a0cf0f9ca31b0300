package registrytest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// WithObjectStorageOrder answers as distribution v3.1 on S3: storage-key
// order ("2-latest-conda/" < "2-latest-kubernetes/" < "2-latest/"), last
// a byte-order bound over it (its own Links skip "2-latest"), n capped at
// 1000, a Link with every full page, every tag without n, 404 for a
// manifest it does not hold.
func TestObjectStorageOrder(t *testing.T) {
	tags := []string{"3-latest", "2.0.0", "2-latest", "2-latest-kubernetes", "2-latest-conda"}
	r := registrytest.New(t, registrytest.WithObjectStorageOrder())
	if err := r.Seed("acme/prefect", tags); err != nil {
		t.Fatal(err)
	}
	keyOrder := []string{"2-latest-conda", "2-latest-kubernetes", "2-latest", "2.0.0", "3-latest"}
	for _, c := range []struct {
		query string
		tags  []string
		link  string // the query of the Link, "" for none
	}{
		{"", keyOrder, ""},
		{"?n=2", keyOrder[:2], "last=2-latest-kubernetes&n=2"},
		{"?n=2&last=2-latest-kubernetes", []string{"2.0.0", "3-latest"}, "last=3-latest&n=2"}, // 2-latest skipped
		{"?n=2&last=3-latest", []string{}, ""},
		{"?n=5", keyOrder, "last=3-latest&n=5"}, // full: linked, though nothing follows
		{"?n=6", keyOrder, ""},
		{"?n=5000", keyOrder, ""}, // capped at 1000, not full
		{"?n=0", []string{}, ""},
		{"?last=2-latest-conda", []string{"2-latest-kubernetes", "2.0.0", "3-latest"}, ""},                     // without n: every tag after last as bytes
		{"?n=3&last=2-latest-d", []string{"2-latest-kubernetes", "2.0.0", "3-latest"}, "last=3-latest&n=3"},    // a last that is no tag is a bound too
		{"?n=10&last=2-latest%2Fx", []string{"2.0.0", "3-latest"}, ""},                                         // a last with a '/' is a storage path:
		{"?n=10&last=2-latest%2F", []string{"2-latest-conda", "2-latest-kubernetes", "2.0.0", "3-latest"}, ""}, // "2-latest/" is "2-latest"'s folder
		{"?n=10&last=%2F~", []string{}, ""},
	} {
		resp, tl := get(t, r, "/v2/acme/prefect/tags/list"+c.query, nil)
		if resp.StatusCode != http.StatusOK || !slices.Equal(tl.Tags, c.tags) {
			t.Errorf("%s: %s %q, want %q", c.query, resp.Status, tl.Tags, c.tags)
		}
		want := ""
		if c.link != "" {
			want = "/v2/acme/prefect/tags/list?" + c.link
		}
		if got := nextLink(t, resp); got != want {
			t.Errorf("%s: Link %q, want %q", c.query, got, want)
		}
	}
	for tag, status := range map[string]int{"2-latest": http.StatusOK, "2-latest-rc": http.StatusNotFound, "2.0": http.StatusNotFound} {
		req, err := http.NewRequest(http.MethodHead, r.URL()+"/v2/acme/prefect/manifests/"+tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := r.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("HEAD %s: %s, want %d", tag, resp.Status, status)
		}
	}
}

// On Prefect's catalog, following its own Links from n=1000 skips tags
// (an "X" after its "X-kubernetes" ended a page) and sends some twice (an
// "X-conda" and "X-kubernetes" again after their "X" ended a page: they
// sort after it as bytes), as distribution v3.1 on S3 does; the answer
// without n holds every tag once, in storage-key order, unlinked.
func TestObjectStorageOrderPrefect(t *testing.T) {
	r := registrytest.Prefect(t, registrytest.ObjectStorageShape().Opts...)
	want := registrytest.KeyOrder(slices.Clone(sortedCatalog(t)))

	resp, whole := get(t, r, "/v2/"+repo+"/tags/list", nil)
	if !slices.Equal(whole.Tags, want) || nextLink(t, resp) != "" {
		t.Errorf("without n: %d tags, Link %q; want the %d of the catalog in key order, no Link", len(whole.Tags), resp.Header.Get("Link"), len(want))
	}

	paged, pages := walk(t, r, "/v2/"+repo+"/tags/list?n=5000", 20)
	endExtends := func(tg string) bool { // a page ends with a tag that extends tg
		return slices.ContainsFunc(pages, func(p tagList) bool {
			return len(p.Tags) > 0 && p.Tags[len(p.Tags)-1] != tg && strings.HasPrefix(p.Tags[len(p.Tags)-1], tg)
		})
	}
	endExtended := func(tg string) bool { // a page ends with a tag that tg extends
		return slices.ContainsFunc(pages, func(p tagList) bool {
			return len(p.Tags) > 0 && p.Tags[len(p.Tags)-1] != tg && strings.HasPrefix(tg, p.Tags[len(p.Tags)-1])
		})
	}
	for i, p := range pages {
		if len(p.Tags) > 1000 || i < len(pages)-1 && len(p.Tags) != 1000 {
			t.Errorf("page %d holds %d tags: want 1000 on every linked page", i, len(p.Tags))
		}
		for j := 1; j < len(p.Tags); j++ {
			if strings.Compare(p.Tags[j-1]+"/", p.Tags[j]+"/") >= 0 {
				t.Errorf("page %d: %q before %q, not in key order", i, p.Tags[j-1], p.Tags[j])
			}
		}
	}
	seen := map[string]bool{}
	twice := 0
	for _, tg := range paged {
		if seen[tg] {
			twice++
			if !endExtended(tg) {
				t.Errorf("%q sent twice, but no page ends with a tag it extends", tg)
			}
		}
		seen[tg] = true
	}
	var skipped []string
	for _, tg := range want {
		if !seen[tg] {
			skipped = append(skipped, tg)
			if !endExtends(tg) {
				t.Errorf("%q skipped, but no page ends with a tag that extends it", tg)
			}
		}
	}
	if len(skipped) == 0 || twice == 0 || len(seen)+len(skipped) != len(want) {
		t.Fatalf("its Links gave %d tags (%d twice) and skipped %d of %d: want some skipped and some twice, none added", len(paged), twice, len(skipped), len(want))
	}
	t.Logf("its Links, 1000 a page, read %d pages, send %d tags twice and skip %d of %d, such as %q", len(pages), twice, len(skipped), len(want), skipped[:min(3, len(skipped))])
}

// The S3 shape is named for the benchmark and kept out of Shapes, which
// nine test files run in full.
func TestObjectStorageShape(t *testing.T) {
	s := registrytest.ObjectStorageShape()
	if s.Name != "distribution-v3.1-s3" || len(s.Opts) == 0 {
		t.Errorf("ObjectStorageShape = %q with %d options", s.Name, len(s.Opts))
	}
	for _, sh := range registrytest.Shapes() {
		if sh.Name == s.Name {
			t.Errorf("Shapes holds %q", s.Name)
		}
	}
}

// The S3 shape answers as distribution v3.1.2's own binary with its S3
// driver (against an in-memory S3 service) does, for Prefect's 2- and
// 2.20 tags: without n, n of 0, 50 (and every Link followed), 411 and
// 5000, lasts that are tags, no tags, and hold a '/'. Skipped without the
// binary (.ci/tool registry 3.1.2).
func TestObjectStorageOrderAnswersAsDistributionOnS3(t *testing.T) {
	s := distributiontest.StartV3OnS3(t, "3.1.2")
	var tags []string
	for _, tg := range tagcatalog.Prefect() {
		if strings.HasPrefix(tg, "2-") || strings.HasPrefix(tg, "2.20.") {
			tags = append(tags, tg)
		}
	}
	if _, err := s.Push(repo, tags[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.TagMany(repo, tags[0], tags[1:]); err != nil {
		t.Fatal(err)
	}
	double := registrytest.New(t, registrytest.ObjectStorageShape().Opts...)
	if err := double.Seed(repo, tags); err != nil {
		t.Fatal(err)
	}
	realClient := &http.Client{Transport: s.Transport()}
	answer := func(c *http.Client, base, query, user, password string) (string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/v2/"+repo+"/tags/list"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Tags []string `json:"tags"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil && resp.StatusCode == http.StatusOK {
			t.Fatal(err)
		}
		link := resp.Header.Get("Link")
		if i := strings.Index(link, "?"); i >= 0 {
			link = link[i:] // the real one's is absolute
		}
		return fmt.Sprintf("%d %q", resp.StatusCode, body.Tags), link
	}
	queries := []string{"", "?n=0", "?n=411", "?n=5000", "?n=50", "?last=2-latest", "?n=7&last=2-latest-conda",
		"?n=7&last=2.20.1", "?n=7&last=2.20.1-python3.1", "?n=7&last=2.20.10%2F", "?n=7&last=2-latest%2Fx", "?n=7&last=2-latest%2F", "?n=7&last=%2F~", "?n=7&last=2.20.99", "?n=7&last=2.20.9%2F1", "?n=3&last=~"}
	asked := len(queries)
	for i := 0; i < len(queries); i++ {
		q := queries[i]
		got, link := answer(realClient, "https://"+s.Host, q, s.Username, s.Password)
		want, wlink := answer(http.DefaultClient, double.URL(), q, "", "")
		if got != want || link != wlink {
			t.Errorf("%s: distribution v3.1.2 on S3 answered %.300s Link %q; the double %.300s Link %q", q, got, link, want, wlink)
		}
		if strings.Contains(q, "n=50") && link != "" && len(queries) < 100 {
			queries = append(queries, strings.TrimSuffix(link, `>; rel="next"`))
		}
	}
	if links := len(queries) - asked; links < 8 {
		t.Errorf("n=50 was linked %d times: want a walk of its 411 tags", links)
	}
}
