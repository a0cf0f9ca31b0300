package prefecttag

import "fmt"

// Flavor is the image variant that follows the Python part of a tag.
type Flavor string

// The flavors Prefect publishes. Standard images have no suffix.
const (
	FlavorStandard   Flavor = "standard"
	FlavorConda      Flavor = "conda"
	FlavorKubernetes Flavor = "kubernetes"
)

// flavors lists the flavors in a fixed order that also indexes Catalog cells.
var flavors = [...]Flavor{FlavorStandard, FlavorConda, FlavorKubernetes}

// ParseFlavor accepts "standard", "conda" and "kubernetes". The empty string
// is rejected: defaulting is the caller's decision, not the parser's.
func ParseFlavor(s string) (Flavor, error) {
	if i := flavorIndex(Flavor(s)); i >= 0 {
		return flavors[i], nil
	}
	return "", fmt.Errorf("invalid flavor %q: want one of %q, %q or %q", s, FlavorStandard, FlavorConda, FlavorKubernetes)
}

// flavorIndex returns f's index in flavors, or -1.
func flavorIndex(f Flavor) int {
	switch f {
	case FlavorStandard:
		return 0
	case FlavorConda:
		return 1
	case FlavorKubernetes:
		return 2
	}
	return -1
}

// suffix is what f adds to a tag: nothing for standard.
func (f Flavor) suffix() string {
	if f == FlavorStandard || f == "" {
		return ""
	}
	return "-" + string(f)
}
