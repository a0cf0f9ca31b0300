package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// respelled is the repository prefecthq/prefect of reg as localhost:PORT
// and as LOCALHOST:PORT: one repository, written two ways.
func respelled(t *testing.T, reg *registrytest.Registry) (lower, upper Repository) {
	t.Helper()
	_, port, _ := strings.Cut(reg.Host(), ":")
	var err error
	if lower, err = ParseRepository("localhost:" + port + "/prefecthq/prefect"); err != nil {
		t.Fatal(err)
	}
	if upper, err = ParseRepository("LOCALHOST:" + port + "/prefecthq/prefect"); err != nil {
		t.Fatal(err)
	}
	return lower, upper
}

// Two spellings of one repository in one plan cost one ping, one listing
// and one HEAD per tag: the Client's caches are keyed by the repository,
// not by how it was written.
func TestRespelledRepositorySharesRequests(t *testing.T) {
	noDockerConfig(t)
	reg := registrytest.New(t, registrytest.WithBasicAuth("u", "p"))
	if err := reg.Seed("prefecthq/prefect", []string{"3.1.0-python3.12", "3.1.1-python3.12", "3.2.0-python3.12"}); err != nil {
		t.Fatal(err)
	}
	lower, upper := respelled(t, reg)
	c := newTestClient(t, Config{Credentials: []Credential{{Host: lower.registry, Username: "u", Password: "p"}}})
	ctx := context.Background()
	for _, r := range []TagRange{{}, {After: "3.1", Before: "3.2"}} {
		for _, ref := range []Repository{lower, upper} {
			if _, err := c.ListTagRange(ctx, ref, r); err != nil {
				t.Fatalf("%s %+v: %v", ref, r, err)
			}
		}
	}
	for _, ref := range []Repository{lower, upper} {
		if _, err := c.Head(ctx, ref, "3.2.0-python3.12"); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
	}
	once := reg.Counts()
	reg.ResetCounts()
	c = newTestClient(t, Config{Credentials: []Credential{{Host: lower.registry, Username: "u", Password: "p"}}})
	for _, r := range []TagRange{{}, {After: "3.1", Before: "3.2"}} {
		if _, err := c.ListTagRange(ctx, lower, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Head(ctx, lower, "3.2.0-python3.12"); err != nil {
		t.Fatal(err)
	}
	if alone := reg.Counts(); once != alone {
		t.Errorf("two spellings sent %+v; one spelling alone sends %+v", once, alone)
	}
}

// A listing shared by two spellings of one repository fails, for each
// caller, with an error that quotes the repository and registry as that
// caller wrote them. Before, the second spelling's error quoted the first
// caller's spelling (the listing's own), which the second caller's
// configuration does not hold.
func TestListingErrorQuotesEachSpelling(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name   string
		seeded bool
		refuse bool // tag list requests answer 500
		r      TagRange
	}{
		{name: "whole list, no such repository", r: TagRange{}},
		{name: "range, no such repository", r: TagRange{After: "3.1", Before: "3.2"}},
		{name: "whole list, refused", seeded: true, refuse: true, r: TagRange{}},
		{name: "range, refused", seeded: true, refuse: true, r: TagRange{After: "3.1", Before: "3.2", Splits: []string{"3.1.1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse := tc.refuse
			reg := registrytest.New(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if refuse && registrytest.KindOf(req) == "list" {
						w.WriteHeader(http.StatusInternalServerError)
						return
					}
					next.ServeHTTP(w, req)
				})
			}))
			if tc.seeded {
				if err := reg.Seed("prefecthq/prefect", []string{"3.1.0-python3.12", "3.1.1-python3.12", "3.2.0-python3.12"}); err != nil {
					t.Fatal(err)
				}
			}
			lower, upper := respelled(t, reg)
			c := newTestClient(t, Config{})
			for _, ref := range []Repository{lower, upper, lower} {
				_, err := c.ListTagRange(context.Background(), ref, tc.r)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s: %v, want an *Error", ref, err)
				}
				if e.Repository != ref.String() || e.Registry != ref.registry {
					t.Errorf("the error of %s names repository %q on registry %q; want the caller's own spelling, %q on %q", ref, e.Repository, e.Registry, ref.String(), ref.registry)
				}
				if want := "repository " + ref.String() + " on registry " + ref.registry; !strings.Contains(err.Error(), want) {
					t.Errorf("the error of %s does not say %q: %v", ref, want, err)
				}
			}
		})
	}
}
