package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// cliSession runs the real Terraform CLI in a directory of its own against
// the provider served in process (debug mode, TF_REATTACH_PROVIDERS), for
// the commands terraform-plugin-testing has no step for: `plan -out` and
// the apply of that saved plan as separate commands, `apply -replace`.
type cliSession struct {
	t      *testing.T
	tfPath string
	dir    string
	env    []string
}

func newCLISession(t *testing.T) *cliSession {
	t.Helper()
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("terraform is not on PATH")
		}
		tfPath = p
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	host := "registry.terraform.io"
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		host = h
	}
	address := host + "/prefectimage/prefectimage"
	go func() {
		err := tf6server.Serve(address,
			func() tfprotov6.ProviderServer { return providerserver.NewProtocol6(New("test")())() },
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t),
		)
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
			t.Error("the provider server did not stop")
		}
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattachCh:
	case <-time.After(10 * time.Second):
		t.Fatal("the provider server did not start")
	}
	reattach, err := json.Marshal(map[string]any{address: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_LOG=", "TF_LOG_PATH=")
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			env = append(env, "TF_CLI_CONFIG_FILE=")
		}
	}
	s := &cliSession{t: t, tfPath: tfPath, dir: t.TempDir(), env: env}
	return s
}

// atLeast skips the test unless the CLI is Terraform terraform or later,
// or OpenTofu tofu or later (each "major.minor"), for language features
// that came later than the oldest versions tested (.ci/run runs every
// test under each).
func (s *cliSession) atLeast(terraform, tofu string) {
	s.t.Helper()
	out := s.must("version")
	name, want := "Terraform v", terraform
	if strings.HasPrefix(out, "OpenTofu v") {
		name, want = "OpenTofu v", tofu
	}
	have := strings.TrimPrefix(strings.Fields(out)[1], "v")
	var hMajor, hMinor, wMajor, wMinor int
	if _, err := fmt.Sscanf(have, "%d.%d", &hMajor, &hMinor); err != nil {
		s.t.Fatalf("reading the CLI's version from %q: %v", out, err)
	}
	if _, err := fmt.Sscanf(want, "%d.%d", &wMajor, &wMinor); err != nil {
		s.t.Fatalf("bad version %q: %v", want, err)
	}
	if hMajor < wMajor || hMajor == wMajor && hMinor < wMinor {
		s.t.Skipf("needs %s%s or later; this is %s%s", name, want, name, have)
	}
}

