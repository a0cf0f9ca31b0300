package provider

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Faults through the Terraform CLI: the in-process registry behind a
// middleware that a test step's PreConfig switches between faults. A
// refresh that meets a fault keeps the pin and warns, with an empty plan; a
// data source fails with a clear error within request_timeout ×
// (max_retries+1), never a hang.

// registryFault answers a request in place of the registry, or returns
// false to let it through.
type registryFault func(w http.ResponseWriter, r *http.Request) bool

// faultSwitch is a registrytest middleware running the current fault.
type faultSwitch struct {
	mu    sync.Mutex
	fault registryFault
	// first and last are when the first request since reset arrived and
	// the last one was answered (or given up on): the provider's time at
	// the registry, without Terraform's own start-up.
	first, last time.Time
}

// span is the time from the first request since the last reset to the
// last answer.
func (f *faultSwitch) span() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last.Sub(f.first)
}

func (f *faultSwitch) resetSpan() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.first, f.last = time.Time{}, time.Time{}
}

func (f *faultSwitch) set(fault registryFault) func() {
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.fault = fault
	}
}

func (f *faultSwitch) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fault := f.fault
		if f.first.IsZero() {
			f.first = time.Now()
		}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.last = time.Now()
			f.mu.Unlock()
		}()
		if fault != nil && fault(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeRegistryError(w http.ResponseWriter, code int, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"errors":[{"code":"FAULT","message":%q}]}`, http.StatusText(code))
}

// onRegistry limits a fault to /v2/ requests (the ping and the registry
// API), or to tag list pages when listOnly.
func onRegistry(listOnly bool, fail func(w http.ResponseWriter, r *http.Request)) registryFault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v2") || (listOnly && !strings.HasSuffix(r.URL.Path, "/tags/list")) {
			return false
		}
		fail(w, r)
		return true
	}
}

// onManifests fails manifest requests with code: every one, or only GETs
// (a HEAD answers, so a refresh sees the digest; the manifest cannot be
// read).
func onManifests(getsOnly bool, code int) registryFault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if getsOnly && r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/manifests/") {
			return false
		}
		writeRegistryError(w, code)
		return true
	}
}

// recoveredStep: the registry answers again, and the plan follows upstream's
// move of tag in place.
func recoveredStep(t *testing.T, faults *faultSwitch, rec *diagRecorder, reg *registrytest.Registry, config, tag string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() { rec.reset(); faults.set(nil)() },
		Config:    config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
			expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
		}},
	}
}

func answer(code int, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { writeRegistryError(w, code, header...) }
}

func stallUntilGone(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func resetConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// everyOther fails every second attempt of each /v2/ request (the first,
// third, … of each method and URL) with code. Counting per request rather
// than across them keeps the fault the same whatever requests run at once.
func everyOther(code int) registryFault {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v2") {
			return false
		}
		mu.Lock()
		key := r.Method + " " + r.URL.RequestURI()
		seen[key]++
		fail := seen[key]%2 == 1
		mu.Unlock()
		if !fail {
			return false
		}
		writeRegistryError(w, code)
		return true
	}
}

// faultedDriftRegistry starts a registry seeded with driftTags whose
// answers faults can replace, in an isolated home, with the pinned
// repository's address and a recorder of the provider's diagnostics.
func faultedDriftRegistry(t *testing.T) (*faultSwitch, *registrytest.Registry, string, *diagRecorder) {
	t.Helper()
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	return faults, reg, reg.Host() + "/" + prefectRepo, &diagRecorder{}
}

// faultProviderConfig gives the registry a budget of 1s × (1+1) per
// request.
func faultProviderConfig(reg *registrytest.Registry) string {
	return fmt.Sprintf(`
provider "prefectimage" {
  repository      = %q
  request_timeout = "1s"
  max_retries     = 1
}
`, reg.Host()+"/"+prefectRepo)
}

// A refresh that meets 429 (with and without Retry-After), 500, 503, 401, a
// reset connection or a registry slower than request_timeout keeps the pin
// as it was, warns why, and plans nothing, though upstream moved meanwhile.
// Once the registry answers again, the move is seen.
func TestAccPinResource_refreshFaultsKeepPin(t *testing.T) {
	faults, reg, repo, rec := faultedDriftRegistry(t)
	const tag = "3.4.2-python3.12"
	config := faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}
`
	pinned := mustDigest(t, reg, tag)
	pinHolds := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+pinned)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_digest"), knownvalue.StringExact(pinned)),
	}
	faultStep := func(fault registryFault, warning string) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() { rec.reset(); faults.set(fault)() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: pinHolds,
			Check: rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether ` + regexp.QuoteMeta(repo+":"+tag) +
				`.* moved upstream, so the pin holds as it was and the plan goes on\..*` + regexp.QuoteMeta(reg.Host()) + `.*` + warning),
		}
	}
	var steps []resource.TestStep
	steps = append(steps, resource.TestStep{
		Config:            config,
		ConfigStateChecks: pinHolds,
	}, resource.TestStep{
		// Upstream moves while the registry fails: no step below may see it.
		PreConfig: func() {
			faults.set(onRegistry(false, answer(http.StatusTooManyRequests, "Retry-After", "1")))()
			push(t, reg, tag)()
			if mustDigest(t, reg, tag) == pinned {
				t.Fatal("the re-push did not change the digest")
			}
			rec.reset()
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectEmptyPlan(),
		}},
		ConfigStateChecks: pinHolds,
		Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: .*rate-limited the request \(HTTP 429 Too Many Requests\) after 2 attempts.*mirror`),
	})
	for _, f := range []struct {
		fault   registryFault
		warning string
	}{
		{onRegistry(false, answer(http.StatusTooManyRequests)), `rate-limited the request \(HTTP 429 Too Many Requests\) after 2 attempts`},
		{onRegistry(true, answer(http.StatusTooManyRequests, "Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))), `Retry-After asked to wait`},
		{onRegistry(false, answer(http.StatusInternalServerError)), `HTTP 500 Internal Server Error after 2 attempts`},
		{onRegistry(true, answer(http.StatusServiceUnavailable)), `HTTP 503 Service Unavailable after 2 attempts`},
		{onRegistry(false, answer(http.StatusUnauthorized, "WWW-Authenticate", `Basic realm="registrytest"`)), `HTTP 401 Unauthorized.*This\s+request\s+used\s+anonymous\s+access`},
		{onRegistry(true, resetConnection), `after 2 attempts`},
		{onRegistry(true, stallUntilGone), `no answer within the request timeout of 1s after 2 attempts`},
	} {
		steps = append(steps, faultStep(f.fault, f.warning))
	}
	// The registry answers again: the re-push is seen and followed.
	steps = append(steps, recoveredStep(t, faults, rec, reg, config, tag))
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
}

// A data source meeting a fault fails with the error that names it, within
// request_timeout × (max_retries+1) per request; a registry failing every
// other request still resolves.
func TestAccPinDataSource_faults(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	config := faultProviderConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}
`
	host := regexp.QuoteMeta(reg.Host())
	for _, tc := range []struct {
		name  string
		fault registryFault
		want  string
	}{
		// The listing's pieces meet the 429 together: the one that reports
		// may be the one that retried, or one that then waited its turn.
		{"429", onRegistry(true, answer(http.StatusTooManyRequests, "Retry-After", "1")), `(?s)Registry Rate Limit Reached.*` + host + `.*(after 2 attempts|its retry waited its turn).*registry_auth.*mirror`},
		{"502", onRegistry(true, answer(http.StatusBadGateway)), `(?s)Unable to Resolve Prefect Image.*list tags.*` + host + `.*HTTP 502 Bad Gateway after 2 attempts`},
		{"slow", onRegistry(true, stallUntilGone), `(?s)Unable to Resolve Prefect Image.*` + host + `.*no answer within the request timeout of 1s after 2 attempts`},
		{"reset", onRegistry(true, resetConnection), `(?s)Unable to Resolve Prefect Image.*` + host + `.*after 2 attempts`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			faults.set(tc.fault)()
			faults.resetSpan()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config,
					ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
			// The provider's time at the registry, first request to last
			// answer: the ping's budget and the listing's, 2s each
			// (request_timeout × (max_retries+1)), and one more for a
			// loaded machine. A provider that waited past its budgets (a
			// third attempt, the default 30s timeout, a request that hangs)
			// overruns it. Measured from Terraform's start, a loaded CI
			// machine's Terraform start-up alone overran a bound of 15s
			// (17.9s for the 502 case at load 17).
			t.Logf("the failing plan's requests took %s", faults.span())
			if span, most := faults.span(), 3*2*time.Second; span > most {
				t.Errorf("the failing plan's requests took %s, more than %s", span, most)
			}
		})
	}
	// A pull-through cache whose upstream lists the tag but refuses its
	// manifest (Docker Hub's rate limit behind Harbor's proxy cache)
	// answers 404: the error says the tag was listed.
	t.Run("listed tag answered 404", func(t *testing.T) {
		faults.set(onManifests(false, http.StatusNotFound))()
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      config,
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Image Tag Not Found.*HTTP 404 Not Found.*The tag 3\.4\.2-python3\.12 is in the repository's tag list, read in this run: a pull-through cache`, " ", `\s+`)),
			}},
		})
	})
	t.Run("503 every other request", func(t *testing.T) {
		faults.set(everyOther(http.StatusServiceUnavailable))()
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.prefectimage_pin.test", tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
					expectStateString{"data.prefectimage_pin.test", "digest", digestOf(t, reg, "3.4.2-python3.12")},
				},
			}},
		})
	})
}

// A refresh that fails keeps the pin as it was, whatever an earlier
// refresh recorded: held under on_drift = "warn", a re-push stays in
// upstream_*, and a plan switched to "update" while the registry fails
// must not follow that stale record (the refresh says the pin holds).
// Once the registry answers, the move is planned.
func TestAccPinResource_refreshFaultDoesNotFollowStaleUpstream(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	config := func(onDrift string) string {
		return faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "` + onDrift + `"
}
`
	}
	pinned := mustDigest(t, reg, tag)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config("warn"),
		}, {
			// The re-push is seen and held: upstream_digest records it.
			PreConfig: push(t, reg, tag),
			Config:    config("warn"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
			},
		}, {
			PreConfig: func() { rec.reset(); faults.set(onRegistry(false, answer(http.StatusServiceUnavailable)))() },
			Config:    config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
			},
			Check: rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether .* so the pin holds as it was`),
		}, {
			PreConfig: faults.set(nil),
			Config:    config("update"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", digestOf(t, reg, tag)},
			},
		}},
	})
}
