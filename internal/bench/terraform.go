package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ProviderBinary is the file name Terraform looks for in a dev_overrides
// directory.
const ProviderBinary = "terraform-provider-prefectimage"

// BuildProvider builds the main package pkg (the provider is ".") of the
// module in dir into out/terraform-provider-prefectimage, with extra
// -ldflags (may be empty).
func BuildProvider(ctx context.Context, dir, pkg, out, ldflags string) error {
	args := []string{"build", "-o", filepath.Join(out, ProviderBinary)}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s %s: %w\n%s", ldflags, pkg, err, b)
	}
	return nil
}

// Workspace is one Terraform configuration in a directory of its own, with a
// CLI configuration whose dev_overrides point at a provider build (or none)
// and an empty Docker config, so nothing of the user's is read.
type Workspace struct {
	Terraform string // the terraform binary
	Dir       string
	PlanArgs  []string // extra arguments to terraform plan, such as -parallelism=20
	env       []string
}

// NewWorkspace writes config into root/name and prepares its environment.
// providerDir is the directory holding the provider build ("" for none);
// registry is the value of var.registry.
func NewWorkspace(terraform, root, name, config, providerDir, registry string) (*Workspace, error) {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	rc := "provider_installation {\n  direct {}\n}\n"
	if providerDir != "" {
		rc = fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"prefectimage/prefectimage\" = %q\n  }\n  direct {}\n}\n", providerDir)
	}
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	docker := filepath.Join(dir, ".docker")
	if err := os.MkdirAll(docker, 0o700); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_LOG=",
		"DOCKER_CONFIG="+docker,
		"TF_VAR_registry="+registry,
	)
	return &Workspace{Terraform: terraform, Dir: dir, env: env}, nil
}

// Plan runs `terraform plan` (saving the plan as plan.bin) and returns its
// wall time. A failed plan is an error holding Terraform's output.
func (w *Workspace) Plan(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	out, err := w.run(ctx, append([]string{"plan", "-input=false", "-no-color", "-out=plan.bin"}, w.PlanArgs...)...)
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("terraform plan in %s: %w\n%s", w.Dir, err, out)
	}
	return elapsed, nil
}

// Planned reads the saved plan and returns the tag and digest each
// prefectimage_pin resource is planned with.
func (w *Workspace) Planned(ctx context.Context) (map[string]Resolved, error) {
	out, err := w.run(ctx, "show", "-json", "plan.bin")
	if err != nil {
		return nil, fmt.Errorf("terraform show in %s: %w\n%s", w.Dir, err, out)
	}
	var plan struct {
		PlannedValues struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Name   string `json:"name"`
					Values struct {
						Tag    string `json:"tag"`
						Digest string `json:"digest"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"planned_values"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	res := map[string]Resolved{}
	for _, r := range plan.PlannedValues.RootModule.Resources {
		if r.Type == "prefectimage_pin" {
			res[r.Name] = Resolved{Tag: r.Values.Tag, Digest: r.Values.Digest}
		}
	}
	return res, nil
}

func (w *Workspace) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, w.Terraform, args...)
	cmd.Dir = w.Dir
	cmd.Env = w.env
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.Bytes(), err
}
