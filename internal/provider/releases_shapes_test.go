package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// catalogReleases is what prefectimage_releases lists for a filter over
// tags, computed without a registry, as expectReleases takes it.
func catalogReleases(t *testing.T, tags []string, version, python, flavor string, pre bool) []string {
	t.Helper()
	f, err := prefecttag.ParseReleaseFilter(version, python, flavor, pre)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range prefecttag.NewCatalog(tags).Releases(f) {
		names := make([]string, len(r.Images))
		for i, img := range r.Images {
			names[i] = img.Name
		}
		out = append(out, r.Version.String()+": "+strings.Join(names, " "))
	}
	return out
}

// prefectimage_releases through Terraform lists the same releases, in the
// same order, from a registry in lexical order, one in an order of its own
// (last taken by position), one that pages by opaque cursor and one that
// answers the whole list at once, unsorted: what Prefect's catalog holds
// for each filter.
func TestAccReleasesDataSource_sameOnEveryShape(t *testing.T) {
	isolateHome(t)
	tags := tagcatalog.Prefect()
	filters := []struct {
		name, body, version, python, flavor string
		pre                                 bool
	}{
		{"every", "allow_prereleases = true", "", "", "", true},
		{"minor", "prefect_version = \"~> 3.8.0\"\n  python_version = \"3.12\"", "~> 3.8.0", "3.12", "", false},
		{"conda2", "prefect_version = \"==2.*\"\n  flavor = \"conda\"", "==2.*", "", "conda", false},
	}
	var config strings.Builder
	var checks []statecheck.StateCheck
	var first *registrytest.Registry
	for _, shape := range []string{"lexical", "positional-shuffled", "cursor", "whole-unsorted"} {
		var opts []registrytest.Option
		for _, s := range registrytest.Shapes() {
			if s.Name == shape {
				opts = s.Opts
			}
		}
		reg := newSeededRegistry(t, tags, opts...)
		if first == nil {
			first = reg
			config.WriteString(providerConfig(reg))
		}
		for _, f := range filters {
			name := strings.ReplaceAll(shape, "-", "_") + "_" + f.name
			fmt.Fprintf(&config, "data \"prefectimage_releases\" %q {\n  repository = %q\n  %s\n}\n", name, reg.Host()+"/"+prefectRepo, f.body)
			checks = append(checks, expectReleases("data.prefectimage_releases."+name, catalogReleases(t, tags, f.version, f.python, f.flavor, f.pre)...)...)
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config.String(), ConfigStateChecks: checks}},
	})
}

// One prefectimage_releases and a dozen pins of one repository in one
// configuration share the listing: no tag list page is read twice by one
// configured provider, and the releases make no manifest request. A pin's
// span asked while the releases' listing of every release tag runs waits
// for it, and so does one asked first, when the listing is asked before the
// registry's order is known; one past that point reads its own pages, so
// the count depends on the order Terraform reads them in: 26 or 27 pages
// in 11 of 12 runs (39 in one, maybe built while the change was stashed),
// 26 being the releases' alone; 26 to 55 in 8 runs before a span asked
// first waited, and 67 in each of 3 runs before spans joined a covering
// reading. 67 is the most when no pin joins, which Terraform's order can
// still give: the bound.
func TestAccReleasesDataSource_oneListingWithADozenPins(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, nil)
	var config strings.Builder
	config.WriteString(providerConfig(reg) + "\ndata \"prefectimage_releases\" \"every\" {}\n")
	for i, body := range []string{
		`prefect_version = "~> 3.8.0"`, `prefect_version = "~> 3.8.0"` + "\n  flavor = \"conda\"", `prefect_version = "~> 3.7"`,
		`prefect_version = "3.7.8"`, `prefect_version = "~> 3.4.0"` + "\n  python_version = \"3.11\"", `prefect_version = "~> 2.20"`,
		`prefect_version = "==3.1.*"` + "\n  flavor = \"kubernetes\"", `python_version = "3.10"`, `prefect_version = ">= 3.0, < 3.3"`,
		`prefect_version = "3.0.0rc14"`, `prefect_version = "~> 3.6.0"` + "\n  python_version = \">= 3.12\"", `prefect_version = "~> 2.19.0"`,
	} {
		fmt.Fprintf(&config, "data \"prefectimage_pin\" \"p%d\" {\n  %s\n}\n", i, body)
	}
	// A pin of a tag is HEADed once by every configured provider that
	// resolves it: the count of those.
	config.WriteString("data \"prefectimage_pin\" \"anchor\" {\n  tag = \"3-latest\"\n}\n")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: reg.ResetCounts,
			Config:    config.String(),
			Check: func(*terraform.State) error {
				providers := 0
				for _, line := range reg.Requests() {
					if strings.HasPrefix(line, "HEAD ") && strings.HasSuffix(line, "/manifests/3-latest") {
						providers++
					}
				}
				pages := listPages(reg.Requests())
				t.Logf("%d tag list pages read by %d configured providers", len(pages), providers)
				for page, n := range pages {
					if n > providers {
						return fmt.Errorf("page %s read %d times by %d configured providers: want once each", page, n, providers)
					}
				}
				if len(pages) > 67*providers {
					return fmt.Errorf("%d tag list pages read by %d configured providers: want at most 67 each", len(pages), providers)
				}
				if c := reg.Counts(); providers == 0 || len(pages) == 0 || c.Get != 0 {
					return fmt.Errorf("%d providers, %d pages, %+v: want the pins resolved from tag lists and HEADs alone", providers, len(pages), c)
				}
				return nil
			},
		}},
	})
}

