package mirrors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

const (
	repo = "prefecthq/prefect"
	// upstreamPage is registrytest's default tags/list page size, Docker
	// Hub's: the proxy sends no n, so the upstream pages at its default.
	upstreamPage = 100
	// credHelper is the Docker credential helper the test puts on PATH
	// (docker-credential-<credHelper>), as docker-credential-ecr-login is
	// for ECR.
	credHelper = "prefectimage-test"
)

// pins is the configuration every plan runs: a selector (a tag listing and
// a HEAD), a moving tag with a platform (a HEAD, and GETs of the index and
// the platform's manifest) and a resource that follows upstream. The
// provider block is given apart: direct or through the proxy.
const pins = `
terraform {
  required_providers {
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

data "prefectimage_pin" "selected" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

data "prefectimage_pin" "latest_amd64" {
  tag      = "3-latest"
  platform = "linux/amd64"
}

resource "prefectimage_pin" "conda" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  flavor          = "conda"
  on_drift        = "update"
}

output "pins" {
  value = {
    selected_tag    = data.prefectimage_pin.selected.tag
    selected        = data.prefectimage_pin.selected.digest
    latest          = data.prefectimage_pin.latest_amd64.digest
    latest_amd64    = data.prefectimage_pin.latest_amd64.platform_digest
    conda_tag       = prefectimage_pin.conda.tag
    conda           = prefectimage_pin.conda.digest
  }
}
`

