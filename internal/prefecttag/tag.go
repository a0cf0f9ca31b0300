package prefecttag

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what a tag names.
type Kind string

const (
	KindRelease Kind = "release" // 3.1.15-python3.12: one release; the only kind a Selector picks
	KindMinor   Kind = "minor"   // 3.1-python3.12: moves with each stable 3.1.z
	KindMajor   Kind = "major"   // 3-python3.12: moves with each newest release
	KindLatest  Kind = "latest"  // 3-latest, 3-latest-conda, 3-latest-python3.12
	KindSHA     Kind = "sha"     // sha-1da1544-python3.12: one commit's build
)

// Tag is a parsed Prefect image tag.
type Tag struct {
	Name       string
	Kind       Kind
	Version    Version // release: the full version; minor: X.Y; major and latest: X; sha: zero value
	HasVersion bool
	Python     Python // zero unless HasPython
	HasPython  bool   // false for "3-latest" etc.
	Flavor     Flavor // FlavorStandard when no suffix
	SHA        string // 7 hex, for KindSHA
}

// ParseTag parses a tag of prefecthq/prefect or prefecthq/prefect-client
// (Prefect 2.x and 3.x, and legacy X.Y.Z-pythonP.Q tags of 0.x and 1.x):
//
//	release  <version>-python<py>[-<flavor>]   3.1.15-python3.12, 3.0.0rc14-python3.11-conda
//	minor    <X>.<Y>-python<py>[-<flavor>]     3.1-python3.12
//	major    <X>-python<py>[-<flavor>]         3-python3.12-kubernetes
//	latest   <X>-latest[-python<py>][-<flavor>] 3-latest, 3-latest-conda, 3-latest-python3.12
//	sha      sha-<7 hex>-python<py>[-<flavor>]  sha-1da1544-python3.12-conda
//
// sha, latest and minor are told apart before release: X.Y with no
// prerelease part is always the moving minor tag. A release tag's version has
// three release numbers (X.Y.Z), or two with a prerelease part (the 2.0
// alphas and betas, 2.0b8). A .postN part is accepted in a release tag: no
// Prefect image carries one (2.6.9.post1 is a stray git tag), but such a tag
// would be unambiguous and PEP 440 orders it, so it is not refused.
//
// The error says which part is wrong.
func ParseTag(s string) (Tag, error) {
	t, err := parseTag(s)
	if err != nil {
		return Tag{}, fmt.Errorf("%q is not a Prefect image tag: %w", s, err)
	}
	t.Name = s
	return t, nil
}