// Odd registries: a repository that lists no tag, a release tag listed
// but whose manifest is gone (404), and a release whose index lists
// attestations only. prefectimage_releases reads tag lists alone: the
// first lists nothing (an empty versions, a null latest), the second
// lists the release. A pin of the second fails naming the tag as listed;
// one of the third with required_platforms fails naming the image and
// what its index holds instead.
func TestAccReleasesDataSource_oddRegistries(t *testing.T) {
	isolateHome(t)
	tags := []string{"3.8.3-python3.12", "3.8.2-python3.12", "3.8.1-python3.12", "3-latest"}
	gone := registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasSuffix(req.URL.Path, "/manifests/3.8.3-python3.12") {
				http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`, http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, req)
		})
	})
	reg := newSeededRegistry(t, tags, gone)
	if err := reg.Seed("acme/empty", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushPlatforms(prefectRepo, "3.8.2-python3.12"); err != nil { // attestations only
		t.Fatal(err)
	}
	repo := reg.Host() + "/" + prefectRepo
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + fmt.Sprintf(`
data "prefectimage_releases" "empty" {
  repository = "%s/acme/empty"
}
data "prefectimage_releases" "gone" {
  prefect_version = "~> 3.8.0"
}
`, reg.Host()),
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.empty"),
				expectReleases("data.prefectimage_releases.gone", "3.8.3: 3.8.3-python3.12", "3.8.2: 3.8.2-python3.12", "3.8.1: 3.8.1-python3.12")...),
		}, {
			Config: providerConfig(reg) + fmt.Sprintf(`
data "prefectimage_pin" "empty" {
  repository = "%s/acme/empty"
}`, reg.Host()),
			ExpectError: regexp.MustCompile(`No Prefect Image Matches the Selector`),
		}, {
			Config:      providerConfig(reg) + `data "prefectimage_pin" "gone" { prefect_version = "~> 3.8.0" }`,
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*` + wrapped(`The tag 3.8.3-python3.12 is in the repository's tag list`).String()),
		}, {
			Config: providerConfig(reg) + `
data "prefectimage_pin" "attestations" {
  prefect_version    = "3.8.2"
  required_platforms = ["linux/amd64", "linux/arm64"]
}`,
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` + wrapped(repo+":3.8.2-python3.12@sha256:").String() +
				`[0-9a-f]{64}\s+lacks\s+the\s+required\s+linux/amd64,\s+linux/arm64;\s+it\s+has\s+no\s+platform\s+at\s+all:\s+its\s+index\s+lists\s+one\s+entry`),
		}},
	})
}

// A guarded pin whose upstream is re-pushed as an index of attestations
// only, and then answers 404 for the tag it lists, holds its image and
// state through both, and warns: the first time with what the index holds
// instead of a platform.
func TestAccPinResource_requiredPlatformsAttestationsOnlyThenGone(t *testing.T) {
	isolateHome(t)
	var gone atomic.Bool
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if gone.Load() && strings.HasSuffix(req.URL.Path, "/manifests/3.4.2-python3.12") {
				http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`, http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, req)
		})
	}))
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	config := guardedConfig(reg, "update")
	var good string
	held := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
		expectStateString{pinAddress, "digest", func() string { return good }},
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check:  func(*terraform.State) error { good = mustDigest(t, reg, "3.4.2-python3.12"); return nil },
		}, {
			PreConfig: pushPlatforms(t, reg, rec, "3.4.2-python3.12"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: held,
			Check: rec.expectWarning(`(?s)Upstream Image Lacks Required Platforms: .*lacks the required linux/amd64, linux/arm64; it has no platform at all: its index lists one entry.*So the pin holds ` +
				regexp.QuoteMeta(repo+":3.4.2-python3.12@")),
		}, {
			PreConfig: func() { rec.reset(); gone.Store(true) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: held,
			Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: .*3\.4\.2-python3\.12.*the pin holds as it was.*HTTP 404 Not Found`),
		}},
	})
}
