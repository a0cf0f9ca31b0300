package provider

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// A saved plan applied while the provider's repository
// (PREFECTIMAGE_REPOSITORY here; a provider block that reads a file is
// alike) names another repository than at plan: the apply records the pin
// the plan showed, in the repository it showed, and warns naming both
// repositories. Terraform plans once more at apply, in a provider
// configured anew: that plan resolved the pin in the apply's repository
// and Terraform stopped the apply with "Provider produced inconsistent
// final plan". A plan with -refresh=false keeps to the repository of the
// last refresh, with the same warning; the next plan that refreshes takes
// the new repository as a changed one and resolves the pin there.
func TestAccCLI_savedPlanKeepsProviderRepositoryOfItsRefresh(t *testing.T) {
	const tag = "3.4.2-python3.12"
	for _, tc := range []struct {
		name string
		// plannedInB: the saved plan is made under B and moves the pin
		// there (a changed repository), and applied under A; else it is
		// made under A, changing on_drift alone, and applied under B.
		plannedInB bool
	}{{"changed on_drift planned in the pin's repository", false}, {"move planned to another repository", true}} {
		t.Run(tc.name, func(t *testing.T) {
			isolateHome(t)
			regA, regB := newSeededRegistry(t, driftTags), newSeededRegistry(t, driftTags)
			push(t, regB, tag)()
			repoA, repoB := regA.Host()+"/"+prefectRepo, regB.Host()+"/"+prefectRepo
			digestA, digestB := mustDigest(t, regA, tag), mustDigest(t, regB, tag)
			if digestA == digestB {
				t.Fatal("the two repositories hold the same digest; the test proves nothing")
			}
			s := newCLISession(t)
			configOf := func(onDrift string) string {
				return `
provider "prefectimage" {
  max_retries = 1
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "` + onDrift + `"
}
`
			}
			s.config(configOf("warn"))
			s.must("init", "-input=false")
			t.Setenv(repositoryEnv, repoA)
			s.must("apply", "-input=false", "-auto-approve")

			planRepo, applyRepo, wantRepo, wantDigest := repoA, repoB, repoA, digestA
			if tc.plannedInB {
				planRepo, applyRepo, wantRepo, wantDigest = repoB, repoA, repoB, digestB
			} else {
				s.config(configOf("error"))
			}
			t.Setenv(repositoryEnv, planRepo)
			plan := s.must("plan", "-input=false", "-out=tfplan")
			if flat := strings.Join(strings.Fields(plan), " "); !strings.Contains(flat, "Plan: 0 to add, 1 to change, 0 to destroy.") ||
				(tc.plannedInB && !strings.Contains(flat, `repository = "`+repoA+`" -> "`+repoB+`"`)) {
				t.Fatalf("the saved plan is not the change wanted:\n%s", plan)
			}
			t.Setenv(repositoryEnv, applyRepo)
			out, err := s.run("apply", "-input=false", "tfplan")
			if err != nil {
				t.Fatalf("applying the saved plan under the other repository: %v\n%s", err, out)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, want := range []string{
				"Warning: Provider Repository Changed Since the Refresh",
				`The provider's repository is "` + applyRepo + `" in this run`,
				`was last refreshed, or created, under "` + planRepo + `"`,
			} {
				if !strings.Contains(flat, want) {
					t.Errorf("the apply's output lacks %q:\n%s", want, out)
				}
			}
			for attr, want := range map[string]string{
				"repository": wantRepo, "digest": wantDigest, "ref": wantRepo + "@" + wantDigest,
				"tagged_ref": wantRepo + ":" + tag + "@" + wantDigest, "upstream_digest": wantDigest,
			} {
				if got := s.attr(pinAddress, attr); got != want {
					t.Errorf("%s = %s after the saved plan's apply, want %s as planned", attr, got, want)
				}
			}

			// Without a refresh the plan keeps to the recorded repository.
			out, err = s.run("plan", "-input=false", "-refresh=false", "-detailed-exitcode")
			if flat := strings.Join(strings.Fields(out), " "); err != nil || !strings.Contains(flat, "No changes.") ||
				!strings.Contains(flat, "Warning: Provider Repository Changed Since the Refresh") {
				t.Errorf("plan -refresh=false under the other repository: err %v, want no changes and the warning:\n%s", err, out)
			}
			// A plan that refreshes takes the apply's repository as changed.
			otherDigest := digestB
			if tc.plannedInB {
				otherDigest = digestA
			}
			out, err = s.run("plan", "-input=false", "-detailed-exitcode")
			var exit *exec.ExitError
			if flat := strings.Join(strings.Fields(out), " "); !errors.As(err, &exit) || exit.ExitCode() != 2 ||
				!strings.Contains(flat, `repository = "`+wantRepo+`" -> "`+applyRepo+`"`) ||
				!strings.Contains(flat, `digest = "`+wantDigest+`" -> "`+otherDigest+`"`) ||
				strings.Contains(flat, "Provider Repository Changed") {
				t.Errorf("the refreshing plan under %s: err %v, want the pin moved there, without the warning:\n%s", applyRepo, err, out)
			}
		})
	}
}
