package prefecttag

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
)

// Catalog holds a repository's release tags, parsed once and indexed for
// Select: versions newest first, and for each version and flavor its tags
// highest Python first.
type Catalog struct {
	tags     []Tag          // release tags, newest version first, then highest Python
	versions []versionEntry // one per distinct version, newest first
}

type versionEntry struct {
	v Version
	// byFlavor[i] lists indexes into tags for flavors[i], highest Python first.
	byFlavor [len(flavors)][]int32
}

// NewCatalog parses tags and keeps the release tags. Tags that do not parse,
// moving tags (minor, major, latest) and sha tags are passed over: a selector
// never picks them. Duplicates count once.
func NewCatalog(tags []string) *Catalog {
	c := &Catalog{tags: make([]Tag, 0, len(tags))}
	seen := make(map[string]struct{}, len(tags))
	for _, name := range tags {
		if _, dup := seen[name]; dup {
			continue
		}
		seen[name] = struct{}{}
		t, err := ParseTag(name)
		if err != nil || t.Kind != KindRelease {
			continue
		}
		c.tags = append(c.tags, t)
	}
	slices.SortFunc(c.tags, func(a, b Tag) int {
		if d := b.Version.Compare(a.Version); d != 0 {
			return d
		}
		if d := b.Python.Compare(a.Python); d != 0 {
			return d
		}
		// Versions equal by value but written apart ("3.1.0" and "3.1.0.0"
		// cannot both be release tags, but stay deterministic anyway).
		return cmp.Compare(a.Name, b.Name)
	})
	for i := range c.tags {
		t := &c.tags[i]
		if n := len(c.versions); n == 0 || c.versions[n-1].v.Compare(t.Version) != 0 {
			c.versions = append(c.versions, versionEntry{v: t.Version})
		}
		e := &c.versions[len(c.versions)-1]
		f := flavorIndex(t.Flavor)
		e.byFlavor[f] = append(e.byFlavor[f], int32(i))
	}
	return c
}

// Len returns the number of release tags in the catalog.
func (c *Catalog) Len() int { return len(c.tags) }

// Select returns the release tag for s: of the tags whose version meets
// s.Versions (prereleases as Constraint.Allows says), whose Python meets
// s.Python and whose flavor is s.Flavor, the highest version in PEP 440
// order, and of its tags the highest Python. When nothing matches the error
// is a *NoMatchError that shows what the catalog has.
func (c *Catalog) Select(s Selector) (Tag, error) {
	fi := flavorIndex(s.flavor())
	if fi < 0 {
		_, err := ParseFlavor(string(s.Flavor))
		return Tag{}, err
	}
	for e := range c.meeting(s.Versions, s.AllowPrereleases) {
		for _, ti := range e.byFlavor[fi] {
			if t := c.tags[ti]; s.Python.Allows(t.Python) {
				return t, nil
			}
		}
	}
	return Tag{}, c.noMatch(s, fi)
}

// meeting yields, newest first, the catalog's versions that meet versions:
// prereleases only with allowPrereleases or when versions names one exactly
// (Constraint.Allows). Select and Releases both walk it.
func (c *Catalog) meeting(versions Constraint, allowPrereleases bool) iter.Seq[*versionEntry] {
	return func(yield func(*versionEntry) bool) {
		for i := range c.versions {
			if e := &c.versions[i]; versions.Allows(e.v, allowPrereleases) && !yield(e) {
				return
			}
		}
	}
}

// noMatchNewest is how many versions a NoMatchError lists.
const noMatchNewest = 5

// noMatch gathers what the catalog has near s, for the error text.
func (c *Catalog) noMatch(s Selector, fi int) *NoMatchError {
	e := &NoMatchError{Selector: s, Flavor: s.flavor(), Empty: len(c.tags) == 0}
	for i := range c.versions {
		ve := &c.versions[i]
		if len(e.Newest) < noMatchNewest && (s.AllowPrereleases || !ve.v.IsPrerelease()) {
			for _, ti := range ve.byFlavor[fi] {
				if s.Python.Allows(c.tags[ti].Python) {
					e.Newest = append(e.Newest, ve.v)
					break
				}
			}
		}
		if !e.HasBest && s.Versions.Allows(ve.v, s.AllowPrereleases) {
			e.Best, e.HasBest = ve.v, true
			e.BestPythons, e.BestFlavors = ve.cells(c.tags)
			e.BestFlavorPythons = pythonsOf(c.tags, ve.byFlavor[fi])
		}
		if !e.HasBest && !e.PrereleaseFits && !s.AllowPrereleases && s.Versions.Allows(ve.v, true) {
			// The newest prerelease meeting the constraint, but preferably
			// one published for the selector's Python and flavor: only then
			// would allow_prereleases = true pick something.
			if ve.has(c.tags, fi, s.Python) {
				e.Prerelease, e.HasPrerelease, e.PrereleaseFits = ve.v, true, true
			} else if !e.HasPrerelease {
				e.Prerelease, e.HasPrerelease = ve.v, true
				e.PrereleasePythons, e.PrereleaseFlavors = ve.cells(c.tags)
			}
		}
		if len(e.Newest) == noMatchNewest && e.HasBest {
			break
		}
	}
	if e.HasBest {
		e.Prerelease, e.HasPrerelease = Version{}, false
	}
	if u, ok := s.Versions.UnquotedReading(); ok {
		for i := range c.versions {
			if hasPrefix(c.versions[i].v, u, 2) {
				e.Unquoted, e.HasUnquoted = u, true
				break
			}
		}
	}
	if !e.HasPrerelease || e.PrereleaseFits {
		e.PrereleasePythons, e.PrereleaseFlavors = nil, nil
	}
	return e
}

// has reports whether version e has a tag of flavor index fi whose Python
// meets py.
func (e *versionEntry) has(tags []Tag, fi int, py PythonConstraint) bool {
	for _, ti := range e.byFlavor[fi] {
		if py.Allows(tags[ti].Python) {
			return true
		}
	}
	return false
}

// cells returns the Pythons (ascending) and flavors (in flavors order) that
// version e is published for.
func (e *versionEntry) cells(tags []Tag) ([]Python, []Flavor) {
	var all []int32
	var fs []Flavor
	for fi, idx := range e.byFlavor {
		if len(idx) > 0 {
			fs = append(fs, flavors[fi])
		}
		all = append(all, idx...)
	}
	return pythonsOf(tags, all), fs
}

// pythonsOf returns the Pythons of tags[idx…], ascending, once each (2.0b8
// and 2.0.0b8, one version, may both have an image for a Python).
func pythonsOf(tags []Tag, idx []int32) []Python {
	var pys []Python
	for _, ti := range idx {
		pys = append(pys, tags[ti].Python)
	}
	slices.SortFunc(pys, Python.Compare)
	return slices.Compact(pys)
}

// String summarizes the catalog for debugging.
func (c *Catalog) String() string {
	return fmt.Sprintf("prefecttag.Catalog{%d release tags, %d versions}", len(c.tags), len(c.versions))
}
