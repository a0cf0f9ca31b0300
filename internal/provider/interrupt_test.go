package provider

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// syncBuffer is a bytes.Buffer safe for a process writing while a test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Terraform interrupted (Ctrl-C) while the provider waits on the registry:
// Terraform stops the provider, the request in flight ends (the registry
// sees its context end) and `terraform plan` exits at once, long before
// request_timeout × (max_retries+1). The provider is served in process in
// debug mode and the real Terraform CLI attaches to it through
// TF_REATTACH_PROVIDERS, so the interrupt takes Terraform's own path.
func TestInterrupt_stopsInFlightRequests(t *testing.T) {
	isolateHome(t)

	arrived, ended := make(chan struct{}), make(chan struct{})
	var arrivedOnce, endedOnce sync.Once
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") {
				next.ServeHTTP(w, r)
				return
			}
			arrivedOnce.Do(func() { close(arrived) })
			select {
			case <-r.Context().Done():
				endedOnce.Do(func() { close(ended) })
			case <-time.After(time.Minute):
			}
		})
	}))

	// The provider served in process, the CLI run as a process of its own
	// that the test interrupts.
	cli := newCLISession(t)
	cli.config(fmt.Sprintf(`
provider "prefectimage" {
  repository      = %q
  request_timeout = "60s"
  max_retries     = 3
}

data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
}
`, reg.Host()+"/"+prefectRepo))
	terraform := func(args ...string) *exec.Cmd {
		cmd := exec.Command(cli.tfPath, args...)
		cmd.Dir, cmd.Env = cli.dir, cli.env
		return cmd
	}
	if out, err := terraform("init", "-input=false", "-no-color").CombinedOutput(); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}

	plan := terraform("plan", "-input=false", "-no-color")
	out := &syncBuffer{}
	plan.Stdout, plan.Stderr = out, out
	if err := plan.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- plan.Wait() }()
	select {
	case <-arrived:
	case err := <-exited:
		t.Fatalf("terraform plan exited before listing tags: %v\n%s", err, out)
	case <-time.After(60 * time.Second):
		_ = plan.Process.Kill()
		t.Fatalf("the tag list request never arrived\n%s", out)
	}

	start := time.Now()
	if err := plan.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err == nil {
			t.Errorf("terraform plan succeeded after the interrupt\n%s", out)
		}
	case <-time.After(20 * time.Second):
		_ = plan.Process.Kill()
		t.Fatalf("terraform plan did not exit within 20s of the interrupt (the budget is 4m)\n%s", out)
	}
	select {
	case <-ended:
	case <-time.After(time.Second):
		t.Fatalf("the registry did not see the tag list request end\n%s", out)
	}
	t.Logf("terraform plan exited %s after the interrupt", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(out.String(), "Interrupt received") {
		t.Errorf("Terraform did not report the interrupt:\n%s", out)
	}
	if !strings.Contains(out.String(), "cancelled") {
		t.Errorf("the plan's error does not say the request was cancelled:\n%s", out)
	}
}
