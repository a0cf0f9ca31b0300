package prefecttag

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxRelease bounds the release numbers of a Version. Prefect uses three;
// four leaves room for constraints written with a trailing ".0" while keeping
// Version a small comparable value with no heap allocation.
const maxRelease = 4

// preKind orders the prerelease kinds as PEP 440 does: a < b < rc.
type preKind uint8

const (
	preNone preKind = iota
	preAlpha
	preBeta
	preRC
)

var preNames = [...]string{preNone: "", preAlpha: "a", preBeta: "b", preRC: "rc"}

// Version is a PEP 440 version in the normalized form Prefect's tags use:
// release numbers, an optional prerelease (aN, bN, rcN), an optional .postN
// and an optional .devN. Epochs and local versions are not supported: Prefect
// publishes neither. The zero Version is not a valid version.
type Version struct {
	rel     [maxRelease]int
	n       uint8 // release numbers written
	pre     preKind
	preN    int
	hasPost bool
	post    int
	hasDev  bool
	dev     int
}

// ParseVersion parses a version as Prefect writes it: "3.1.15", "3.0.0rc14",
// "2.0b8", "3.1.16.dev2", "2.6.9.post1". Only the normalized PEP 440 form is
// accepted (no "v" prefix, no "-rc1", no leading zeros), so that a parsed
// version renders back to exactly the text of its tag.
func ParseVersion(s string) (Version, error) {
	v, err := parseVersion(s)
	if err != nil {
		return Version{}, fmt.Errorf("invalid version %q: %w", s, err)
	}
	return v, nil
}

func parseVersion(s string) (Version, error) {
	var v Version
	if s == "" {
		return v, errors.New("empty")
	}
	switch {
	case s[0] == 'v' || s[0] == 'V':
		if _, err := parseVersion(s[1:]); err == nil {
			return v, fmt.Errorf(`versions have no "v" prefix: write %q`, s[1:])
		}
		return v, errors.New(`versions have no "v" prefix`)
	case strings.ContainsRune(s, '!'):
		if _, after, _ := strings.Cut(s, "!"); after != "" && !strings.ContainsRune(after, '!') {
			if _, err := parseVersion(after); err == nil {
				return v, fmt.Errorf("version epochs (N!) are not supported, and no Prefect release has one: write %q", after)
			}
		}
		return v, errors.New("version epochs (N!) are not supported")
	case strings.ContainsRune(s, '+'):
		return v, errors.New("local versions (+...) are not supported")
	case strings.ContainsAny(s, " \t\n"):
		return v, errors.New("contains white space")
	case s == "*" || strings.EqualFold(s, "x") || strings.EqualFold(s, "any"):
		return v, fmt.Errorf("%q is not a version; to allow any version, leave the attribute out (or null)", s)
	case strings.EqualFold(s, "stable"):
		return v, fmt.Errorf("%q is not a version; leave the attribute out (or null) for any stable release: prereleases come only with allow_prereleases", s)
	case strings.EqualFold(s, "latest"):
		return v, errors.New(`"latest" is a tag, not a version; leave the attribute out for the newest, or name a moving tag such as 3-latest with the tag attribute`)
	}
	rest := s
	// Release numbers.
	for {
		num, tail, ok := cutNumber(rest)
		if !ok {
			if rest == "" || rest[0] == '.' {
				return v, errors.New("empty release number")
			}
			return v, fmt.Errorf("release part %q is not a number", firstField(rest))
		}
		if int(v.n) == maxRelease {
			return v, fmt.Errorf("more than %d release numbers", maxRelease)
		}
		n, err := atoi(num)
		if err != nil {
			return v, err
		}
		v.rel[v.n] = n
		v.n++
		rest = tail
		if len(rest) >= 2 && rest[0] == '.' && isDigit(rest[1]) {
			rest = rest[1:]
			continue
		}
		break
	}
	// Prerelease: a, b or rc directly after the release, as normalized.
	for k := preRC; k >= preAlpha; k-- {
		if strings.HasPrefix(rest, preNames[k]) {
			num, tail, ok := cutNumber(rest[len(preNames[k]):])
			if !ok && len(rest) > len(preNames[k]) {
				return v, unexpectedSuffix(s, rest) // "alpha1", "beta8"
			}
			if !ok {
				return v, fmt.Errorf("prerelease %q needs a number, such as %s1", preNames[k], preNames[k])
			}
			n, err := atoi(num)
			if err != nil {
				return v, err
			}
			v.pre, v.preN, rest = k, n, tail
			break
		}
	}
	if strings.HasPrefix(rest, ".post") {
		num, tail, ok := cutNumber(rest[len(".post"):])
		if !ok {
			return v, errors.New(`".post" needs a number, such as .post1`)
		}
		n, err := atoi(num)
		if err != nil {
			return v, err
		}
		v.hasPost, v.post, rest = true, n, tail
	}
	if strings.HasPrefix(rest, ".dev") {
		num, tail, ok := cutNumber(rest[len(".dev"):])
		if !ok {
			return v, errors.New(`".dev" needs a number, such as .dev1`)
		}
		n, err := atoi(num)
		if err != nil {
			return v, err
		}
		v.hasDev, v.dev, rest = true, n, tail
	}
	if rest != "" {
		if rest == "." || strings.HasPrefix(rest, "..") {
			return v, errors.New("empty release number")
		}
		return v, unexpectedSuffix(s, rest)
	}
	return v, nil
}

