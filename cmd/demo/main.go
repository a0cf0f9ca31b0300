// Command demo runs the provider's whole story on this machine, offline: a
// local registry seeded with Prefect's tag catalog, terraform apply of a pin
// that feeds a work pool job template, then an upstream re-push and the plan
// that shows it. Run it from the repository root: `make demo`.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

const repo = "prefecthq/prefect"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
}

// step prints a numbered heading and a line or two of what happens and why.
type stepper struct {
	out io.Writer
	n   int
}

func (s *stepper) step(title, why string) {
	s.n++
	fmt.Fprintf(s.out, "\n==> Step %d: %s\n    %s\n\n", s.n, title, why)
}

func run(ctx context.Context, out io.Writer) error {
	s := &stepper{out: out}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("step 0 (checking tools): terraform is not on PATH; install Terraform >= 1.8")
	}
	work, err := os.MkdirTemp("", "prefectimage-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	s.step("build the provider", "go build, then a Terraform CLI config in a temp dir whose dev_overrides point at it (nothing in your home is touched).")
	bin := filepath.Join(work, "bin")
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "terraform-provider-prefectimage"), ".")
	build.Stdout, build.Stderr = out, out
	if err := build.Run(); err != nil {
		return fmt.Errorf("step %d (build the provider): %w", s.n, err)
	}
	cliConfig := filepath.Join(work, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"prefectimage/prefectimage\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		return fmt.Errorf("step %d (write the Terraform CLI config): %w", s.n, err)
	}
	fmt.Fprintf(out, "    provider built into %s\n", bin)

	s.step("start a local registry", "An in-process OCI registry on 127.0.0.1 (go-containerregistry's, behind the project's test handler) seeded with all 13,512 prefecthq/prefect tags, 100 tags a page like Docker Hub.")
	reg, err := registrytest.Start()
	if err != nil {
		return fmt.Errorf("step %d (start a local registry): %w", s.n, err)
	}
	defer reg.Close()
	started := time.Now()
	if err := reg.Seed(repo, tagcatalog.Prefect()); err != nil {
		return fmt.Errorf("step %d (seed the registry): %w", s.n, err)
	}
	fmt.Fprintf(out, "    registry at %s, %d tags seeded in %s\n", reg.Host(), len(tagcatalog.Prefect()), time.Since(started).Round(time.Millisecond))

	config := filepath.Join(work, "config")
	if err := copyDir(filepath.Join("examples", "demo"), config); err != nil {
		return fmt.Errorf("step %d (copy the demo configuration): %w", s.n, err)
	}
	tf := func(args ...string) (string, int, error) {
		cmd := exec.CommandContext(ctx, terraform, args...)
		cmd.Dir = config
		cmd.Env = append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+cliConfig,
			"TF_DATA_DIR="+filepath.Join(work, "tfdata"),
			"TF_IN_AUTOMATION=1",
			"CHECKPOINT_DISABLE=1",
			"DOCKER_CONFIG="+filepath.Join(work, "docker"),
			"TF_VAR_registry="+reg.Host(),
		)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code, err = exitErr.ExitCode(), nil
		}
		return buf.String(), code, err
	}

	s.step("terraform apply", "Resolves '~> 3.7.0, Python 3.12, conda' to a digest, stores the pin in state, and writes it into a Docker work pool's base job template with set_image_default.")
	applied, code, err := tf("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return fmt.Errorf("step %d (terraform apply): %w", s.n, err)
	}
	if code != 0 {
		fmt.Fprint(out, applied)
		return fmt.Errorf("step %d (terraform apply): exit code %d", s.n, code)
	}
	printLines(out, applied, isApplyLine)
	if i := strings.Index(applied, "Apply complete!"); i >= 0 {
		printLines(out, applied[i:], func(string) bool { return true })
	}
	pinned, _, err := tf("output", "-raw", "pinned_tag")
	if err != nil {
		return fmt.Errorf("step %d (terraform output): %w", s.n, err)
	}
	fmt.Fprintln(out)

	s.step("upstream re-pushes the pinned tag", "Prefect re-pushes exact version tags (PrefectHQ/prefect#18943); the local registry does the same to the tag the pin holds.")
	tag := tagOf(pinned)
	before, _ := reg.Digest(repo, tag)
	after, err := reg.Push(repo, tag)
	if err != nil {
		return fmt.Errorf("step %d (re-push %s): %w", s.n, tag, err)
	}
	fmt.Fprintf(out, "    %s:%s\n      was %s\n      now %s\n", repo, tag, before, after)

	s.step("terraform plan shows the drift", "The refresh sees the new digest; the plan updates the pin in place, known at plan time, and the work pool template changes with it. Exit code 2 means changes, as a nightly 'terraform plan -detailed-exitcode' would report.")
	plan, code, err := tf("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err != nil {
		return fmt.Errorf("step %d (terraform plan): %w", s.n, err)
	}
	if code != 2 {
		fmt.Fprint(out, plan)
		return fmt.Errorf("step %d (terraform plan): exit code %d, want 2 (changes)", s.n, code)
	}
	for _, want := range []string{"prefectimage_pin.flows will be updated in-place", "terraform_data.work_pool_template will be updated in-place", after} {
		if !strings.Contains(plan, want) {
			fmt.Fprint(out, plan)
			return fmt.Errorf("step %d (terraform plan): the plan does not mention %q", s.n, want)
		}
	}
	if !outputShows(plan, "work_pool_image_default", after) {
		fmt.Fprint(out, plan)
		return fmt.Errorf("step %d (terraform plan): the work pool's image default does not show %s at plan time", s.n, after)
	}
	fmt.Fprintf(out, "    (exit code %d; the plan's changed lines; the full plan is %d lines)\n\n", code, strings.Count(plan, "\n"))
	printLines(out, plan, isPlanLine)

	s.step("clean up", "Stops the registry and removes the temp dir with the provider build, CLI config and state.")
	fmt.Fprintln(out, "    done: the pin followed the re-push in the plan, and so did the work pool template.")
	return nil
}

// printLines prints the lines of Terraform's output that keep tells apart,
// so the story is not buried under the job template's JSON.
func printLines(out io.Writer, text string, keep func(string) bool) {
	for _, line := range strings.Split(text, "\n") {
		if keep(line) {
			fmt.Fprintln(out, "    "+line)
		}
	}
}

func isApplyLine(line string) bool {
	t := strings.TrimSpace(line)
	return strings.Contains(t, ": Creation complete") || strings.Contains(t, ": Read complete")
}

func isPlanLine(line string) bool {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, ")") { // the end of a JSON value known only after apply
		return false
	}
	return (strings.HasPrefix(t, "# ") && strings.Contains(t, " will be ")) || strings.Contains(t, " -> ") ||
		strings.HasPrefix(t, "Plan:") || strings.HasPrefix(t, "Changes to Outputs:")
}

// outputShows reports whether the plan's line of output name shows want:
// a value the plan knows, not "(known after apply)".
func outputShows(plan, name, want string) bool {
	for line := range strings.Lines(plan) {
		if strings.HasPrefix(strings.TrimLeft(line, " ~+-"), name+" ") && strings.Contains(line, want) {
			return true
		}
	}
	return false
}

// tagOf takes the tag out of repository:tag@digest.
func tagOf(taggedRef string) string {
	ref := strings.TrimSpace(taggedRef)
	if at := strings.LastIndex(ref, "@"); at >= 0 {
		ref = ref[:at]
	}
	return ref[strings.LastIndex(ref, ":")+1:]
}

func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}
