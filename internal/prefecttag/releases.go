package prefecttag

import "slices"

// ReleaseFilter is what a listing of releases asks for (the provider's
// prefectimage_releases data source): a version constraint, a Python
// constraint, a flavor and whether prereleases count, with Selector's
// meanings, except that an empty Flavor means every flavor. Its zero value
// keeps every stable release in every Python and flavor.
type ReleaseFilter struct {
	Versions         Constraint       // zero value = any
	Python           PythonConstraint // zero value = any
	Flavor           Flavor           // "" = every flavor
	AllowPrereleases bool
}

// ParseReleaseFilter parses a filter as the provider's attributes spell it:
// prefect_version, python_version and flavor ("" for each default: every
// version, Python and flavor). An error names the attribute at fault.
func ParseReleaseFilter(prefectVersion, pythonVersion, flavor string, allowPrereleases bool) (ReleaseFilter, error) {
	s, err := ParseSelector(prefectVersion, pythonVersion, flavor, allowPrereleases)
	if err != nil {
		return ReleaseFilter{}, err
	}
	f := ReleaseFilter(s) // the same fields; only an empty Flavor means otherwise
	if flavor == "" {
		f.Flavor = ""
	}
	return f, nil
}

// ReleaseSpans returns spans of tag names that together hold every release
// tag the filter can keep, or nil for every release tag: those of a
// Selector with the same version constraint (see Selector.ReleaseSpans),
// which depend on the constraint alone.
func (f ReleaseFilter) ReleaseSpans() []TagSpan {
	return Selector{Versions: f.Versions}.ReleaseSpans()
}

// Release is one version a repository publishes and the images of it that a
// filter kept.
type Release struct {
	Version Version
	// Images are release tags of Version, by Python (as numbers: 3.9 before
	// 3.10), then by flavor: standard, conda, kubernetes.
	Images []Tag
}

// Releases returns, newest first in PEP 440 order, every version that meets
// f.Versions (prereleases as Select admits them: only with
// f.AllowPrereleases or when the constraint names one exactly), each with
// its release tags whose Python meets f.Python and whose flavor is f.Flavor
// (any flavor when empty). A version left with no image is left out, and so
// is a cell (a Python and flavor) the catalog lacks: nothing is assumed to
// exist. Nothing matching gives an empty result, not an error; an unknown
// flavor matches nothing.
func (c *Catalog) Releases(f ReleaseFilter) []Release {
	var out []Release
	for e := range c.meeting(f.Versions, f.AllowPrereleases) {
		var images []Tag
		for fi, idx := range e.byFlavor { // in flavors order
			if f.Flavor != "" && flavors[fi] != f.Flavor {
				continue
			}
			for _, ti := range idx {
				if t := c.tags[ti]; f.Python.Allows(t.Python) {
					images = append(images, t)
				}
			}
		}
		if len(images) == 0 {
			continue
		}
		// Collected flavor by flavor; a stable sort by Python keeps the
		// flavors in order within each Python.
		slices.SortStableFunc(images, func(a, b Tag) int { return a.Python.Compare(b.Python) })
		out = append(out, Release{Version: e.v, Images: images})
	}
	return out
}
