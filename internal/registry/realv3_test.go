package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests run the client against CNCF distribution v3's own registry
// binary, each version of distributiontest.V3Versions, built from the Go
// module proxy by .ci/tool (`.ci/tool registry 3.0.0`), over HTTPS with a
// generated CA and htpasswd basic auth, seeded with Prefect's whole tag
// catalog. Without the binaries they skip, unless
// PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1 (as in CI).

// v3Shape names the shape of registrytest.Shapes that stands for each
// distribution v3 release: its tag lists must answer as the real one does.
var v3Shape = map[string]string{"3.0.0": "distribution-v3.0", "3.1.2": "distribution-v3.1"}

// realV3 starts distribution v<version> with Prefect's tag catalog in
// prefecthq/prefect.
func realV3(t *testing.T, version string) *distributiontest.Server {
	t.Helper()
	s := distributiontest.StartV3(t, version, "")
	if _, err := s.SeedAlike("prefecthq/prefect", tagcatalog.Prefect()); err != nil {
		t.Fatal(err)
	}
	return s
}

// tagListAnswer is what a tag list request was answered with.
type tagListAnswer struct {
	Status int
	Tags   []string
	Null   bool   // "tags": null
	Link   string // the Link header
	Code   string // the first error code of a 4xx or 5xx body
}

