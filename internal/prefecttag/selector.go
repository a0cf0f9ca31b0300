package prefecttag

import (
	"fmt"
	"strconv"
	"strings"
)

// Selector is what a user asks for: a version constraint, a Python
// constraint, a flavor and whether prereleases count. Its zero value asks for
// the newest stable release, standard flavor, highest Python.
type Selector struct {
	Versions         Constraint       // zero value = any
	Python           PythonConstraint // zero value = any
	Flavor           Flavor           // "" means FlavorStandard
	AllowPrereleases bool
}

// ParseSelector parses a selector as the provider's attributes spell it:
// prefect_version, python_version and flavor ("" for each default). An error
// names the attribute at fault.
func ParseSelector(prefectVersion, pythonVersion, flavor string, allowPrereleases bool) (Selector, error) {
	versions, err := ParseConstraint(prefectVersion)
	if err != nil {
		return Selector{}, fmt.Errorf("prefect_version %q: %w", prefectVersion, err)
	}
	python, err := ParsePythonConstraint(pythonVersion)
	if err != nil {
		return Selector{}, fmt.Errorf("python_version %q: %w", pythonVersion, err)
	}
	f := FlavorStandard
	if flavor != "" {
		if f, err = ParseFlavor(flavor); err != nil {
			return Selector{}, fmt.Errorf("flavor %q: %w", flavor, err)
		}
	}
	return Selector{Versions: versions, Python: python, Flavor: f, AllowPrereleases: allowPrereleases}, nil
}

// flavor returns the selector's flavor with the default applied.
func (s Selector) flavor() Flavor {
	if s.Flavor == "" {
		return FlavorStandard
	}
	return s.Flavor
}

// String describes s for error messages, in the provider's attribute names:
// prefect_version "~> 3.4", python_version "3.12", flavor "conda".
func (s Selector) String() string {
	var b strings.Builder
	b.WriteString("prefect_version ")
	if s.Versions.IsAny() {
		b.WriteString("(any)")
	} else {
		b.WriteString(strconv.Quote(s.Versions.String()))
	}
	b.WriteString(", python_version ")
	if s.Python.IsAny() {
		b.WriteString("(any)")
	} else {
		b.WriteString(strconv.Quote(s.Python.String()))
	}
	b.WriteString(", flavor ")
	b.WriteString(strconv.Quote(string(s.flavor())))
	if s.AllowPrereleases {
		b.WriteString(", allow_prereleases true")
	}
	return b.String()
}

// ExactTag returns the one tag name the selector can mean without listing the
// registry: when Versions.Exact() and Python.Exact() are both set. The flavor
// defaults to standard. An unknown flavor yields false.
func (s Selector) ExactTag() (string, bool) {
	v, ok := s.Versions.Exact()
	if !ok {
		return "", false
	}
	py, ok := s.Python.Exact()
	if !ok {
		return "", false
	}
	f := s.flavor()
	if flavorIndex(f) < 0 {
		return "", false
	}
	name := ReleaseTagName(v, py, f)
	// Exact() only returns versions a release tag can carry; check anyway, so
	// that ExactTag can never name a moving tag.
	if t, err := ParseTag(name); err != nil || t.Kind != KindRelease {
		return "", false
	}
	return name, true
}
