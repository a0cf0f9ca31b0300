package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// secretScan is a list of strings that must appear nowhere.
type secretScan []string

// find returns the secrets found in b.
func (s secretScan) find(b []byte) []string {
	var found []string
	for _, secret := range s {
		if bytes.Contains(b, []byte(secret)) {
			found = append(found, secret)
		}
	}
	return found
}

// CheckPlan scans the plan as `terraform show -json` gives it. The plan's
// "variables" object is left out: it is Terraform's record of the input
// variables the caller passed (here the password, through a sensitive
// variable), not something the provider wrote; every other part, the
// provider configuration's expressions included, is scanned.
func (s secretScan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	var plan map[string]json.RawMessage
	if err := json.Unmarshal(raw, &plan); err != nil {
		resp.Error = err
		return
	}
	delete(plan, "variables")
	if len(plan["resource_changes"]) < 10 {
		resp.Error = fmt.Errorf("the plan has no resource changes to scan: %s", raw)
		return
	}
	for key, part := range plan {
		if found := s.find(part); len(found) > 0 {
			resp.Error = fmt.Errorf("the plan's %q holds secrets %q", key, found)
			return
		}
	}
}

// CheckState scans the state as `terraform show -json` gives it.
func (s secretScan) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if !bytes.Contains(raw, []byte("prefectimage_pin")) {
		resp.Error = fmt.Errorf("the state holds no pin to scan: %s", raw)
		return
	}
	if found := s.find(raw); len(found) > 0 {
		resp.Error = fmt.Errorf("the state holds secrets %q", found)
	}
}

// checkAttributes scans every attribute of every resource and data source
// in the state.
func (s secretScan) checkAttributes(st *terraform.State) error {
	n := 0
	for _, m := range st.Modules {
		for addr, r := range m.Resources {
			if r.Primary == nil {
				continue
			}
			for k, v := range r.Primary.Attributes {
				n++
				if found := s.find([]byte(v)); len(found) > 0 {
					return fmt.Errorf("%s.%s holds secrets %q", addr, k, found)
				}
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("the state has no attributes to scan")
	}
	return nil
}

// wireRecorder keeps everything the provider sends back to Terraform:
// every diagnostic of every call, and the states, planned states and
// private state of resources and data sources. The configuration Terraform
// hands to the provider, and which ValidateProviderConfig returns as it
// came, is input and not kept.
type wireRecorder struct {
	mu          sync.Mutex
	diagnostics []string
	values      bytes.Buffer
}

func (w *wireRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"prefectimage": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return &wireServer{ProviderServer: server, rec: w}, nil
		},
	}
}

func (w *wireRecorder) record(diags []*tfprotov6.Diagnostic, values ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		w.diagnostics = append(w.diagnostics, fmt.Sprintf("%s: %s: %s", severity(d.Severity), d.Summary, d.Detail))
	}
	for _, v := range values {
		switch v := v.(type) {
		case *tfprotov6.DynamicValue:
			if v != nil {
				w.values.Write(v.MsgPack)
				w.values.Write(v.JSON)
			}
		case []byte:
			w.values.Write(v)
		}
	}
}

func (w *wireRecorder) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.diagnostics, "\n")
}

type wireServer struct {
	tfprotov6.ProviderServer
	rec *wireRecorder
}

func (s *wireServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateProviderConfig(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *wireServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := s.ProviderServer.ConfigureProvider(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *wireServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateResourceConfig(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *wireServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateDataResourceConfig(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *wireServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics, resp.NewState, resp.Private)
	}
	return resp, err
}

func (s *wireServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics, resp.PlannedState, resp.PlannedPrivate)
	}
	return resp, err
}

func (s *wireServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics, resp.NewState, resp.Private)
	}
	return resp, err
}

func (s *wireServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if resp != nil {
		s.rec.record(resp.Diagnostics, resp.State)
	}
	return resp, err
}