func getTagList(t *testing.T, c *http.Client, base, query, user, password string) tagListAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v2/prefecthq/prefect/tags/list"+query, nil)
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
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := tagListAnswer{Status: resp.StatusCode, Link: resp.Header.Get("Link")}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Errors []struct{ Code string } `json:"errors"`
		}
		if json.Unmarshal(b, &e) == nil && len(e.Errors) > 0 {
			a.Code = e.Errors[0].Code
		}
		return a
	}
	var body struct {
		Tags *[]string `json:"tags"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s: %v: %s", query, err, b)
	}
	if body.Tags == nil {
		a.Null = true
	} else {
		a.Tags = *body.Tags
	}
	return a
}

// tagListQueries are the requests whose answers the doubles must give as
// the real servers do: no n, n below, at and above the list's size and
// distribution 3.1's maxtags (1000), n of 0 and below, a last that is a
// tag, no tag (inside the list, below it, past it, between a tag and its
// longer names), with and without n, and the range starts and splits the
// client sends ("/~", "3.7~", "2.10/").
func tagListQueries(sorted []string) []string {
	mid := sorted[len(sorted)/2]
	q := []string{
		"", "?n=10", "?n=1000", "?n=1001", "?n=100000", "?n=0", "?n=-1", "?n=x",
		"?last=" + mid, "?n=5&last=" + mid, "?n=5&last=" + mid + "~", "?n=5&last=" + mid + "-",
		"?n=5&last=/~", "?n=5&last=3.7~", "?n=5&last=3.8", "?n=5&last=2.10/", "?n=5&last=2.1/",
		"?n=5&last=zzz", "?last=zzz", "?n=5&last=" + sorted[len(sorted)-1], "?n=2&last=" + sorted[len(sorted)-3],
		"?n=1&last=" + sorted[len(sorted)-2], "?n=5&last=" + sorted[len(sorted)-1] + "~",
		"?n=5&last=2.20.4-python3.11", "?n=5&last=sha-", "?n=5&last=3.1~",
	}
	// A page that ends exactly at the list's end, asked from the start.
	return append(q, fmt.Sprintf("?n=%d", len(sorted)))
}

// What each real distribution v3 answers to the tag list requests of
// tagListQueries is what the double that stands for it answers: the same
// tags in the same order, the same Link (or none), the same status and
// error code, "tags": null where it sends null.
func TestRealV3TagListsAnswerAsTheirDoubles(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	sorted := slices.Sorted(slices.Values(all))
	for _, version := range distributiontest.V3Versions {
		t.Run("v"+version, func(t *testing.T) {
			real := realV3(t, version)
			var shape registrytest.Shape
			for _, sh := range registrytest.Shapes() {
				if sh.Name == v3Shape[version] {
					shape = sh
				}
			}
			if shape.Name == "" {
				t.Fatalf("registrytest.Shapes has no %q for distribution v%s", v3Shape[version], version)
			}
			double := registrytest.Prefect(t, shape.Opts...)
			realClient := &http.Client{Transport: real.Transport()}
			for _, q := range tagListQueries(sorted) {
				if strings.Contains(q, "/") && version != "3.0.0" {
					// v3.1 compares last as a storage path: it answers
					// "2.10/" from "2.10-python3.10" and "/~" with no
					// tags. The double does not; the client never
					// sends such a last (sentLast).
					continue
				}
				got := getTagList(t, realClient, "https://"+real.Host, q, real.Username, real.Password)
				want := getTagList(t, http.DefaultClient, "http://"+double.Host(), q, "", "")
				if got.Status != want.Status || got.Code != want.Code || got.Null != want.Null || got.Link != want.Link || !slices.Equal(got.Tags, want.Tags) {
					t.Errorf("%s: distribution v%s answered %s; the double %q answered %s", q, version, got, shape.Name, want)
				}
			}
		})
	}
}

func (a tagListAnswer) String() string {
	tags := fmt.Sprintf("%d tags", len(a.Tags))
	if len(a.Tags) > 0 {
		tags += fmt.Sprintf(" %q…%q", a.Tags[0], a.Tags[len(a.Tags)-1])
	}
	if a.Null {
		tags = "tags null"
	}
	return fmt.Sprintf("[%d %s %s Link %q]", a.Status, a.Code, tags, a.Link)
}

// On each real distribution v3, the client's narrowed readings give the
// tags a selection over the whole catalog needs, one range after another
// and a plan's twelve ranges at once, and cost what they cost on the
// double that stands for it: no more list requests than a full listing
// (and, on v3.0.0, whose skip the check between two first-page tags
// shows, the probe, the check and a first page per other range).
func TestRealV3RangesAsWholeList(t *testing.T) {
	noDockerConfig(t)
	for _, version := range distributiontest.V3Versions {
		t.Run("v"+version, func(t *testing.T) {
			s := realV3(t, version)
			count := &registrytest.ListRequests{}
			full, used := rangesAsWholeList(t, repoOf(t, s.Repository("prefecthq/prefect")), count, func() *Client {
				return newTestClient(t, Config{
					CACertPEM:   []byte(s.CACertPEM),
					Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
					MaxRetries:  1,
					Logger:      count,
				})
			})
			limit := full
			if version == "3.0.0" {
				plan, _ := fleetPlanRanges()
				limit = full + 2 + len(plan) - 1
			}
			if used > limit {
				t.Errorf("a plan's ranges sent %d list requests, want at most %d (a full listing: %d)", used, limit, full)
			}
		})
	}
}

// rangesAsWholeList reads ref, which holds Prefect's catalog, on clients
// from client whose list requests count counts: the whole list, four
// ranges one after another on one client, and a plan's twelve ranges
// (fleetPlanRanges) at once on a fresh one. Each must give exactly the
// catalog's tags inside it. It returns the list requests of the full
// listing and of the plan.
func rangesAsWholeList(t *testing.T, ref Repository, count *registrytest.ListRequests, client func() *Client) (full, used int) {
	t.Helper()
	want := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	plan, callers := fleetPlanRanges()
	ctx := context.Background()
	count.Take()
	got, err := client().ListTags(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ListTags: %d tags, the catalog has %d", len(got), len(want))
	}
	full = count.Take()
	t.Logf("a full listing: %d list requests", full)

	c := client()
	for _, rg := range []TagRange{
		{After: "3.8", Before: "3.9", Splits: []string{"3.8.1", "3.8.2", "3.8.3"}},
		{After: "2.20", Before: "2.21"},
		{After: "/~", Before: "9~", Splits: prefectSplits},
		{},
	} {
		got, err := c.ListTagRange(ctx, ref, rg)
		if err != nil {
			t.Fatalf("range %+v: %v", rg, err)
		}
		if w := inRange(want, rg); !slices.Equal(got, w) {
			t.Errorf("range %+v: %d tags, want %d", rg, len(got), len(w))
		}
	}
	t.Logf("four ranges one after another: %d list requests", count.Take())

	c = client()
	var g errgroup.Group
	for i, rg := range plan {
		for range callers[i] {
			g.Go(func() error {
				got, err := c.ListTagRange(ctx, ref, rg)
				if err == nil && !slices.Equal(got, inRange(want, rg)) {
					err = fmt.Errorf("range %+v: %d tags, want %d", rg, len(got), len(inRange(want, rg)))
				}
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	used = count.Take()
	t.Logf("a plan's %d ranges at once: %d list requests", len(plan), used)
	return full, used
}