// TestDistributionProxy runs the same pins directly against an upstream
// seeded with Prefect's 13,512 tags and through docker-registry in proxy
// mode in front of it, with Terraform, and counts the requests that reach
// the upstream for each command. The upstream speaks Docker Hub's bearer
// token flow (anonymous) and pages tag lists by 100, as Docker Hub does.
// The provider reaches the proxy over HTTPS with ca_certificate_pem and
// credentials from a Docker credential helper.
func TestDistributionProxy(t *testing.T) {
	tf := terraformPath(t)
	upstream := registrytest.New(t, registrytest.WithBearerAuth("", ""))
	tags := tagcatalog.Prefect()
	if err := upstream.Seed(repo, tags); err != nil {
		t.Fatal(err)
	}
	fullListing := (len(tags) + upstreamPage - 1) / upstreamPage
	proxy := distributiontest.StartProxy(t, distributiontest.Upstream{URL: upstream.URL()})

	env := newTerraformEnv(t, tf, proxy)
	direct := env.workspace(t, "direct", providerBlock(upstream.Host()+"/"+repo, ""))
	mirror := env.workspace(t, "mirror", providerBlock(proxy.Repository(repo), `ca_certificate_pem = file("${path.module}/mirror-ca.pem")`))
	if err := os.WriteFile(filepath.Join(mirror, "mirror-ca.pem"), []byte(proxy.CACertPEM), 0o600); err != nil {
		t.Fatal(err)
	}

	measure := func(what, dir string, args ...string) (registrytest.Counts, string, int) {
		t.Helper()
		upstream.ResetCounts()
		out, code := env.run(t, dir, args...)
		c := upstream.Counts()
		t.Logf("%-44s upstream: %3d tag list pages (%.1f whole listings), %d HEAD, %d GET, %d token, %d ping (exit %d)",
			what, c.ListPage, float64(c.ListPage)/float64(fullListing), c.Head, c.Get, c.Token, c.Ping, code)
		return c, out, code
	}
	mustExit := func(want int, what, out string, code int) {
		t.Helper()
		if code != want {
			t.Fatalf("%s exited %d, want %d:\n%s", what, code, want, out)
		}
	}

	// Through a cold proxy, then warm: the same listing and HEADs reach the
	// upstream every time; the GETs only the first time.
	cold, out, code := measure("mirror: plan, cold proxy", mirror, "plan", "-input=false")
	mustExit(0, "plan through the cold proxy", out, code)
	warm, out, code := measure("mirror: plan again", mirror, "plan", "-input=false")
	mustExit(0, "plan through the warm proxy", out, code)
	_, out, code = measure("mirror: apply", mirror, "apply", "-input=false", "-auto-approve")
	mustExit(0, "apply through the proxy", out, code)
	steady, out, code := measure("mirror: plan -detailed-exitcode, applied", mirror, "plan", "-input=false", "-detailed-exitcode")
	mustExit(0, "steady plan through the proxy", out, code)

	_, out, code = measure("direct: apply", direct, "apply", "-input=false", "-auto-approve")
	mustExit(0, "apply direct", out, code)
	directPlan, out, code := measure("direct: plan -detailed-exitcode, applied", direct, "plan", "-input=false", "-detailed-exitcode")
	mustExit(0, "steady plan direct", out, code)

	// The same pins, through the proxy and directly, at the digests the
	// upstream holds.
	through, straight := env.outputs(t, mirror), env.outputs(t, direct)
	if through != straight {
		t.Errorf("pins differ:\nthrough the proxy %+v\ndirect            %+v", through, straight)
	}
	for tag, got := range map[string]string{through.SelectedTag: through.Selected, "3-latest": through.Latest, through.CondaTag: through.Conda} {
		if want := digestOf(t, upstream, tag); got != want {
			t.Errorf("%s through the proxy: %s, upstream has %s", tag, got, want)
		}
	}
	t.Logf("pins through the proxy = direct: %s, 3-latest, %s", through.SelectedTag, through.CondaTag)

	// Per plan, the proxy forwards every HEAD and every tag listing (each
	// read upstream whole, page by page), and no GET of a manifest it has
	// stored. The first plan GETs each manifest once.
	for name, c := range map[string]registrytest.Counts{"cold": cold, "warm": warm, "steady": steady} {
		if c.ListPage == 0 || c.ListPage%fullListing != 0 {
			t.Errorf("%s plan: %d tag list pages upstream, want whole listings of %d pages", name, c.ListPage, fullListing)
		}
	}
	if steady.Head != directPlan.Head {
		t.Errorf("HEADs upstream per plan: %d through the proxy, %d direct; want the same", steady.Head, directPlan.Head)
	}
	if cold.Get == 0 || warm.Get != 0 || steady.Get != 0 {
		t.Errorf("manifest GETs upstream: cold %d, warm %d, steady %d; want some, then none", cold.Get, warm.Get, steady.Get)
	}
	if directPlan.Get == 0 {
		t.Errorf("the direct plan made no manifest GET: the platform pin should")
	}

	// A re-push upstream is in the very next plan through the proxy: the
	// proxy asks upstream for the tag's digest on every request.
	moved := map[string]string{}
	for _, tag := range []string{through.CondaTag, "3-latest"} {
		d, err := upstream.Push(repo, tag)
		if err != nil {
			t.Fatal(err)
		}
		moved[tag] = d
	}
	pushed := time.Now()
	drift, out, code := measure("mirror: plan after an upstream re-push", mirror, "plan", "-input=false", "-detailed-exitcode")
	mustExit(2, "plan after the re-push", out, code)
	for tag, d := range moved {
		if !strings.Contains(out, d) {
			t.Errorf("the plan after re-pushing %s does not show its new digest %s:\n%s", tag, d, out)
		}
	}
	t.Logf("re-push seen by the first plan after it, %s later, with no wait", time.Since(pushed).Round(100*time.Millisecond))
	if drift.Get == 0 {
		t.Errorf("the new digests were not fetched upstream")
	}

	// Upstream gone: the proxy answers from what it stored. Its tag list
	// then holds only the tags it has served, and each tag the digest it
	// last saw.
	upstream.Close()
	out, code = env.run(t, mirror, "plan", "-input=false", "-detailed-exitcode")
	t.Logf("mirror: plan with the upstream down: exit %d", code)
	if code != 2 || !strings.Contains(out, moved[through.CondaTag]) {
		t.Errorf("plan with the upstream down: exit %d, want 2 with the stored digest %s:\n%s", code, moved[through.CondaTag], out)
	}
	listed, err := proxy.Tags(repo)
	if err != nil {
		t.Fatalf("listing tags through the proxy with the upstream down: %v", err)
	}
	t.Logf("tags listed by the proxy with the upstream down: %v", listed)
	if len(listed) >= len(tags) || len(listed) == 0 {
		t.Errorf("with the upstream down the proxy listed %d tags; want only those it served", len(listed))
	}
	if !env.helperCalled(t) {
		t.Error("the Docker credential helper was never asked")
	}
}