// config writes main.tf: the required_providers block and body.
func (s *cliSession) config(body string) {
	s.t.Helper()
	text := `
terraform {
  required_providers {
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}
` + body
	if err := os.WriteFile(filepath.Join(s.dir, "main.tf"), []byte(text), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// run runs terraform with args and returns its output and error.
func (s *cliSession) run(args ...string) (string, error) {
	s.t.Helper()
	cmd := exec.Command(s.tfPath, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = s.dir, s.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs terraform with args and fails the test when it fails.
func (s *cliSession) must(args ...string) string {
	s.t.Helper()
	out, err := s.run(args...)
	if err != nil {
		s.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// attr returns an attribute of a resource in state, as `terraform state
// show -json` is not there: from `terraform show -json`.
func (s *cliSession) attr(address, name string) string {
	s.t.Helper()
	return stateAttr(s.t, s.must("show", "-json"), address, name)
}

// stateAttr is a string attribute of a resource in showJSON, the output of
// `terraform show -json` (read once for many resources).
func stateAttr(t *testing.T, showJSON, address, name string) string {
	t.Helper()
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(showJSON), &doc); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, showJSON)
	}
	for _, r := range doc.Values.RootModule.Resources {
		if r.Address == address {
			v, _ := r.Values[name].(string)
			return v
		}
	}
	t.Fatalf("%s is not in state", address)
	return ""
}

// noDiagnostic is a step check: no diagnostic recorded matches pattern.
func noDiagnostic(rec *diagRecorder, pattern string) func(*terraform.State) error {
	re := regexp.MustCompile(pattern)
	return func(*terraform.State) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, d := range rec.diags {
			if re.MatchString(d) {
				return fmt.Errorf("a diagnostic matches %q: %s", pattern, d)
			}
		}
		return nil
	}
}

// Every plan and apply with -refresh=false (SPEC: nothing is resolved, so
// no drift is seen; the docs' warning box): a move upstream since the last
// refresh is not seen (no request reaches the registry, the plan is empty
// and says nothing, upstream_* stays), while one a refresh recorded
// (terraform apply -refresh-only) is acted on by on_drift exactly as
// recorded: "update" follows the recorded digest though the tag moved once
// more since, "warn" holds and warns, "error" stops the plan. A changed
// selector is still resolved at plan time.
func TestAccCLI_noRefreshActsOnRecordedUpstreamOnly(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			configOf := func(onDrift string) string {
				return pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`)
			}
			// The refresh step runs `terraform refresh`, which stops under
			// "error" as a plan does (`terraform apply -refresh-only` does
			// not): the move is recorded under "warn", then "error" is set.
			config := configOf(onDrift)
			if onDrift == "error" {
				config = configOf("warn")
			}
			pinned := mustDigest(t, reg, tag)
			var recorded string
			held := []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + pinned }},
			}
			last := resource.TestStep{PreConfig: rec.reset, Config: configOf(onDrift)}
			switch onDrift {
			case "update":
				// The tag moves once more after the refresh: the plan follows
				// what the refresh recorded, not today's digest.
				last.PreConfig = func() { rec.reset(); push(t, reg, tag)() }
				last.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
					expectPlannedString{pinAddress, "digest", func() string { return recorded }},
				}}
				last.ConfigStateChecks = []statecheck.StateCheck{
					expectStateString{pinAddress, "digest", func() string { return recorded }},
					expectStateString{pinAddress, "ref", func() string { return repo + "@" + recorded }},
					expectStateString{pinAddress, "upstream_digest", func() string { return recorded }},
				}
				last.Check = func(*terraform.State) error {
					if recorded == mustDigest(t, reg, tag) {
						return fmt.Errorf("the second re-push did not change the digest; the test proves nothing")
					}
					return nil
				}
			case "warn":
				last.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
				last.ConfigStateChecks = append(held, expectStateString{pinAddress, "upstream_digest", func() string { return recorded }})
				last.Check = rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream`)
			case "error":
				last.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed.*on_drift\s+=\s+"error"\s+stops\s+the\s+plan`)
			}
			steps := []resource.TestStep{{
				Config: config,
			}, {
				// Moved upstream, no refresh: nothing seen, nothing asked.
				PreConfig: func() { push(t, reg, tag)(); reg.ResetCounts(); rec.reset() },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: append(held, expectStateString{pinAddress, "upstream_digest", func() string { return pinned }}),
				Check: resource.ComposeTestCheckFunc(noDiagnostic(rec, `Upstream`), func(*terraform.State) error {
					if got := reg.Requests(); len(got) > 0 {
						return fmt.Errorf("a plan with -refresh=false asked the registry: %v", got)
					}
					return nil
				}),
			}, {
				PreConfig:    func() { recorded = mustDigest(t, reg, tag) },
				RefreshState: true,
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[pinAddress].Primary.Attributes["upstream_digest"]; got != recorded {
						return fmt.Errorf("upstream_digest %s after the refresh, want %s", got, recorded)
					}
					return nil
				},
			}, last}
			// The refresh step's own plan, after the refresh, sees the move.
			switch onDrift {
			case "update":
				steps[2].ExpectNonEmptyPlan = true
			}
			if onDrift == "update" {
				steps = append(steps, resource.TestStep{
					Config: pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.11"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						expectPlannedString{pinAddress, "tag", func() string { return "3.4.2-python3.11" }},
						expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.2-python3.11")},
					}},
					ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.11"),
				})
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
				Steps:                    steps,
			})
		})
	}
}

// A moved block renaming a pin: the pin, its recorded selector and
// upstream_* go with it. No re-resolution and no change: the plan is empty
// but for the move, and says nothing when upstream has not moved; a move
// held under "warn" is warned of as before, no more.
func TestAccCLI_movedBlockKeepsPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	body := `
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  on_drift           = "warn"
  required_platforms = ` + bothPlatforms + `
`
	const renamed = "prefectimage_pin.renamed"
	config := func(name, extra string) string {
		return providerConfig(reg) + `
resource "prefectimage_pin" "` + name + `" {` + body + `}
` + extra
	}
	moved := config("renamed", `
moved {
  from = prefectimage_pin.test
  to   = prefectimage_pin.renamed
}
`)
	pinned := mustDigest(t, reg, tag)
	holds := func(address string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			expectStateString{address, "digest", func() string { return pinned }},
			expectStateString{address, "ref", func() string { return repo + "@" + pinned }},
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config("test", ""),
		}, {
			PreConfig: rec.reset,
			Config:    moved,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(renamed, plancheck.ResourceActionNoop),
				expectPlannedString{renamed, "digest", func() string { return pinned }},
			}},
			ConfigStateChecks: holds(renamed),
			Check:             noDiagnostic(rec, `.`),
		}, {
			// Moved back, while upstream re-pushed the tag: held, and warned.
			PreConfig: func() { rec.reset(); push(t, reg, tag)() },
			Config: config("test", `
moved {
  from = prefectimage_pin.renamed
  to   = prefectimage_pin.test
}
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: append(holds(pinAddress), expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)}),
			Check:             rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream`),
		}},
	})
}

// terraform apply -replace of a pin whose upstream moved: the replacement
// is a new pin, resolved afresh and shown in the plan, under "warn" too.
// Terraform first plans the pin as it stands, so that plan's drift
// diagnostics come too: under "warn" the plan warns as usual while it
// replaces the pin with upstream's image; under "error" the drift error
// stops the plan before any replacement, as the docs say. -replace is not
// in terraform-plugin-testing's steps, so this runs the CLI itself.
func TestAccCLI_replaceResolvesAfresh(t *testing.T) {
	for _, onDrift := range []string{"warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			s := newCLISession(t)
			const tag = "3.4.2-python3.12"
			s.config(pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`))
			s.must("init", "-input=false")
			s.must("apply", "-input=false", "-auto-approve")
			pinned := mustDigest(t, reg, tag)
			if got := s.attr(pinAddress, "digest"); got != pinned {
				t.Fatalf("created at %s, want %s", got, pinned)
			}
			push(t, reg, tag)()
			moved := mustDigest(t, reg, tag)
			out, err := s.run("apply", "-input=false", "-auto-approve", "-replace="+pinAddress)
			flat := strings.Join(strings.Fields(out), " ")
			if onDrift == "error" {
				if err == nil || !strings.Contains(flat, `Error: Upstream Image Moved`) || !strings.Contains(flat, `on_drift = "error" stops the plan`) {
					t.Fatalf("apply -replace under on_drift = \"error\": err %v, want the drift error\n%s", err, out)
				}
				if got := s.attr(pinAddress, "digest"); got != pinned {
					t.Errorf("digest %s after the refused replacement, want %s", got, pinned)
				}
				return
			}
			if err != nil {
				t.Fatalf("apply -replace: %v\n%s", err, out)
			}
			for _, want := range []string{
				pinAddress + " will be replaced, as requested",
				`digest = "` + pinned + `" -> "` + moved + `"`,
				"Warning: Upstream Image Moved",
				"Apply complete! Resources: 1 added, 1 changed, 1 destroyed.",
			} {
				if !strings.Contains(flat, want) {
					t.Errorf("apply -replace output lacks %q:\n%s", want, out)
				}
			}
			for attr, want := range map[string]string{"digest": moved, "ref": repo + "@" + moved, "upstream_digest": moved} {
				if got := s.attr(pinAddress, attr); got != want {
					t.Errorf("%s = %s after the replacement, want %s", attr, got, want)
				}
			}
			if out := s.must("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes.") || strings.Contains(out, "Warning") {
				t.Errorf("the plan after the replacement is not empty and quiet:\n%s", out)
			}
		})
	}
}

