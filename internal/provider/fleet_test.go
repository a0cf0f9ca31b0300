package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A fleet: dozens of pins over two repositories of one registry, in one
// configuration, as a platform team's work pools hold them.

const clientRepo = "prefecthq/prefect-client"

// fleetTags is what the fleet's two repositories hold: releases 3.3.0 to
// 3.3.5 and 3.4.0 to 3.4.5 for Python 3.10 to 3.12 in three flavors (the
// client: standard only), and moving tags.
func fleetTags(client bool) []string {
	var tags []string
	flavors := []string{"", "-conda", "-kubernetes"}
	if client {
		flavors = []string{""}
	}
	for _, minor := range []string{"3.3", "3.4"} {
		for patch := 0; patch <= 5; patch++ {
			for _, py := range []string{"3.10", "3.11", "3.12"} {
				for _, f := range flavors {
					tags = append(tags, fmt.Sprintf("%s.%d-python%s%s", minor, patch, py, f))
				}
			}
		}
	}
	return append(tags, "3-latest", "3.4-python3.12", "3-python3.11")
}

type fleetPin struct {
	name, repo, prefect, python, flavor, tag string
}

// fleetPins: 36 pins, 27 on prefecthq/prefect and 9 on the client.
func fleetPins() []fleetPin {
	var pins []fleetPin
	for _, c := range []struct{ name, constraint string }{{"p34", "~> 3.4.0"}, {"p33", "~> 3.3.0"}, {"p332", "3.3.2"}} {
		for _, py := range []string{"3.10", "3.11", "3.12"} {
			short := strings.ReplaceAll(py, ".", "")
			for _, f := range []string{"standard", "conda", "kubernetes"} {
				if c.name == "p332" && f != "standard" {
					continue
				}
				pins = append(pins, fleetPin{name: c.name + "_py" + short + "_" + f, prefect: c.constraint, python: py, flavor: f})
			}
			pins = append(pins, fleetPin{name: "client_" + c.name + "_py" + short, repo: clientRepo, prefect: c.constraint, python: py})
		}
	}
	return append(pins,
		fleetPin{name: "latest", tag: "3-latest"},
		fleetPin{name: "minor", tag: "3.4-python3.12"},
		fleetPin{name: "major", tag: "3-python3.11"},
	)
}

func (p fleetPin) body(host string) string {
	var b strings.Builder
	attr := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %s = %q\n", k, v)
		}
	}
	if p.repo != "" {
		attr("repository", host+"/"+p.repo)
	}
	attr("prefect_version", p.prefect)
	attr("python_version", p.python)
	attr("flavor", p.flavor)
	attr("tag", p.tag)
	return b.String()
}

