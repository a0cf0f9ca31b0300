package prefecttag

import (
	"slices"
	"strconv"
	"strings"
)

// NoMatchError is Select's error when no release tag meets a selector. Its
// fields describe what the catalog does have, so that callers can word their
// own message; Error words one.
type NoMatchError struct {
	Selector Selector
	Flavor   Flavor // the selector's flavor, default applied

	// Newest lists, newest first, up to 5 versions published for the
	// selector's Python constraint and flavor, whatever their version
	// (stable ones only, unless the selector allows prereleases).
	Newest []Version

	// Best is the newest version meeting the version constraint, in any
	// Python and flavor; BestPythons (ascending) and BestFlavors are what it
	// is published for. HasBest is false when no version meets it.
	Best        Version
	HasBest     bool
	BestPythons []Python
	BestFlavors []Flavor
	// BestFlavorPythons (ascending) are the Pythons Best is published for
	// in the selector's flavor: none of them meets the selector's Python.
	BestFlavorPythons []Python

	// Prerelease is the newest prerelease meeting the constraint, set only
	// when no stable version does and the selector did not allow
	// prereleases: the newest one published for the selector's Python and
	// flavor when there is one (PrereleaseFits; allow_prereleases = true
	// would pick it), else the newest in any Python and flavor, published
	// for PrereleasePythons (ascending) and PrereleaseFlavors.
	Prerelease        Version
	HasPrerelease     bool
	PrereleaseFits    bool
	PrereleasePythons []Python
	PrereleaseFlavors []Flavor

	// Unquoted is X.D0 when the constraint is a bare X.D and the catalog
	// has an X.D0.z release: prefect_version = X.D0 was likely written
	// without quotes, which Terraform reads as the number X.D.
	Unquoted    Version
	HasUnquoted bool

	// Empty is true when the catalog holds no release tag at all.
	Empty bool
}

// Error reads, for example:
//
//	no tag matches prefect_version "~> 3.1.0", python_version "3.13", flavor "standard".
//	Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8.
//	Newest version meeting "~> 3.1.0" is 3.1.15, published for Python 3.9, 3.10, 3.11, 3.12
//	in flavors standard, conda, kubernetes.
//
// (one line). The caller adds the repository.
func (e *NoMatchError) Error() string {
	var b strings.Builder
	b.WriteString("no tag matches ")
	b.WriteString(e.Selector.String())
	b.WriteString(".")
	if e.Empty {
		b.WriteString(" The repository has no release tags (such as 3.1.15-python3.12) at all.")
		return b.String()
	}

	where := pythonLabel(e.Selector.Python) + ", " + string(e.Flavor)
	stable := "stable "
	if e.Selector.AllowPrereleases {
		stable = ""
	}
	if len(e.Newest) == 0 {
		b.WriteString(" No " + stable + "version is published on " + where + ".")
	} else {
		b.WriteString(" Newest " + stable + "versions on " + where + ": ")
		b.WriteString(joinVersions(e.Newest))
		b.WriteString(".")
	}

	switch {
	case e.HasBest:
		if e.Selector.Versions.IsAny() {
			b.WriteString(" Newest " + stable + "version is ")
		} else {
			b.WriteString(" Newest version meeting " + strconv.Quote(e.Selector.Versions.String()) + " is ")
		}
		b.WriteString(e.Best.String())
		b.WriteString(", published for ")
		b.WriteString(cellsText(e.BestPythons, e.BestFlavors))
		if e.flavorLacksPython() {
			// Best has the flavor and a Python asked for, but not
			// together: say so, or the sentence reads as if it had.
			b.WriteString("; in flavor " + string(e.Flavor) + " only for " + cellsText(e.BestFlavorPythons, nil))
		}
		b.WriteString(".")
	case e.HasPrerelease:
		// Advise allow_prereleases only when it would pick something: the
		// prerelease is published for the selector's Python and flavor.
		if e.Selector.Versions.IsAny() {
			b.WriteString(" The repository has no stable release; the newest prerelease")
		} else {
			b.WriteString(" No stable version meets " + strconv.Quote(e.Selector.Versions.String()) + "; the newest prerelease meeting it")
		}
		if e.PrereleaseFits {
			b.WriteString(" on " + where + " is " + e.Prerelease.String() + " (set allow_prereleases = true to consider prereleases).")
		} else {
			b.WriteString(" is " + e.Prerelease.String() + ", published for " + cellsText(e.PrereleasePythons, e.PrereleaseFlavors) +
				"; none is published on " + where + ".")
		}
	case e.Selector.Versions.IsAny():
		b.WriteString(" The repository has no " + stable + "release.")
	default:
		b.WriteString(" No version meets " + strconv.Quote(e.Selector.Versions.String()) + ".")
	}
	if e.HasUnquoted {
		u := e.Unquoted.String()
		b.WriteString(" If prefect_version = " + u + " was written without quotes, Terraform read it as the number " +
			e.Selector.Versions.String() + " and dropped the trailing zero: quote it, such as \"~> " + u + ".0\" for the newest " + u + ".z.")
	}
	return b.String()
}

// flavorLacksPython reports whether Best is published in the selector's
// flavor and for a Python the selector allows, in different images.
func (e *NoMatchError) flavorLacksPython() bool {
	return len(e.BestFlavorPythons) > 0 && slices.ContainsFunc(e.BestPythons, e.Selector.Python.Allows)
}

// cellsText reads "Python 3.9, 3.10 in flavors standard, conda", or
// "Python 3.9, 3.10" with no flavors.
func cellsText(pythons []Python, flavors []Flavor) string {
	pys := make([]string, len(pythons))
	for i, p := range pythons {
		pys[i] = p.String()
	}
	if len(flavors) == 0 {
		return "Python " + strings.Join(pys, ", ")
	}
	fs := make([]string, len(flavors))
	for i, f := range flavors {
		fs[i] = string(f)
	}
	flavorWord := "flavor"
	if len(flavors) > 1 {
		flavorWord = "flavors"
	}
	return "Python " + strings.Join(pys, ", ") + " in " + flavorWord + " " + strings.Join(fs, ", ")
}

func pythonLabel(p PythonConstraint) string {
	switch py, exact := p.Exact(); {
	case exact:
		return "Python " + py.String()
	case p.IsAny():
		return "any Python"
	default:
		return "Python " + strconv.Quote(p.String())
	}
}

func joinVersions(vs []Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}