// pinOutputs is output "pins".
type pinOutputs struct {
	SelectedTag string `json:"selected_tag"`
	Selected    string `json:"selected"`
	Latest      string `json:"latest"`
	LatestAMD64 string `json:"latest_amd64"`
	CondaTag    string `json:"conda_tag"`
	Conda       string `json:"conda"`
}

func digestOf(t *testing.T, r *registrytest.Registry, tag string) string {
	t.Helper()
	d, err := r.Digest(repo, tag)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func providerBlock(repository, extra string) string {
	return fmt.Sprintf(`
provider "prefectimage" {
  repository      = %q
  request_timeout = "20s"
  max_retries     = 1
  %s
}
`, repository, extra)
}

func terraformPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH (or set TF_ACC_TERRAFORM_PATH): this test drives the Terraform CLI")
	}
	return p
}

// terraformEnv runs the Terraform CLI with the provider built from this
// module (a dev_overrides CLI configuration), an empty HOME, and a Docker
// config whose credential helper answers for the proxy.
type terraformEnv struct {
	tf, root, helperLog string
	env                 []string
}

func newTerraformEnv(t *testing.T, tf string, proxy *distributiontest.Server) *terraformEnv {
	t.Helper()
	e := &terraformEnv{tf: tf, root: t.TempDir()}
	plugins := filepath.Join(e.root, "plugins")
	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-prefectimage"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	cliConfig := filepath.Join(e.root, "terraform.rc")
	writeFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "prefectimage/prefectimage" = %q
  }
  direct {}
}
`, plugins))

	// A credential helper as `docker login` tooling installs them: the
	// Docker config names it for the proxy's host; it answers "get" with
	// the proxy's credentials and notes that it was asked.
	bin, dockerConfig := filepath.Join(e.root, "bin"), filepath.Join(e.root, "docker")
	e.helperLog = filepath.Join(e.root, "helper.log")
	writeFile(t, filepath.Join(bin, "docker-credential-"+credHelper), fmt.Sprintf(`#!/bin/sh
[ "$1" = get ] || exit 1
read -r server
echo "$server" >> %q
printf '{"ServerURL":"%%s","Username":%q,"Secret":%q}\n' "$server"
`, e.helperLog, proxy.Username, proxy.Password))
	if err := os.Chmod(filepath.Join(bin, "docker-credential-"+credHelper), 0o700); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(map[string]any{"credHelpers": map[string]string{proxy.Host: credHelper}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dockerConfig, "config.json"), string(raw))

	e.env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + filepath.Join(e.root, "home"),
		"DOCKER_CONFIG=" + dockerConfig,
		"TF_CLI_CONFIG_FILE=" + cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_LOG=",
	}
	return e
}

// workspace writes pins with the provider block into a new directory.
func (e *terraformEnv) workspace(t *testing.T, name, provider string) string {
	t.Helper()
	dir := filepath.Join(e.root, name)
	writeFile(t, filepath.Join(dir, "main.tf"), provider+pins)
	return dir
}

// run runs terraform in dir and returns its combined output and exit code.
func (e *terraformEnv) run(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// -no-color goes right after the subcommand, before any argument.
	argv := append([]string{args[0], "-no-color"}, args[1:]...)
	cmd := exec.CommandContext(ctx, e.tf, argv...)
	cmd.Dir, cmd.Env = dir, e.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		return "", -1
	}
}

func (e *terraformEnv) outputs(t *testing.T, dir string) pinOutputs {
	t.Helper()
	out, code := e.run(t, dir, "output", "-json", "pins")
	var p pinOutputs
	if code != 0 {
		t.Fatalf("terraform output: exit %d\n%s", code, out)
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("terraform output: %v\n%s", err, out)
	}
	return p
}

func (e *terraformEnv) helperCalled(t *testing.T) bool {
	t.Helper()
	b, err := os.ReadFile(e.helperLog)
	return err == nil && len(b) > 0
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