func parseTag(s string) (Tag, error) {
	t := Tag{Flavor: FlavorStandard}
	switch {
	case s == "":
		return t, errors.New("empty tag")
	case s == "latest":
		return t, errors.New(`"latest" is a Prefect 1.x tag (Prefect 1.4.1 on Python 3.7); Prefect 2.x and 3.x publish "2-latest" and "3-latest"`)
	case strings.ContainsAny(s, " \t\n"):
		return t, errors.New("tags contain no white space")
	}
	if c := s[0]; !isDigit(c) && c != 'v' && c != 'V' && !strings.HasPrefix(s, "sha-") {
		return t, errors.New(`a Prefect tag starts with a version ("3.1.15-python3.12", "3-latest") or "sha-"`)
	}
	parts := strings.Split(s, "-")
	head, rest := parts[0], parts[1:]

	switch {
	case head == "sha":
		t.Kind = KindSHA
		if len(rest) == 0 || !isShortSHA(rest[0]) {
			msg := `"sha-" must be followed by 7 lowercase hex digits, such as sha-1da1544-python3.12`
			if len(rest) > 0 && len(rest[0]) > 7 && isShortSHA(rest[0][:7]) {
				// Prefect's own docs show a full commit hash (sha-88a7ff17a3…-python3.10).
				msg += fmt.Sprintf("; Prefect's sha tags carry a commit's first 7 digits only: sha-%s-…", rest[0][:7])
			}
			return t, errors.New(msg)
		}
		t.SHA = rest[0]
		rest = rest[1:]
		if len(rest) == 0 {
			return t, errors.New(`sha tags name their Python: sha-` + t.SHA + `-python3.12`)
		}
	case len(rest) > 0 && rest[0] == "latest":
		t.Kind = KindLatest
		v, err := parseMovingVersion(head, 1)
		if err != nil {
			return t, err
		}
		t.Version, t.HasVersion = v, true
		rest = rest[1:]
	default:
		v, kind, err := parseHeadVersion(head)
		if err != nil {
			return t, err
		}
		t.Kind, t.Version, t.HasVersion = kind, v, true
		if len(rest) == 0 {
			if kind == KindRelease {
				return t, fmt.Errorf(`no "-python<X.Y>" part; Prefect 2.x and 3.x tags name their Python, such as %s-python3.12 (a bare version is a Prefect 1.x tag)`, head)
			}
			return t, fmt.Errorf(`no "-python<X.Y>" part, such as %s-python3.12`, head)
		}
	}

	// Python part: required except in latest tags.
	if len(rest) > 0 && strings.HasPrefix(rest[0], "python") {
		py, err := parsePython(rest[0][len("python"):])
		if err != nil {
			return t, pythonPartError(parts[:len(parts)-len(rest)], rest, err)
		}
		t.Python, t.HasPython = py, true
		rest = rest[1:]
	} else if t.Kind != KindLatest {
		if f := Flavor(rest[0]); flavorIndex(f) > 0 {
			return t, fmt.Errorf(`the Python part comes before the flavor, such as %s-python3.12-%s`, strings.Join(parts[:len(parts)-len(rest)], "-"), f)
		}
		before := strings.Join(parts[:len(parts)-len(rest)], "-")
		if t.Kind == KindMajor && len(rest) == 1 && rest[0] == "dev" {
			return t, errors.New(`"<X>-dev" is a Prefect 1.x development image tag (1-dev); Prefect 2.x and 3.x tag nightly builds with their version, such as 3.1.16.dev2-python3.12`)
		}
		if looksLikePrerelease(rest[0]) {
			return t, fmt.Errorf(`%q: Prefect writes versions in PEP 440 normal form, with no "-" before the prerelease, such as 3.0.0rc14`, before+"-"+rest[0])
		}
		return t, fmt.Errorf(`want "python<X.Y>" after %q, got %q`, before, rest[0])
	}

	// Flavor part: always last.
	if len(rest) > 0 {
		switch f := Flavor(rest[0]); f {
		case FlavorConda, FlavorKubernetes:
			t.Flavor = f
		case FlavorStandard:
			return t, errors.New(`the standard flavor has no suffix; drop "-standard"`)
		default:
			if strings.HasPrefix(rest[0], "python") {
				return t, fmt.Errorf("the Python part %q must come before the flavor", rest[0])
			}
			msg := fmt.Sprintf("unknown flavor %q: Prefect publishes %q and %q, and standard images with no suffix", rest[0], FlavorConda, FlavorKubernetes)
			if strings.HasPrefix(rest[0], "prefect") {
				// 0.7.5-python3.12-prefect3.6.20: prefect-aws's own version first.
				msg += `; a "-prefect<version>" suffix marks a tag of an integration image (prefecthq/prefect-aws, -gcp or -azure), whose leading version is the integration's, not Prefect's`
			}
			return t, errors.New(msg)
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		return t, fmt.Errorf("unexpected %q after the flavor", strings.Join(rest, "-"))
	}
	return t, nil
}

// parseHeadVersion classifies the part before "-python": X is a major tag,
// X.Y a minor tag, anything else a release.
func parseHeadVersion(head string) (Version, Kind, error) {
	v, err := parseVersion(head)
	if err != nil {
		return v, "", fmt.Errorf("version %q: %w", head, err)
	}
	if v.isPlain() {
		switch v.releaseLen() {
		case 1:
			return v, KindMajor, nil
		case 2:
			return v, KindMinor, nil
		}
	}
	if v.releaseLen() != 3 && (v.releaseLen() != 2 || v.isPlain()) {
		return v, "", fmt.Errorf("version %q: a release tag's version has three numbers (X.Y.Z), or two with a prerelease part (2.0b8)", head)
	}
	return v, KindRelease, nil
}

// parseMovingVersion parses the X of "X-latest".
func parseMovingVersion(head string, n int) (Version, error) {
	v, err := parseVersion(head)
	if err != nil {
		return v, fmt.Errorf("version %q: %w", head, err)
	}
	if !v.isPlain() || v.releaseLen() != n {
		return v, fmt.Errorf(`version %q: a latest tag names a major version only, such as "3-latest"`, head)
	}
	return v, nil
}

func isShortSHA(s string) bool {
	if len(s) != 7 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ReleaseTagName renders the release tag for v, py and f:
// "3.1.15-python3.12", "3.1.15-python3.12-conda". An empty flavor is standard.
func ReleaseTagName(v Version, py Python, f Flavor) string {
	return v.String() + "-python" + py.String() + f.suffix()
}

// looksLikePrerelease spots "rc14" in "3.0.0-rc14-python3.12", a semver habit.
func looksLikePrerelease(s string) bool {
	s = strings.ToLower(s)
	for _, p := range []string{"rc", "a", "b", "alpha", "beta", "dev", "post", "pre"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if rest == "" || isDigit(rest[0]) || rest[0] == '.' {
				return true
			}
		}
	}
	return false
}

// PythonPartSplitError is a tag whose Python part is written with a "-"
// inside ("3.1.15-python-3.12"): a near miss of Prefect's scheme, which a
// registry answers "not found" and which the user meant as Fixed.
type PythonPartSplitError struct {
	Part  string // "python-3.12"
	Fixed string // the tag as Prefect writes it: "3.1.15-python3.12"
}

func (e *PythonPartSplitError) Error() string {
	return fmt.Sprintf(`%q: write the Python part with no "-" inside it, such as %s`, e.Part, e.Fixed)
}

// pythonPartError says what is wrong (err) with a tag's Python part,
// rest[0], which follows the parts before, and shows the part as a tag writes it:
// "python" and major.minor, in the user's own tag. A Python part written
// with a "-" inside ("3.1.15-python-3.12") is given back whole without it.
func pythonPartError(before, rest []string, err error) error {
	head := strings.Join(before, "-")
	if rest[0] == "python" && len(rest) > 1 {
		if _, err := parsePython(rest[1]); err == nil {
			return &PythonPartSplitError{Part: "python-" + rest[1], Fixed: strings.Join(append([]string{head, "python" + rest[1]}, rest[2:]...), "-")}
		}
	}
	if rest[0] == "python" {
		return fmt.Errorf(`python part "python" names no Python; a tag writes it as "python" and major.minor, such as %s-python3.12`, head)
	}
	return fmt.Errorf(`python part %q: %w; a tag writes it as "python" and major.minor, such as %s-python3.12`, rest[0], err, head)
}
