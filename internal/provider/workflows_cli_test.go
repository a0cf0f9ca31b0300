package provider

import (
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// goEnvAtStart is where the go command kept its module and build caches
// when the test binary started, before any test moved HOME.
var goEnvAtStart = func() (e struct{ modCache, buildCache string }) {
	e.modCache = os.Getenv("GOMODCACHE")
	if e.modCache == "" {
		e.modCache = filepath.Join(filepath.SplitList(build.Default.GOPATH)[0], "pkg", "mod")
	}
	e.buildCache = os.Getenv("GOCACHE")
	if e.buildCache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			e.buildCache = filepath.Join(dir, "go-build")
		}
	}
	return e
}()

// newBuiltCLISession is a cliSession whose CLI starts the provider built
// from this module (a dev_overrides CLI configuration): one plugin process
// per provider configuration, as in real use. newCLISession's provider,
// served in process, is one server every alias shares.
func newBuiltCLISession(t *testing.T) *cliSession {
	t.Helper()
	s := newCLISession(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-prefectimage"), "../..")
	// The build uses the Go caches of the environment the test started in:
	// isolateHome's HOME would leave them empty, every module downloaded
	// and compiled again (minutes, and the module proxy asked, per test).
	build.Env = append(os.Environ(), "GOMODCACHE="+goEnvAtStart.modCache, "GOCACHE="+goEnvAtStart.buildCache)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	text := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"prefectimage/prefectimage\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, e := range s.env {
		if !strings.HasPrefix(e, "TF_REATTACH_PROVIDERS=") && !strings.HasPrefix(e, "TF_CLI_CONFIG_FILE=") {
			env = append(env, e)
		}
	}
	s.env = append(env, "TF_CLI_CONFIG_FILE="+rc)
	return s
}

// authSeen notes the Authorization header of every request a registry gets.
type authSeen struct {
	mu    sync.Mutex
	lines []string
}

func (a *authSeen) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			a.mu.Lock()
			a.lines = append(a.lines, r.Method+" "+r.URL.Path+": "+h)
			a.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (a *authSeen) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.lines...)
}

// Two provider configurations, an aliased one for a private mirror with
// registry_auth and its own max_retries and listing_timeout, and the
// default one anonymous on another registry: each pin and data source
// goes through its own, the anonymous registry never sees a credential,
// and when the mirror is down the errors and warnings name the mirror,
// with the mirror's max_retries, while the other pin refreshes quietly.
func TestAccCLI_providerAliasesKeepTheirOwnSettings(t *testing.T) {
	isolateHome(t)
	var mirrorAuth, publicAuth authSeen
	mirror := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("mirror-user", "mirror-secret"), registrytest.WithMiddleware(mirrorAuth.middleware))
	public := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(publicAuth.middleware))
	mirrorRepo, publicRepo := mirror.Host()+"/"+prefectRepo, public.Host()+"/"+prefectRepo
	s := newBuiltCLISession(t)
	s.config(fmt.Sprintf(`
provider "prefectimage" {
  repository      = %[2]q
  max_retries     = 0
  listing_timeout = "1m"
}

provider "prefectimage" {
  alias               = "mirror"
  repository          = %[1]q
  insecure_registries = [%[3]q]
  max_retries         = 2
  listing_timeout     = "2m"
  registry_auth {
    address  = %[3]q
    username = "mirror-user"
    password = "mirror-secret"
  }
}

data "prefectimage_releases" "mirror" {
  provider        = prefectimage.mirror
  prefect_version = "~> 3.4.0"
}

resource "prefectimage_pin" "mirror" {
  provider        = prefectimage.mirror
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

resource "prefectimage_pin" "public" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.11"
}

output "mirror_repository" { value = data.prefectimage_releases.mirror.repository }
`, mirrorRepo, publicRepo, mirror.Host()))
	s.must("apply", "-input=false", "-auto-approve")
	for address, want := range map[string]string{
		"prefectimage_pin.mirror": mirrorRepo + "@" + mustDigest(t, mirror, "3.4.2-python3.12"),
		"prefectimage_pin.public": publicRepo + "@" + mustDigest(t, public, "3.4.2-python3.11"),
	} {
		if got := s.attr(address, "ref"); got != want {
			t.Errorf("%s.ref = %s, want %s", address, got, want)
		}
	}
	if got := strings.TrimSpace(s.must("output", "-raw", "mirror_repository")); got != mirrorRepo {
		t.Errorf("the mirror's releases list %s, want %s", got, mirrorRepo)
	}
	if len(mirrorAuth.seen()) == 0 {
		t.Error("the mirror saw no credentials")
	}
	if got := publicAuth.seen(); len(got) > 0 {
		t.Errorf("the anonymous provider's registry saw credentials: %v", got)
	}

	mirror.Close()
	out, err := s.run("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil {
		t.Fatalf("the plan with the mirror down succeeded:\n%s", out)
	}
	for _, want := range []string{
		"Error: Unable to List Prefect Releases with data.prefectimage_releases.mirror",
		"Could not list tags in repository " + mirrorRepo + " on registry " + mirror.Host(),
		"after 3 attempts", // the mirror's max_retries = 2
		"Warning: Upstream Image Not Checked with prefectimage_pin.mirror",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan with the mirror down lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(flat, public.Host()) || strings.Contains(flat, "with prefectimage_pin.public") {
		t.Errorf("the plan with the mirror down blames the other registry or its pin:\n%s", out)
	}
	if got := publicAuth.seen(); len(got) > 0 {
		t.Errorf("the anonymous provider's registry saw credentials: %v", got)
	}
}

