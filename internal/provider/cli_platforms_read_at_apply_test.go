package provider

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A saved plan that adds required_platforms to a pin reads the pinned
// image's platforms (a manifest GET), and Terraform's plan at apply reads
// them again: with the registry failing that GET at plan and answering at
// apply, or answering at plan and failing at apply, the two plans
// disagreed on platform_digests (null and a map) and Terraform stopped the
// apply with "Provider produced inconsistent final plan". The plan now
// shows platform_digests as known after apply (the required platforms are
// checked at plan all the same), and the apply records them, or null with
// the Required Platforms Not Checked warning when it cannot read them; the
// pin itself is planned and applied as it was.
func TestAccCLI_requiredPlatformsAddedReadAgainAtApply(t *testing.T) {
	const tag = "3.4.2-python3.12"
	for _, failAtPlan := range []bool{true, false} {
		name := "read at plan, failing at apply"
		if failAtPlan {
			name = "failing at plan, read at apply"
		}
		t.Run(name, func(t *testing.T) {
			isolateHome(t)
			var failGET atomic.Bool
			reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if failGET.Load() && registrytest.KindOf(r) == "get" {
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					next.ServeHTTP(w, r)
				})
			}))
			repo := reg.Host() + "/" + prefectRepo
			pinned := mustDigest(t, reg, tag)
			s := newCLISession(t)
			body := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
`
			s.config(pinConfig(reg, body))
			s.must("init", "-input=false")
			s.must("apply", "-input=false", "-auto-approve")

			s.config(pinConfig(reg, body+`  required_platforms = ["linux/amd64"]`))
			failGET.Store(failAtPlan)
			plan := strings.Join(strings.Fields(s.must("plan", "-input=false", "-out=tfplan")), " ")
			if !strings.Contains(plan, "+ platform_digests = (known after apply)") || !strings.Contains(plan, "Plan: 0 to add, 1 to change, 0 to destroy.") {
				t.Errorf("the saved plan does not show platform_digests known after apply:\n%s", plan)
			}
			if warned := strings.Contains(plan, "Warning: Required Platforms Not Checked"); warned != failAtPlan {
				t.Errorf("the plan warns Required Platforms Not Checked: %v, want %v:\n%s", warned, failAtPlan, plan)
			}
			failGET.Store(!failAtPlan)
			out, err := s.run("apply", "-input=false", "tfplan")
			if err != nil {
				t.Fatalf("applying the saved plan: %v\n%s", err, out)
			}
			flat := strings.Join(strings.Fields(out), " ")
			if warned := strings.Contains(flat, "Warning: Required Platforms Not Checked"); warned == failAtPlan {
				t.Errorf("the apply warns Required Platforms Not Checked: %v, want %v:\n%s", warned, !failAtPlan, out)
			}
			for attr, want := range map[string]string{"digest": pinned, "ref": repo + "@" + pinned} {
				if got := s.attr(pinAddress, attr); got != want {
					t.Errorf("%s = %s after the apply, want %s as planned", attr, got, want)
				}
			}
			digests := strings.Join(strings.Fields(s.must("state", "show", pinAddress)), " ")
			if recorded := strings.Contains(digests, `"linux/amd64" = "sha256:`); recorded != failAtPlan {
				t.Errorf("platform_digests recorded by the apply: %v, want %v:\n%s", recorded, failAtPlan, digests)
			}
		})
	}
}