// The deprecated `terraform refresh` runs a whole plan inside (Terraform's
// Context.Refresh), so ModifyPlan's drift decision comes with it: under
// "error" it fails with the drift error and records nothing, while
// `terraform apply -refresh-only` records the move under any on_drift. The
// pin page says so; this holds it to what Terraform does.
func TestAccCLI_legacyRefreshAndRefreshOnly(t *testing.T) {
	for _, onDrift := range []string{"warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			s := newCLISession(t)
			const tag = "3.4.2-python3.12"
			s.config(pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`))
			s.must("init", "-input=false")
			s.must("apply", "-input=false", "-auto-approve")
			pinned := mustDigest(t, reg, tag)
			push(t, reg, tag)()
			moved := mustDigest(t, reg, tag)

			out, err := s.run("refresh", "-input=false")
			flat := strings.Join(strings.Fields(out), " ")
			wantUpstream := moved
			if onDrift == "error" {
				if err == nil || !strings.Contains(flat, `Error: Upstream Image Moved`) {
					t.Fatalf("terraform refresh under on_drift = \"error\": err %v, want the drift error\n%s", err, out)
				}
				wantUpstream = pinned
			} else if err != nil || !strings.Contains(flat, `Warning: Upstream Image Moved`) {
				t.Fatalf("terraform refresh under on_drift = \"warn\": err %v, want a warning\n%s", err, out)
			}
			if got := s.attr(pinAddress, "upstream_digest"); got != wantUpstream {
				t.Errorf("upstream_digest %s after terraform refresh, want %s", got, wantUpstream)
			}

			s.must("apply", "-refresh-only", "-input=false", "-auto-approve")
			for attr, want := range map[string]string{"upstream_digest": moved, "digest": pinned} {
				if got := s.attr(pinAddress, attr); got != want {
					t.Errorf("%s = %s after apply -refresh-only, want %s", attr, got, want)
				}
			}
		})
	}
}

// A saved plan that changes a pin (on_drift "warn" to "update") while
// upstream moved and the refresh could not read upstream's platforms: the
// plan holds the pin, and the plan Terraform makes again at apply, from
// the same refreshed state, holds it too, though the registry answers by
// then. It read the platforms again there and followed upstream, and
// Terraform stopped the apply with "Provider produced inconsistent final
// plan". The next plan reads them and follows.
func TestAccCLI_platformsUnreadAtRefreshHoldAtApply(t *testing.T) {
	isolateHome(t)
	var failGET atomic.Bool
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failGET.Load() && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	s := newCLISession(t)
	const tag = "3.4.2-python3.12"
	configOf := func(onDrift string) string {
		return pinConfig(reg, `  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = ["linux/amd64"]
  on_drift           = "`+onDrift+`"`)
	}
	s.config(configOf("warn"))
	s.must("init", "-input=false")
	s.must("apply", "-input=false", "-auto-approve")
	pinned := mustDigest(t, reg, tag)
	push(t, reg, tag)()
	moved := mustDigest(t, reg, tag)

	s.config(configOf("update"))
	failGET.Store(true)
	out := s.must("plan", "-input=false", "-out=tfplan")
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Warning: Upstream Image Not Checked") {
		t.Fatalf("the plan with upstream's platforms unread does not warn that the pin holds:\n%s", out)
	}
	failGET.Store(false)
	if out, err := s.run("apply", "-input=false", "tfplan"); err != nil {
		t.Fatalf("applying the saved plan: %v\n%s", err, out)
	}
	if got := s.attr(pinAddress, "digest"); got != pinned {
		t.Fatalf("digest %s after the saved plan that held the pin, want %s", got, pinned)
	}
	s.must("apply", "-input=false", "-auto-approve")
	if got := s.attr(pinAddress, "digest"); got != moved {
		t.Errorf("digest %s after the next plan, want upstream's %s", got, moved)
	}
}

// An import block with `terraform plan -generate-config-out`, as the
// resource page's Import section tells it: Terraform writes flavor and
// allow_prereleases beside tag, which conflicts with both, so the plan
// fails with Invalid Attribute Combination; with those two lines deleted
// it imports the pin and changes nothing, and the plan after the apply is
// empty.
func TestAccCLI_generatedImportConfig(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	s := newCLISession(t)
	const tag = "3.4.2-python3.12"
	id := reg.Host() + "/" + prefectRepo + ":" + tag + "@" + mustDigest(t, reg, tag)
	s.config(providerConfig(reg) + `
import {
  to = prefectimage_pin.test
  id = "` + id + `"
}
`)
	s.must("init", "-input=false")
	out, err := s.run("plan", "-input=false", "-generate-config-out=generated.tf")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Invalid Attribute Combination", `"flavor" cannot be specified when "tag" is specified`, `"allow_prereleases" cannot be specified when "tag" is specified`} {
		if err == nil || !strings.Contains(flat, want) {
			t.Fatalf("plan -generate-config-out: err %v, want %q\n%s", err, want, out)
		}
	}
	generated := filepath.Join(s.dir, "generated.tf")
	raw, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "flavor" || f[0] == "allow_prereleases") {
			continue
		}
		kept = append(kept, line)
	}
	if len(kept) != len(strings.Split(string(raw), "\n"))-2 {
		t.Fatalf("the generated block does not have one flavor and one allow_prereleases line:\n%s", raw)
	}
	if err := os.WriteFile(generated, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	out = s.must("plan", "-input=false")
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("with flavor and allow_prereleases deleted, want the pin imported and nothing changed:\n%s", out)
	}
	s.must("apply", "-input=false", "-auto-approve")
	if out, err := s.run("plan", "-input=false", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after the import's apply is not empty (%v):\n%s", err, out)
	}
}