// With credentials from a registry_auth block (a bearer registry: the
// password buys a token) and from a Docker config file (a basic auth
// registry), and TF_LOG=trace, neither password, nor the basic credentials
// as sent, nor the bearer token appear in the trace log (Terraform's and the
// provider's), in any diagnostic, in the plan, in the state (as
// `terraform show -json` gives it, as attributes, and as the state files on
// disk, private state included), or in anything the provider sends back to
// Terraform: not on success, not after a wrong password, not when the
// registry quotes the Authorization header back in an error.
func TestAccSecrets_neverLeak(t *testing.T) {
	dockerConfig := isolateHome(t)
	const userA, passwordA = "ci-bot", "Bl0ck-Passw0rd-for-bearer"
	const userB, passwordB = "dock-user", "D0cker-config-Passw0rd-basic"
	const wrongA = "Wr0ng-Passw0rd-for-bearer"

	var echo atomic.Bool // registry A quotes Authorization in its errors
	regA := newSeededRegistry(t, driftTags, registrytest.WithBearerAuth(userA, passwordA), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if echo.Load() && strings.HasSuffix(r.URL.Path, "/tags/list") {
				writeRegistryError(w, http.StatusBadRequest)
				fmt.Fprintf(w, "refused %s", r.Header.Get("Authorization"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	regB := newSeededRegistry(t, []string{"3.1.15-python3.12"}, registrytest.WithBasicAuth(userB, passwordB))
	writeDockerConfig(t, dockerConfig, regB.Host(), userB, passwordB)

	secrets := secretScan{
		passwordA, wrongA, passwordB, regA.Token(),
		base64.StdEncoding.EncodeToString([]byte(userA + ":" + passwordA)),
		base64.StdEncoding.EncodeToString([]byte(userA + ":" + wrongA)),
		base64.StdEncoding.EncodeToString([]byte(userB + ":" + passwordB)),
	}

	logFile := filepath.Join(t.TempDir(), "trace.log")
	workingDir := t.TempDir()
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH", logFile)     // the provider's own log (terraform-plugin-log's test sink)
	t.Setenv("TF_ACC_LOG_PATH", logFile) // Terraform CLI's log, at TRACE, through terraform-exec
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1")
	t.Setenv("TF_VAR_registry_password", passwordA)

	config := fmt.Sprintf(`
variable "registry_password" {
  type      = string
  sensitive = true
}

provider "prefectimage" {
  repository      = %q
  request_timeout = "5s"
  max_retries     = 1

  registry_auth {
    address  = %q
    username = %q
    password = var.registry_password
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

data "prefectimage_pin" "docker_config" {
  repository = %q
  tag        = "3.1.15-python3.12"
}
`, regA.Host()+"/"+prefectRepo, regA.Host(), userA, regB.Host()+"/"+prefectRepo)

	rec := &wireRecorder{}
	checks := func() (resource.ConfigPlanChecks, []statecheck.StateCheck, resource.TestCheckFunc) {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secrets}},
			[]statecheck.StateCheck{secrets},
			secrets.checkAttributes
	}
	step := func(preConfig func()) resource.TestStep {
		plan, state, check := checks()
		return resource.TestStep{PreConfig: preConfig, Config: config, ConfigPlanChecks: plan, ConfigStateChecks: state, Check: check}
	}
	steps := []resource.TestStep{
		// Resolve with both kinds of credentials.
		step(nil),
		// Upstream moves: refresh, plan and apply an update.
		step(push(t, regA, "3.4.2-python3.12")),
	}
	// A wrong password: the refresh warns with a 401, the pin holds.
	wrong := step(func() { t.Setenv("TF_VAR_registry_password", wrongA) })
	wrong.ConfigPlanChecks.PreApply = append(wrong.ConfigPlanChecks.PreApply, plancheck.ExpectEmptyPlan())
	wrong.Check = resource.ComposeTestCheckFunc(wrong.Check, func(*terraform.State) error {
		if !strings.Contains(rec.text(), "401 Unauthorized") {
			return fmt.Errorf("no 401 warning; diagnostics were:\n%s", rec.text())
		}
		return nil
	})
	// The registry quotes the bearer token back: the warning shows it
	// scrubbed.
	echoing := step(func() { t.Setenv("TF_VAR_registry_password", passwordA); echo.Store(true) })
	echoing.ConfigPlanChecks.PreApply = append(echoing.ConfigPlanChecks.PreApply, plancheck.ExpectEmptyPlan())
	echoing.Check = resource.ComposeTestCheckFunc(echoing.Check, func(*terraform.State) error {
		if !strings.Contains(rec.text(), "refused Bearer [redacted]") {
			return fmt.Errorf("the echoed token was not seen scrubbed; diagnostics were:\n%s", rec.text())
		}
		return nil
	})
	steps = append(steps, wrong, echoing)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		WorkingDir:               workingDir,
		Steps:                    steps,
	})
	if t.Failed() {
		return
	}

	// Diagnostics, and everything else the provider sent back.
	if found := secrets.find([]byte(rec.text())); len(found) > 0 {
		t.Errorf("diagnostics hold secrets %q:\n%s", found, rec.text())
	}
	rec.mu.Lock()
	values := rec.values.Bytes()
	rec.mu.Unlock()
	if !bytes.Contains(values, []byte("sha256:")) {
		t.Error("no state went back to Terraform, so nothing was scanned")
	}
	if found := secrets.find(values); len(found) > 0 {
		t.Errorf("states or private state sent to Terraform hold secrets %q", found)
	}

	// The trace log: Terraform's lines and the provider's, both present.
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[TRACE]", "ConfigureProvider", "registry request", "registry authenticated", "configured credentials for " + regA.Host(), "the Docker config"} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the trace log (%d bytes) lacks %q, so it does not show what it should", len(log), want)
		}
	}
	if found := secrets.find(log); len(found) > 0 {
		for _, line := range strings.Split(string(log), "\n") {
			if len(secrets.find([]byte(line))) > 0 {
				t.Errorf("trace log line holds a secret: %.400s", line)
			}
		}
		t.Errorf("the trace log holds secrets %q", found)
	}

	// The state files on disk, private state included.
	var stateFiles int
	err = filepath.WalkDir(workingDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "terraform.tfstate") {
			return err
		}
		stateFiles++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if found := secrets.find(b); len(found) > 0 {
			t.Errorf("%s holds secrets %q", p, found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stateFiles == 0 {
		t.Error("no state file was found to scan")
	}
}

// registry_auth.password is Sensitive, so Terraform masks it in plan output
// and the framework never logs it; nothing else in the provider block is a
// secret.
func TestProviderSchema_passwordSensitive(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	block, ok := resp.Schema.Blocks["registry_auth"].(schema.ListNestedBlock)
	if !ok {
		t.Fatalf("registry_auth is %T, want a list nested block", resp.Schema.Blocks["registry_auth"])
	}
	for name, attr := range block.NestedObject.Attributes {
		if want := name == "password"; attr.IsSensitive() != want {
			t.Errorf("registry_auth.%s: Sensitive = %v, want %v", name, attr.IsSensitive(), want)
		}
	}
	if _, ok := block.NestedObject.Attributes["password"]; !ok {
		t.Fatal("registry_auth has no password")
	}
}

func (s *wireServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	resp, err := s.ProviderServer.CallFunction(ctx, req)
	if resp != nil && resp.Error != nil {
		s.rec.mu.Lock()
		s.rec.diagnostics = append(s.rec.diagnostics, "function error: "+resp.Error.Text)
		s.rec.mu.Unlock()
	}
	return resp, err
}
