package prefecttag

import (
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
