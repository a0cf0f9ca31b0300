package prefecttag

import (
	"errors"
	"testing"
)

func TestSelectNoMatch(t *testing.T) {
	tests := []struct {
		name                     string
		cat                      *Catalog
		versions, python, flavor string
		pre                      bool
		want                     string // the whole message
	}{
		{
			name: "~> 3.1.0 on 3.13", cat: prefectCatalog(), versions: "~> 3.1.0", python: "3.13",
			want: `no tag matches prefect_version "~> 3.1.0", python_version "3.13", flavor "standard". ` +
				`Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "~> 3.1.0" is 3.1.15, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`,
		},
		{
			name: "missing cell 3.1.9 on 3.13", cat: prefectCatalog(), versions: "3.1.9", python: "3.13", flavor: "kubernetes",
			want: `no tag matches prefect_version "3.1.9", python_version "3.13", flavor "kubernetes". ` +
				`Newest stable versions on Python 3.13, kubernetes: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "3.1.9" is 3.1.9, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`,
		},
		{
			name: "missing cell 3.2.14 on 3.13", cat: prefectCatalog(), versions: "==3.2.14", python: "==3.13",
			want: `no tag matches prefect_version "==3.2.14", python_version "==3.13", flavor "standard". ` +
				`Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "==3.2.14" is 3.2.14, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`,
		},
		{
			name: "no version meets it", cat: prefectCatalog(), versions: "~> 9.0",
			want: `no tag matches prefect_version "~> 9.0", python_version (any), flavor "standard". ` +
				`Newest stable versions on any Python, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`No version meets "~> 9.0".`,
		},
		{
			name: "only a prerelease meets it", cat: prefectCatalog(), versions: ">= 3.8.4.dev1", python: ">= 3.13",
			want: `no tag matches prefect_version ">= 3.8.4.dev1", python_version ">= 3.13", flavor "standard". ` +
				`Newest stable versions on Python ">= 3.13", standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`No stable version meets ">= 3.8.4.dev1"; the newest prerelease meeting it on Python ">= 3.13", standard is 3.8.4.dev6 (set allow_prereleases = true to consider prereleases).`,
		},
		{
			// allow_prereleases would not help: 3.1.16.devN are not built for 3.13.
			name: "only a prerelease meets it, on other Pythons", cat: prefectCatalog(), versions: "==3.1.16.*", python: "3.13",
			want: `no tag matches prefect_version "==3.1.16.*", python_version "3.13", flavor "standard". ` +
				`Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`No stable version meets "==3.1.16.*"; the newest prerelease meeting it is 3.1.16.dev7, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes; none is published on Python 3.13, standard.`,
		},
		{
			// 3.8.4.dev6 sorts before 3.8.4, so not even a prerelease meets it.
			name: "a dev build is below its release", cat: prefectCatalog(), versions: "~> 3.8.4", pre: true,
			want: `no tag matches prefect_version "~> 3.8.4", python_version (any), flavor "standard", allow_prereleases true. ` +
				`Newest versions on any Python, standard: 3.8.4.dev6, 3.8.4.dev5, 3.8.4.dev4, 3.8.4.dev3, 3.8.4.dev2. ` +
				`No version meets "~> 3.8.4".`,
		},
		{
			// PEP 440 (and go-version alike): "< 3.0.0" admits no 3.0.0 prerelease.
			name: "< V excludes prereleases of V", cat: prefectCatalog(), versions: ">= 3.0.0rc1, < 3.0.0", python: "3.12", pre: true,
			want: `no tag matches prefect_version ">= 3.0.0rc1, < 3.0.0", python_version "3.12", flavor "standard", allow_prereleases true. ` +
				`Newest versions on Python 3.12, standard: 3.8.4.dev6, 3.8.4.dev5, 3.8.4.dev4, 3.8.4.dev3, 3.8.4.dev2. ` +
				`No version meets ">= 3.0.0rc1, < 3.0.0".`,
		},
		{
			name: "no such Python", cat: prefectCatalog(), python: "3.6",
			want: `no tag matches prefect_version (any), python_version "3.6", flavor "standard". ` +
				`No stable version is published on Python 3.6, standard. ` +
				`Newest stable version is 3.8.3, published for Python 3.10, 3.11, 3.12, 3.13, 3.14 in flavors standard, conda, kubernetes.`,
		},
		{
			name: "flavor missing for a Python", cat: prefectCatalog(), versions: "~> 2.6.0", python: "3.11", flavor: "conda",
			want: `no tag matches prefect_version "~> 2.6.0", python_version "3.11", flavor "conda". ` +
				`Newest stable versions on Python 3.11, conda: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "~> 2.6.0" is 2.6.9, published for Python 3.7, 3.8, 3.9, 3.10, 3.11 in flavors standard, conda; ` +
				`in flavor conda only for Python 3.7, 3.8, 3.9, 3.10.`,
		},
		{
			// 2.6.9 has Python 3.11 and conda, but no 3.11 conda image:
			// the message must not read as if it had one.
			name: "flavor missing for a Python range", cat: prefectCatalog(), versions: "==2.6.*", python: ">= 3.11", flavor: "conda",
			want: `no tag matches prefect_version "==2.6.*", python_version ">= 3.11", flavor "conda". ` +
				`Newest stable versions on Python ">= 3.11", conda: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "==2.6.*" is 2.6.9, published for Python 3.7, 3.8, 3.9, 3.10, 3.11 in flavors standard, conda; ` +
				`in flavor conda only for Python 3.7, 3.8, 3.9, 3.10.`,
		},
		{
			// Python 3.11 is published, but not in the kubernetes flavor at all.
			name: "flavor missing for the version", cat: prefectCatalog(), versions: "~> 2.6.0", python: "3.11", flavor: "kubernetes",
			want: `no tag matches prefect_version "~> 2.6.0", python_version "3.11", flavor "kubernetes". ` +
				`Newest stable versions on Python 3.11, kubernetes: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "~> 2.6.0" is 2.6.9, published for Python 3.7, 3.8, 3.9, 3.10, 3.11 in flavors standard, conda.`,
		},
		{
			name: "prereleases allowed", cat: prefectCatalog(), versions: "~> 3.1.0", python: "3.14", pre: true,
			want: `no tag matches prefect_version "~> 3.1.0", python_version "3.14", flavor "standard", allow_prereleases true. ` +
				`Newest versions on Python 3.14, standard: 3.8.4.dev6, 3.8.4.dev5, 3.8.4.dev4, 3.8.4.dev3, 3.8.4.dev2. ` +
				`Newest version meeting "~> 3.1.0" is 3.1.16.dev7, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`,
		},
		{
			// prefect_version = 2.20 without quotes is "2.2" to the provider;
			// 2.2.0 was never built for 3.12, and 2.20.z releases exist.
			name: "2.20 written as a number", cat: prefectCatalog(), versions: "2.2", python: "3.12",
			want: `no tag matches prefect_version "2.2", python_version "3.12", flavor "standard". ` +
				`Newest stable versions on Python 3.12, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "2.2" is 2.2.0, published for Python 3.7, 3.8, 3.9, 3.10 in flavors standard, conda. ` +
				`If prefect_version = 2.20 was written without quotes, Terraform read it as the number 2.2 and dropped the trailing zero: quote it, such as "~> 2.20.0" for the newest 2.20.z.`,
		},
		{
			name: "3.10 written as a number", cat: NewCatalog([]string{"3.10.2-python3.12", "3.1.15-python3.12"}), versions: "3.1",
			want: `no tag matches prefect_version "3.1", python_version (any), flavor "standard". ` +
				`Newest stable versions on any Python, standard: 3.10.2, 3.1.15. ` +
				`No version meets "3.1". ` +
				`If prefect_version = 3.10 was written without quotes, Terraform read it as the number 3.1 and dropped the trailing zero: quote it, such as "~> 3.10.0" for the newest 3.10.z.`,
		},
		{
			// Prefect has no 3.10 yet: no word of quotes.
			name: "3.1 with no 3.10 release", cat: prefectCatalog(), versions: "3.1", python: "3.13",
			want: `no tag matches prefect_version "3.1", python_version "3.13", flavor "standard". ` +
				`Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "3.1" is 3.1.0, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`,
		},
		{
			// "= 2.2" and "==2.2" were typed as strings, never a number.
			name: "= 2.2 is no number", cat: prefectCatalog(), versions: "= 2.2", python: "3.12",
			want: `no tag matches prefect_version "= 2.2", python_version "3.12", flavor "standard". ` +
				`Newest stable versions on Python 3.12, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "= 2.2" is 2.2.0, published for Python 3.7, 3.8, 3.9, 3.10 in flavors standard, conda.`,
		},
		{
			name: "2.2.0 is no number", cat: prefectCatalog(), versions: "2.2.0", python: "3.12",
			want: `no tag matches prefect_version "2.2.0", python_version "3.12", flavor "standard". ` +
				`Newest stable versions on Python 3.12, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. ` +
				`Newest version meeting "2.2.0" is 2.2.0, published for Python 3.7, 3.8, 3.9, 3.10 in flavors standard, conda.`,
		},
		{
			name: "prefect-client has no conda", cat: clientCatalog(), flavor: "conda",
			want: `no tag matches prefect_version (any), python_version (any), flavor "conda". ` +
				`No stable version is published on any Python, conda. ` +
				`Newest stable version is 3.8.3, published for Python 3.10, 3.11, 3.12, 3.13, 3.14 in flavor standard.`,
		},
		{
			name: "empty catalog", cat: NewCatalog([]string{"3-latest", "main"}), versions: "3.1.15",
			want: `no tag matches prefect_version "3.1.15", python_version (any), flavor "standard". ` +
				`The repository has no release tags (such as 3.1.15-python3.12) at all.`,
		},
		{
			name: "only prereleases published", cat: NewCatalog([]string{"3.0.0rc1-python3.12", "3.0.0rc2-python3.12"}),
			want: `no tag matches prefect_version (any), python_version (any), flavor "standard". ` +
				`No stable version is published on any Python, standard. ` +
				`The repository has no stable release; the newest prerelease on any Python, standard is 3.0.0rc2 (set allow_prereleases = true to consider prereleases).`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := selector(t, tt.versions, tt.python, tt.flavor, tt.pre)
			got, err := tt.cat.Select(s)
			if err == nil {
				t.Fatalf("Select(%s) = %q, want no match", s, got.Name)
			}
			var nm *NoMatchError
			if !errors.As(err, &nm) {
				t.Fatalf("Select error is %T, want *NoMatchError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("message:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestSelectNoMatchFields(t *testing.T) {
	_, err := prefectCatalog().Select(selector(t, "~> 3.1.0", "3.13", "", false))
	var nm *NoMatchError
	if !errors.As(err, &nm) {
		t.Fatalf("error %v, want *NoMatchError", err)
	}
	if !nm.HasBest || nm.Best.String() != "3.1.15" || len(nm.Newest) != 5 || nm.Newest[0].String() != "3.8.3" ||
		len(nm.BestFlavors) != 3 || len(nm.BestPythons) != 4 || nm.HasPrerelease || nm.Empty || nm.Flavor != FlavorStandard {
		t.Errorf("NoMatchError fields: %+v", nm)
	}
}

// The prerelease fields say what their doc says, and no more: set only when
// no stable version meets the constraint, and the Pythons and flavors only
// for a prerelease not published on the selector's Python and flavor (not
// left over from a newer one that is not, once an older one fits).
func TestSelectNoMatchPrereleaseFields(t *testing.T) {
	noMatch := func(t *testing.T, tags []string, s Selector) *NoMatchError {
		t.Helper()
		_, err := NewCatalog(tags).Select(s)
		var nm *NoMatchError
		if !errors.As(err, &nm) {
			t.Fatalf("error %v, want *NoMatchError", err)
		}
		return nm
	}
	t.Run("an older prerelease fits: no Pythons or flavors of the newer one", func(t *testing.T) {
		nm := noMatch(t, []string{"4.0.0rc2-python3.13-conda", "4.0.0rc1-python3.12", "3.9.0-python3.12"}, selector(t, "> 3.9", "3.12", "", false))
		if !nm.HasPrerelease || !nm.PrereleaseFits || nm.Prerelease.String() != "4.0.0rc1" || nm.PrereleasePythons != nil || nm.PrereleaseFlavors != nil {
			t.Errorf("NoMatchError fields: %+v", nm)
		}
	})
	t.Run("a stable version meets the constraint: no prerelease, fitting or not", func(t *testing.T) {
		nm := noMatch(t, []string{"3.2.0-python3.12", "3.2.0rc1-python3.13"}, selector(t, "~> 3.1", "3.13", "", false))
		if !nm.HasBest || nm.Best.String() != "3.2.0" || nm.HasPrerelease || nm.PrereleaseFits || nm.PrereleasePythons != nil {
			t.Errorf("NoMatchError fields: %+v", nm)
		}
	})
}