// unexpectedSuffix explains the common non-normalized spellings, and the
// rest of an image tag written as a version ("3.1.15-python3.12",
// "3.12-conda"); rest is what is left of s.
func unexpectedSuffix(s, rest string) error {
	lower := strings.ToLower(rest)
	word := strings.TrimLeft(lower, "-_.")
	switch {
	case strings.HasPrefix(lower, "-python"), lower == "-latest", strings.HasPrefix(lower, "-latest-"):
		return fmt.Errorf("%q is the rest of an image tag, not part of a version; name a whole tag with the tag attribute, or write the version alone (3.1.15) and the Python in python_version (3.12)", rest)
	case word == "conda", word == "kubernetes", word == "standard":
		return fmt.Errorf("%q is a flavor, not part of a version; set it with the flavor attribute", rest)
	}
	// A prerelease word followed by its number, a separator or nothing:
	// "c" is PEP 440's rc, but "conda" is no prerelease.
	for _, p := range []string{"alpha", "beta", "rc", "a", "b", "c", "preview", "pre", "dev", "post"} {
		if after, ok := strings.CutPrefix(word, p); ok && (after == "" || isDigit(after[0]) || strings.ContainsRune("-_.", rune(after[0]))) {
			return fmt.Errorf("%q is not written the way Prefect writes versions; use the PEP 440 normal form, such as 3.0.0rc14, 2.0b8, 3.1.16.dev2 or 2.6.9.post1", rest)
		}
	}
	if rest == ".*" || rest == ".x" || rest == ".X" {
		// In the user's own version: "2.20.x" is "==2.20.*" or "~> 2.20.0".
		base := s[:len(s)-len(rest)]
		if v, err := parseVersion(base); err == nil && v.isPlain() {
			return fmt.Errorf("%q: a version has no wildcard; a constraint writes one as \"==%s.*\" (PEP 440) or \"~> %s.0\" (Terraform)", rest, base, base)
		}
		return fmt.Errorf("%q: a version has no wildcard; a constraint writes one as \"==3.1.*\" (PEP 440) or \"~> 3.1.0\" (Terraform)", rest)
	}
	return fmt.Errorf("unexpected %q", rest)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// cutNumber splits a leading run of digits off s.
func cutNumber(s string) (num, rest string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:], i > 0
}

// atoi parses a number in normalized form: no leading zeros, so that the
// text of a tag is the only way to write its version.
func atoi(s string) (int, error) {
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("number %q has a leading zero", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("number %q is too large", s)
	}
	return n, nil
}

func firstField(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return s
}

// seg returns release number i, zero past the written ones (3.1 == 3.1.0).
func (v Version) seg(i int) int {
	if i < int(v.n) {
		return v.rel[i]
	}
	return 0
}

// compareRelease compares release numbers only, padding with zeros.
func (v Version) compareRelease(w Version) int {
	for i := range maxRelease {
		if a, b := v.seg(i), w.seg(i); a != b {
			return cmp.Compare(a, b)
		}
	}
	return 0
}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w in PEP 440
// order: X.Y.Z.devN < X.Y.ZaN < X.Y.ZbN < X.Y.ZrcN < X.Y.Z < X.Y.Z.postN, with
// numbers compared as numbers (rc2 < rc10) and missing release numbers as
// zeros (3.1 == 3.1.0).
func (v Version) Compare(w Version) int {
	if c := v.compareRelease(w); c != 0 {
		return c
	}
	if c := cmp.Compare(v.preKey(), w.preKey()); c != 0 {
		return c
	}
	if c := cmp.Compare(v.preNKey(), w.preNKey()); c != 0 {
		return c
	}
	if c := cmp.Compare(v.postKey(), w.postKey()); c != 0 {
		return c
	}
	return cmp.Compare(v.devKey(), w.devKey())
}

// The keys follow packaging's _cmpkey: a bare dev release sorts before every
// prerelease of its release, a final release after all of them.
func (v Version) preKey() int {
	switch {
	case v.pre != preNone:
		return int(v.pre)
	case v.hasDev && !v.hasPost:
		return -1
	default:
		return int(preRC) + 1
	}
}

func (v Version) preNKey() int {
	if v.pre == preNone {
		return 0
	}
	return v.preN
}

func (v Version) postKey() int {
	if !v.hasPost {
		return -1
	}
	return v.post
}

// devKey is unsigned so that "no dev part" sorts after every .devN, even
// .dev9223372036854775807 (math.MaxInt), which an int sentinel tied with it.
func (v Version) devKey() uint {
	if !v.hasDev {
		return ^uint(0)
	}
	return uint(v.dev)
}

// String renders v in the normalized form Prefect's tags use.
func (v Version) String() string {
	var b []byte
	for i := range int(v.n) {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(v.rel[i]), 10)
	}
	if v.pre != preNone {
		b = append(b, preNames[v.pre]...)
		b = strconv.AppendInt(b, int64(v.preN), 10)
	}
	if v.hasPost {
		b = append(b, ".post"...)
		b = strconv.AppendInt(b, int64(v.post), 10)
	}
	if v.hasDev {
		b = append(b, ".dev"...)
		b = strconv.AppendInt(b, int64(v.dev), 10)
	}
	return string(b)
}

// IsPrerelease reports whether v has an a, b, rc or dev part. A post release
// alone is not a prerelease (PEP 440).
func (v Version) IsPrerelease() bool { return v.pre != preNone || v.hasDev }

// isPostrelease reports whether v has a .postN part.
func (v Version) isPostrelease() bool { return v.hasPost }

// isPlain reports whether v is release numbers only: what a minor, major or
// latest tag carries, and what a wildcard or a Python version may hold.
func (v Version) isPlain() bool { return v.pre == preNone && !v.hasPost && !v.hasDev }

// releaseLen is the number of release numbers written.
func (v Version) releaseLen() int { return int(v.n) }
