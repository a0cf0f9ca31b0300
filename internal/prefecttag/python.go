package prefecttag

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Python is the major.minor Python version of an image. Tags never carry a
// patch number, so neither does Python.
type Python struct{ Major, Minor int }

// ParsePython parses "3.12". It rejects "3" (no minor), "3.12.1" (tags have
// no patch number) and "python3.12" (the prefix belongs to the tag, not the
// version).
func ParsePython(s string) (Python, error) {
	p, err := parsePython(s)
	if err != nil {
		return Python{}, fmt.Errorf("invalid Python version %q: %w", s, err)
	}
	return p, nil
}

func parsePython(s string) (Python, error) {
	if s == "" {
		return Python{}, errors.New("empty")
	}
	if strings.HasPrefix(strings.ToLower(s), "py") { // "python3.12", "py3.12"
		return Python{}, errors.New(`write the version alone, such as "3.12"`)
	}
	majorText, rest, ok := cutNumber(s)
	if !ok {
		return Python{}, errors.New(`want major.minor, such as "3.12"`)
	}
	if rest == "" {
		return Python{}, errors.New(`want major.minor, such as "3.12"; tags always name the minor version`)
	}
	if rest[0] != '.' {
		return Python{}, fmt.Errorf(`unexpected %q; want major.minor, such as "3.12"`, rest)
	}
	minorText, rest, ok := cutNumber(rest[1:])
	if !ok {
		return Python{}, errors.New(`want major.minor, such as "3.12"`)
	}
	if rest != "" {
		if rest[0] == '.' {
			return Python{}, errors.New(`image tags name major.minor only, such as "3.12", never a patch release`)
		}
		return Python{}, fmt.Errorf(`unexpected %q; want major.minor, such as "3.12"`, rest)
	}
	major, err := atoi(majorText)
	if err != nil {
		return Python{}, err
	}
	minor, err := atoi(minorText)
	if err != nil {
		return Python{}, err
	}
	return Python{Major: major, Minor: minor}, nil
}

// String renders p as "3.12".
func (p Python) String() string {
	b := strconv.AppendInt(nil, int64(p.Major), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(p.Minor), 10)
	return string(b)
}

// Compare orders Pythons numerically: 3.9 < 3.10 < 3.13.
func (p Python) Compare(q Python) int {
	if c := cmp.Compare(p.Major, q.Major); c != 0 {
		return c
	}
	return cmp.Compare(p.Minor, q.Minor)
}

// version views p as a two-number Version, so that PythonConstraint can reuse
// the constraint machinery.
func (p Python) version() Version {
	return Version{rel: [maxRelease]int{p.Major, p.Minor}, n: 2}
}