// Nothing a pin does at destroy asks a registry: with the registry down,
// a removed block (destroy = false) forgets a pin without a word,
// `terraform plan -destroy` and `terraform destroy` only warn from the
// refresh, and Terraform reads data sources before a destroy, so one on
// the registry stops it, while `terraform destroy -refresh=false` reads
// none and destroys.
func TestAccCLI_destroyWithoutRegistry(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	s := newCLISession(t)
	s.atLeast("1.7", "1.7") // removed blocks
	pins := providerConfig(reg) + `
resource "prefectimage_pin" "kept" {
  prefect_version = "~> 3.4.0"
}
`
	gone := `
resource "prefectimage_pin" "gone" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.11"
}
`
	releases := `
data "prefectimage_releases" "all" {}
`
	s.config(pins + gone + releases)
	s.must("init", "-input=false")
	s.must("apply", "-input=false", "-auto-approve")
	reg.Close()

	s.config(pins + `
removed {
  from = prefectimage_pin.gone
  lifecycle {
    destroy = false
  }
}
`)
	out := s.must("apply", "-input=false", "-auto-approve")
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "Warning: Upstream Image Not Checked with prefectimage_pin.kept") || strings.Contains(flat, "with prefectimage_pin.gone") {
		t.Errorf("the apply forgetting a pin with the registry down:\n%s", out)
	}
	if out := s.must("state", "list"); strings.Contains(out, "prefectimage_pin.gone") {
		t.Errorf("the removed pin is still in state:\n%s", out)
	}

	s.must("plan", "-destroy", "-input=false")
	s.config(pins + releases)
	if out, err := s.run("destroy", "-input=false", "-auto-approve"); err == nil || !strings.Contains(out, "Error: Unable to List Prefect Releases") {
		t.Errorf("terraform destroy with a data source on the registry down: err %v, want the data source's error (else the docs' advice is stale)\n%s", err, out)
	}
	out = s.must("destroy", "-input=false", "-auto-approve", "-refresh=false")
	if !strings.Contains(out, "Destroy complete! Resources: 1 destroyed.") {
		t.Errorf("terraform destroy -refresh=false:\n%s", out)
	}
}

// Before `terraform destroy` and `terraform plan -destroy` Terraform
// refreshes with a whole plan of the configuration, and an error of that
// plan stops the destroy; the provider cannot tell that plan from any
// other. So under on_drift = "error" a move upstream stops the destroy with
// the drift error, and with the registry down a pin of the configuration
// not yet created stops it too, while the refresh of the pin in state only
// warns. `terraform destroy -refresh=false` plans from the state alone and
// destroys. The pin page says so; this holds it to what Terraform does.
func TestAccCLI_destroyStoppedByPlanErrors(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	s := newCLISession(t)
	const tag = "3.4.2-python3.12"
	held := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "error"`)
	s.config(held)
	s.must("init", "-input=false")
	s.must("apply", "-input=false", "-auto-approve")
	push(t, reg, tag)()

	for _, args := range [][]string{{"plan", "-destroy"}, {"destroy", "-auto-approve"}} {
		out, err := s.run(append(args, "-input=false")...)
		flat := strings.Join(strings.Fields(out), " ")
		if err == nil || !strings.Contains(flat, "Error: Upstream Image Moved with "+pinAddress) || !strings.Contains(flat, `on_drift = "error" stops the plan`) {
			t.Errorf("terraform %s after upstream moved under on_drift = \"error\": err %v, want the drift error (else the pin page is stale)\n%s", args[0], err, out)
		}
	}
	if out := s.must("state", "list"); !strings.Contains(out, pinAddress) {
		t.Fatalf("the pin left the state though the destroy failed:\n%s", out)
	}

	s.config(held + `
resource "prefectimage_pin" "added" {
  prefect_version = "~> 3.4.0"
}
`)
	reg.Close()
	out, err := s.run("destroy", "-input=false", "-auto-approve")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "Error: Unable to Resolve Prefect Image with prefectimage_pin.added") {
		t.Errorf("terraform destroy with a pin not yet created and the registry down: err %v, want that pin's error (else the pin page is stale)\n%s", err, out)
	}
	if strings.Contains(flat, "Error: Upstream Image Moved") || strings.Contains(flat, "Error: Unable to Resolve Prefect Image with "+pinAddress) {
		t.Errorf("the refresh of the pin in state, with the registry down, failed the destroy:\n%s", out)
	}

	out = s.must("destroy", "-input=false", "-auto-approve", "-refresh=false")
	if !strings.Contains(out, "Destroy complete! Resources: 2 destroyed.") {
		t.Errorf("terraform destroy -refresh=false:\n%s", out)
	}
}
