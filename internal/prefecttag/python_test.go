package prefecttag

import (
	"cmp"
	"slices"
	"strings"
	"testing"
)

func TestParsePython(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Python
	}{
		{"3.12", Python{3, 12}},
		{"3.9", Python{3, 9}},
		{"3.10", Python{3, 10}},
		{"3.14", Python{3, 14}},
		{"3.7", Python{3, 7}},
		{"2.7", Python{2, 7}},
		{"3.0", Python{3, 0}},
		{"4.100", Python{4, 100}},
	} {
		got, err := ParsePython(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePython(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.in {
			t.Errorf("ParsePython(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestParsePythonRejects(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "empty"},
		{"3", "minor"},
		{"3.12.1", "never a patch"},
		{"python3.12", "alone"},
		{"py3.12", "alone"},
		{"Python3.12", "alone"},
		{"3.", "major.minor"},
		{".12", "major.minor"},
		{"3.x", "major.minor"},
		{"3.12rc1", "unexpected"},
		{"3-12", "unexpected"},
		{"3.012", "leading zero"},
		{"03.12", "leading zero"},
		{" 3.12", "major.minor"},
		{"3.12 ", "unexpected"},
		{"3.99999999999999999999", "too large"},
		// Free-threaded builds: Prefect publishes no image for them.
		{"3.13t", `unexpected "t"`},
		{"3.14t", `unexpected "t"`},
	} {
		_, err := ParsePython(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePython(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestPythonCompare(t *testing.T) {
	asc := []Python{{2, 7}, {3, 7}, {3, 8}, {3, 9}, {3, 10}, {3, 11}, {3, 12}, {3, 13}, {3, 14}, {4, 0}}
	for i := range asc {
		for j := range asc {
			want := cmp.Compare(i, j)
			if got := asc[i].Compare(asc[j]); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", asc[i], asc[j], got, want)
			}
		}
	}
	shuffled := []Python{{3, 13}, {3, 9}, {3, 10}, {3, 14}, {3, 12}}
	slices.SortFunc(shuffled, Python.Compare)
	if !slices.Equal(shuffled, []Python{{3, 9}, {3, 10}, {3, 12}, {3, 13}, {3, 14}}) {
		t.Errorf("sorted Pythons = %v, want numeric order", shuffled)
	}
}
