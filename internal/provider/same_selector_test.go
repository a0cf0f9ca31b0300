package provider

import "testing"

// A constraint respelled with the same parsed clauses (the equality written
// bare, "=" or "=="; clauses in another order; "~>" as "~=") is the same
// selector, so that on_drift still decides; one that means anything else,
// in prereleases too, is a changed selector.
func TestSameTag_respelledConstraints(t *testing.T) {
	for _, tc := range []struct {
		a, b       string // prefect_version
		pyA, pyB   string // python_version
		preA, preB bool   // allow_prereleases
		same       bool
	}{
		{a: "3.1.15", b: "= 3.1.15", same: true},
		{a: "3.1.15", b: "==3.1.15", same: true},
		{a: "= 3.1.15", b: "== 3.1.15", same: true},
		{a: "~> 3.1", b: "~>3.1", same: true},
		{a: "~> 3.1", b: "~=3.1", same: true},
		{a: ">=3.1,<3.4", b: "< 3.4, >= 3.1", same: true},
		{a: ">=3.1, !=3.2.0, <3.4", b: "!=3.2.0,<3.4,>=3.1", same: true},
		{a: "3.0.0rc14", b: "==3.0.0rc14", same: true},
		{a: "~> 3.4.0", b: "~> 3.4.0", pyA: "3.12", pyB: "==3.12", same: true},
		{pyA: "3.12", pyB: "= 3.12", same: true},
		{pyA: ">=3.11,<3.13", pyB: "< 3.13, >= 3.11", same: true},

		// Another meaning, or a spelling whose reading is not proven the same.
		{a: "3.1", b: "3.1.0"}, // "= 3.1" is short, and warned about
		{a: "~> 3.1", b: "~> 3.1.0"},
		{a: "==3.1.*", b: "~> 3.1.0"},                     // ==3.1.* admits 3.1.0rc1
		{a: ">= 3.0.0rc1", b: ">= 3.0.0"},                 // a bound on prereleases
		{a: "3.0.0rc14", b: ">= 3.0.0rc14, <= 3.0.0rc14"}, // only an equality names a prerelease
		{a: ">3.1", b: ">=3.1"},
		{a: "!=3.1.*", b: "!=3.1"},
		{a: ">=3.1,<3.4", b: ">=3.1"},
		{a: ">=3.1", b: ">=3.1, >=3.1"},
		{a: "~> 3.1", b: "~> 3.1", preA: false, preB: true},
		{pyA: "3.12", pyB: ">= 3.12"},
		{pyA: "", pyB: "3.12"},
	} {
		a := selector{Repository: "prefecthq/prefect", Flavor: "standard", PrefectVersion: tc.a, PythonVersion: tc.pyA, AllowPrereleases: tc.preA}
		b := selector{Repository: "prefecthq/prefect", Flavor: "standard", PrefectVersion: tc.b, PythonVersion: tc.pyB, AllowPrereleases: tc.preB}
		if got := sameTag(a, b); got != tc.same {
			t.Errorf("sameTag(%q/%q/%v, %q/%q/%v) = %v, want %v", tc.a, tc.pyA, tc.preA, tc.b, tc.pyB, tc.preB, got, tc.same)
		}
		if got := sameTag(b, a); got != tc.same {
			t.Errorf("sameTag(%q/%q/%v, %q/%q/%v) = %v, want %v", tc.b, tc.pyB, tc.preB, tc.a, tc.pyA, tc.preA, got, tc.same)
		}
	}
}

// A repository respelled (Docker Hub's names, none among them; a host's
// case) is the same selector, so that on_drift still decides, as is the
// repository of an import ID spelled otherwise than the configuration
// (adoptImported and adoptTagOfDigestImport compare them the same way).
// Docker Hub is out of the tests' reach, so its spellings are checked
// here, where the comparison is made; TestAccPinResource_respelledRepositoryIsNoChange
// and TestAccPinResource_importRespelledRepositoryHolds drive the same
// comparison through Terraform with a loopback host's case. Another
// repository, port or name for the host is a changed selector.
func TestSameTag_respelledRepository(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"prefecthq/prefect", "docker.io/prefecthq/prefect", true},
		{"prefecthq/prefect", "index.docker.io/prefecthq/prefect", true},
		{"prefecthq/prefect", "registry-1.docker.io/prefecthq/prefect", true},
		{"docker.io/prefecthq/prefect", "index.docker.io/prefecthq/prefect", true},
		{"localhost:5000/prefecthq/prefect", "LOCALHOST:5000/prefecthq/prefect", true},

		{"prefecthq/prefect", "prefecthq/prefect-client", false},
		{"prefecthq/prefect", "ghcr.io/prefecthq/prefect", false},
		{"localhost:5000/prefecthq/prefect", "127.0.0.1:5000/prefecthq/prefect", false},
		{"localhost:5000/prefecthq/prefect", "localhost:5001/prefecthq/prefect", false},
	} {
		for _, sel := range []selector{
			{Flavor: "standard", PrefectVersion: "~> 3.4.0", PythonVersion: "3.12"},
			{Tag: "3.4.2-python3.12"},
			{Tag: "3.4.2-python3.12", Imported: true},
		} {
			a, b := sel, sel
			a.Repository, b.Repository = tc.a, tc.b
			if got := sameTag(a, b); got != tc.same {
				t.Errorf("sameTag(%+v, %+v) = %v, want %v", a, b, got, tc.same)
			}
			if got := sameTag(b, a); got != tc.same {
				t.Errorf("sameTag(%+v, %+v) = %v, want %v", b, a, got, tc.same)
			}
		}
	}
}