// fleetConfig holds every pin as a resource with on_drift, and as a data
// source when data.
func fleetConfig(reg *registrytest.Registry, providerExtra, onDrift string, data bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
provider "prefectimage" {
  repository      = %q
  request_timeout = "2s"
  max_retries     = 2
%s
}
`, reg.Host()+"/"+prefectRepo, providerExtra)
	for _, p := range fleetPins() {
		fmt.Fprintf(&b, "\nresource \"prefectimage_pin\" %q {\n%s  on_drift = %q\n}\n", p.name, p.body(reg.Host()), onDrift)
		if data {
			fmt.Fprintf(&b, "\ndata \"prefectimage_pin\" %q {\n%s}\n", p.name, p.body(reg.Host()))
		}
	}
	return b.String()
}

func newFleetRegistry(t *testing.T, opts ...registrytest.Option) *registrytest.Registry {
	t.Helper()
	reg := newSeededRegistry(t, fleetTags(false), opts...)
	if err := reg.Seed(clientRepo, fleetTags(true)); err != nil {
		t.Fatal(err)
	}
	return reg
}

// countingCheck is a plan check that runs fn between Terraform commands.
type countingCheck func()

func (c countingCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	c()
}

// afterN lets the first n /v2/ requests through, then answers every one
// with fail.
func afterN(n int, fail func(w http.ResponseWriter, r *http.Request)) registryFault {
	var mu sync.Mutex
	seen := 0
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v2") {
			return false
		}
		mu.Lock()
		seen++
		pass := seen <= n
		mu.Unlock()
		if pass {
			return false
		}
		fail(w, r)
		return true
	}
}

// oneReadAtATime refreshes one pin at a time, as -parallelism=1 would
// (which terraform-plugin-testing cannot pass), so that what is in flight
// when a fault begins is the same in every run.
func oneReadAtATime(factories map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	var mu sync.Mutex
	out := map[string]func() (tfprotov6.ProviderServer, error){}
	for name, f := range factories {
		out[name] = func() (tfprotov6.ProviderServer, error) {
			s, err := f()
			return &serialReads{ProviderServer: s, mu: &mu}, err
		}
	}
	return out
}

type serialReads struct {
	tfprotov6.ProviderServer
	mu *sync.Mutex
}

func (s *serialReads) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ProviderServer.ReadResource(ctx, req)
}

// fleetState records every pin's tag, digest and upstream_* in state.
type fleetState map[string]map[string]string

func (f fleetState) record(s *terraform.State) error {
	for address, rs := range s.RootModule().Resources {
		if rs.Type != "prefectimage_pin" || strings.HasPrefix(address, "data.") {
			continue
		}
		f[address] = map[string]string{}
		for _, a := range []string{"tag", "digest", "ref", "upstream_tag", "upstream_digest"} {
			f[address][a] = rs.Primary.Attributes[a]
		}
	}
	if len(f) != len(fleetPins()) {
		return fmt.Errorf("%d pins in state, want %d", len(f), len(fleetPins()))
	}
	return nil
}

// holds checks that every pin in state is as recorded.
func (f fleetState) holds(s *terraform.State) error {
	now := fleetState{}
	if err := now.record(s); err != nil {
		return err
	}
	for address, attrs := range f {
		for a, want := range attrs {
			if got := now[address][a]; got != want {
				return fmt.Errorf("%s.%s = %q, was %q", address, a, got, want)
			}
		}
	}
	return nil
}

// A registry that starts rate-limiting halfway through the refresh of a
// fleet (36 pins over two repositories, one plan at a time): once one
// request has spent its retries on the 429, nothing more is sent to the
// registry in that run, so the plan costs the requests it made before,
// those in flight, and their retries: not a retry round for each pin left.
// Every pin holds, each failing one with a warning that names it and the
// rate limit; once the registry recovers, the plan is empty. Without
// Retry-After, with one that fits in max_retries, and with one far beyond.
func TestAccFleet_rateLimitedMidRefresh(t *testing.T) {
	for name, retryAfter := range map[string][]string{
		"no Retry-After":     nil,
		"Retry-After 1":      {"Retry-After", "1"},
		"Retry-After 1 hour": {"Retry-After", "3600"},
	} {
		t.Run(name, func(t *testing.T) {
			isolateHome(t)
			faults := &faultSwitch{}
			reg := newFleetRegistry(t, registrytest.WithMiddleware(faults.middleware))
			rec := &diagRecorder{}
			config := fleetConfig(reg, "", "update", false)
			pinned := fleetState{}
			steady, allowed := 0, 0
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: oneReadAtATime(rec.factories()),
				Steps: []resource.TestStep{{
					Config: config,
					Check:  pinned.record,
				}, {
					// A steady refresh: HEADs and tag lists only.
					PreConfig: reg.ResetCounts,
					Config:    config,
					PlanOnly:  true,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPreRefresh: []plancheck.PlanCheck{countingCheck(reg.ResetCounts)},
						PostApplyPostRefresh: []plancheck.PlanCheck{countingCheck(func() {
							c := reg.Counts()
							if c.Get != 0 || c.Head == 0 {
								t.Errorf("a steady refresh made %+v: want HEADs and no manifest GET", c)
							}
							steady = c.Total()
						})},
					},
				}, {
					PreConfig: func() {
						allowed = steady / 2
						reg.ResetCounts()
						rec.reset()
						faults.set(afterN(allowed, answer(http.StatusTooManyRequests, retryAfter...)))()
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						countingCheck(func() {
							// max_retries = 2: at most three attempts of each
							// request the refreshing pin has in flight (pieces
							// of its span's listing, the check of their order,
							// the HEAD begun meanwhile), then nothing.
							c := reg.Counts()
							if limit := allowed + 3*4; c.Total() > limit {
								t.Errorf("the rate-limited refresh sent %d requests (%+v), want at most %d: %d before the limit, then one pin's retries",
									c.Total(), c, limit, allowed)
							}
							if c.Total() <= allowed {
								t.Errorf("the registry was never rate-limited: %d requests", c.Total())
							}
						}),
					}},
					Check: func(s *terraform.State) error {
						if err := pinned.holds(s); err != nil {
							return err
						}
						rec.mu.Lock()
						defer rec.mu.Unlock()
						warned := map[string]bool{}
						for _, d := range rec.diags {
							if !strings.HasPrefix(d, "warning: Upstream Image Not Checked: Could not check whether ") ||
								!strings.Contains(d, "rate-limited") || !strings.Contains(d, "registry_auth") {
								return fmt.Errorf("unexpected diagnostic: %s", d)
							}
							ref, _, _ := strings.Cut(strings.TrimPrefix(d, "warning: Upstream Image Not Checked: Could not check whether "), " ")
							warned[ref] = true
						}
						if len(warned) == 0 {
							return fmt.Errorf("no pin warned of the rate limit")
						}
						for ref := range warned {
							found := false
							for _, attrs := range pinned {
								found = found || attrs["tag"] != "" && strings.HasSuffix(ref, ":"+attrs["tag"]+"@"+attrs["digest"])
							}
							if !found {
								return fmt.Errorf("a warning names %s, which no pin holds", ref)
							}
						}
						return nil
					},
				}, {
					// The registry recovers: nothing to change.
					PreConfig: faults.set(nil),
					Config:    config,
					PlanOnly:  true,
				}},
			})
		})
	}
}
