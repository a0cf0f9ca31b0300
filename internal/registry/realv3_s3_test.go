package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// CNCF distribution v3.1.2 with its S3 storage driver (against an
// in-memory S3 service) lists tags in the order of their storage keys, so
// that "2-latest-kubernetes/" comes before "2-latest/", and takes last as a
// bound in byte order: following its own Links skips tags. Without n it
// sends every tag. The client reads every tag, the whole list and a range
// alike, where it failed before (Registry Tag List Cannot Be Read Whole).
func TestRealV3OnS3ReadsEveryTag(t *testing.T) {
	noDockerConfig(t)
	s := distributiontest.StartV3OnS3(t, "3.1.2")
	var tags []string
	for _, tg := range tagcatalog.Prefect() {
		if strings.HasPrefix(tg, "2-") || strings.HasPrefix(tg, "2.20.") {
			tags = append(tags, tg)
		}
	}
	want := slices.Sorted(slices.Values(tags))
	if _, err := s.Push("prefecthq/prefect", tags[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.TagMany("prefecthq/prefect", tags[0], tags[1:]); err != nil {
		t.Fatal(err)
	}

	// The shape this test is for: the registry's own Links skip tags.
	const n = 50
	hc := &http.Client{Transport: s.Transport()}
	base := "https://" + s.Host
	var paged []string
	for query := "?n=50"; query != ""; {
		a := getTagList(t, hc, base, query, s.Username, s.Password)
		if a.Status != http.StatusOK {
			t.Fatalf("%s: %v", query, a)
		}
		paged = append(paged, a.Tags...)
		query = ""
		if a.Link != "" {
			u, err := url.Parse(strings.Trim(strings.SplitN(a.Link, ";", 2)[0], "<>"))
			if err != nil {
				t.Fatal(err)
			}
			query = "?" + u.RawQuery
		}
	}
	skipped := setDiff(want, paged)
	if len(skipped) == 0 {
		t.Fatalf("distribution on S3 paged by its Links gave every one of %d tags: not the shape this test is for", len(want))
	}
	t.Logf("its Links, %d a page, skip %d of %d tags, such as %q", n, len(skipped), len(want), head(skipped))

	ref := repoOf(t, s.Repository("prefecthq/prefect"))
	client := func() *Client {
		c := newTestClient(t, Config{
			CACertPEM:   []byte(s.CACertPEM),
			Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
			MaxRetries:  1,
		})
		c.pageSize = n
		return c
	}
	ctx := context.Background()
	got, err := client().ListTags(ctx, ref)
	if err != nil {
		t.Fatalf("ListTags: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ListTags: %d tags, want %d; missing %q", len(got), len(want), head(setDiff(want, got)))
	}
	for _, r := range []TagRange{
		{After: "2-latest", Before: "2-python3.11~"},
		{After: "2.20.1", Before: "2.20.2", Splits: []string{"2.20.15"}},
		{After: "/~", Before: "9~", Splits: []string{"2.", "2.20.1", "2.20.2"}},
	} {
		got, err := client().ListTagRange(ctx, ref, r)
		if err != nil {
			t.Fatalf("range %+v: %v", r, err)
		}
		if w := inRange(want, r); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d; missing %q", r, len(got), len(w), head(setDiff(w, got)))
		}
	}
}

// A repository on distribution v3.1.2 with its S3 driver holding fewer
// tags than a page, a tag and its suffixed twins among them (a mirror of
// a few Prefect images): its one page lists them in key order, "2-latest-conda"
// before "2-latest", and asked after the last it sends the twins again, so
// paging cannot show the list whole. Its answer without n is taken, as the
// page after its last key shows it was not cut (uncutAfter, keyAfterEnd).
// It failed before (Registry Tag List Cannot Be Read Whole) for every size
// below.
func TestRealV3OnS3ReadsAShortList(t *testing.T) {
	noDockerConfig(t)
	s := distributiontest.StartV3OnS3(t, "3.1.2")
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	ctx := context.Background()
	for _, size := range []int{8, 29, 57} {
		repo := fmt.Sprintf("mirror/prefect%d", size)
		want := sorted[:size]
		if _, err := s.Push(repo, want[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.TagMany(repo, want[0], want[1:]); err != nil {
			t.Fatal(err)
		}
		c := newTestClient(t, Config{
			CACertPEM:   []byte(s.CACertPEM),
			Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
			MaxRetries:  1,
		})
		got, err := c.ListTags(ctx, repoOf(t, s.Repository(repo)))
		if err != nil {
			t.Fatalf("%d tags: ListTags: %v", size, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d tags: ListTags read %d; missing %q", size, len(got), head(setDiff(want, got)))
		}
	}
}
