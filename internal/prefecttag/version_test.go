package prefecttag

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func mustVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatalf("ParseVersion(%q): %v", s, err)
	}
	return v
}

func TestParseVersionAccepts(t *testing.T) {
	tests := []struct {
		in         string
		prerelease bool
	}{
		{"3.1.15", false},
		{"3.0.0rc14", true},
		{"3.0.0rc1", true},
		{"2.0b8", true},
		{"2.0a1", true},
		{"3.1.16.dev2", true},
		{"3.0.5.dev1", true},
		{"2.6.9.post1", false},
		{"2.6.9.post1.dev3", true},
		{"1.0rc1.post2.dev3", true},
		{"3", false},
		{"3.1", false},
		{"1.4.1", false},
		{"0.15.13", false},
		{"0.0.0", false},
		{"10.20.30", false},
		{"3.1.15.0", false},
		{"2.20.25", false},
		{"3.8.4.dev6", true},
		{"3.0.0a0", true},
		{"3.0.0b10", true},
		{"3.0.0rc20", true},
		{"3.1.0.dev0", true},
		{"999999999.0.0", false},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.in {
			t.Errorf("ParseVersion(%q).String() = %q, want the input back", tt.in, got)
		}
		if got := v.IsPrerelease(); got != tt.prerelease {
			t.Errorf("ParseVersion(%q).IsPrerelease() = %v, want %v", tt.in, got, tt.prerelease)
		}
	}
}

func TestParseVersionRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"v3.1", `no "v" prefix`},
		{"V3.1.15", `no "v" prefix`},
		{"3.1.x", "no wildcard"},
		{"3.1.*", "no wildcard"},
		{"3.x", "no wildcard"},
		{"3.0.0-rc14", "normal form"},
		{"3.0.0.rc14", "normal form"},
		{"3.0.0RC14", "normal form"},
		{"3.0.0c1", "normal form"},
		{"3.0.0alpha1", "normal form"},
		{"2.0beta8", "normal form"},
		{"3.1.16dev2", "normal form"},
		{"3.1.16-dev2", "normal form"},
		{"2.6.9post1", "normal form"},
		{"3.0.0rc", `"rc" needs a number`},
		{"3.0.0a", `"a" needs a number`},
		{"3.1.16.dev", `".dev" needs a number`},
		{"2.6.9.post", `".post" needs a number`},
		{"3..1", "empty release number"},
		{".3.1", "empty release number"},
		{"3.1.", "empty release number"},
		{"03.1", "leading zero"},
		{"3.01", "leading zero"},
		{"3.0.0rc01", "leading zero"},
		{"1!2.0", "epochs"},
		{"3.1.15+local", "local versions"},
		{"3.1.15 ", "white space"},
		{" 3.1.15", "white space"},
		{"3.1.15.0.1", "more than 4"},
		{"99999999999999999999", "too large"},
		{"abc", "not a number"},
		{"latest", "is a tag, not a version"},
		{"3.1.15-python3.12", "rest of an image tag"},
		{"3.0.0rc14.dev1.post1", "normal form"},
		{"3.1.15-", "unexpected"},
		{"3.1.15_1", "unexpected"},
	}
	for _, tt := range tests {
		_, err := ParseVersion(tt.in)
		if err == nil {
			t.Errorf("ParseVersion(%q) succeeded, want an error containing %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"`+tt.in+`"`) {
			t.Errorf("ParseVersion(%q) error %q, want it to quote the input and contain %q", tt.in, err, tt.want)
		}
	}
}

// Each pair is strictly ascending in PEP 440 order.
var ascendingPairs = [][2]string{
	{"3.1.15.dev1", "3.1.15a1"},
	{"3.1.15a1", "3.1.15b1"},
	{"3.1.15b1", "3.1.15rc1"},
	{"3.1.15rc1", "3.1.15"},
	{"3.1.15", "3.1.15.post1"},
	{"3.1.15.dev1", "3.1.15"},
	{"3.1.15.dev9", "3.1.15a0"},
	{"3.1.15a1.dev1", "3.1.15a1"},
	{"3.1.15a1", "3.1.15a1.post1.dev1"},
	{"3.1.15a1.post1.dev1", "3.1.15a1.post1"},
	{"3.1.15a1.post1", "3.1.15b0"},
	{"3.1.15.post1.dev1", "3.1.15.post1"},
	{"3.1.15", "3.1.15.post1.dev1"},
	{"3.1.15.post1", "3.1.15.post2"},
	{"3.1.15.post9", "3.1.16.dev0"},
	{"3.0.0rc2", "3.0.0rc10"},
	{"3.0.0rc9", "3.0.0rc14"},
	{"3.0.0rc20", "3.0.0"},
	{"3.1.16.dev2", "3.1.16.dev10"},
	{"3.1.16.dev7", "3.2.0"},
	{"3.1.15", "3.1.16.dev1"},
	{"3.9.0", "3.10.0"},
	{"3.9", "3.10"},
	{"3.1.9", "3.1.10"},
	{"2.20.25", "3.0.0rc1"},
	{"2.0b8", "2.0.0"},
	{"2.0a9", "2.0b1"},
	{"2.0b8", "2.0b10"},
	{"1.4.1", "2.0a1"},
	{"3", "3.0.1"},
	{"3.1", "3.1.0.1"},
	{"3.0.0.dev1", "3"},
	{"3.8.3", "3.8.4.dev1"},
	{"0.15.13", "1.0.0"},
	{"3.1.15", "3.1.15.1"},
	{"3.4.26.dev3", "3.4.26"},
	{"3.0.0a1", "3.0.0b1"},
	{"2.6.9", "2.6.9.post1"},
	{"2.6.9.post1", "2.6.10"},
	// The largest .devN ParseVersion takes still sorts before no dev part
	// (TestPEP440OracleVersions found them tied).
	{"3.1.15.post1.dev9223372036854775807", "3.1.15.post1"},
	{"3.1.15rc1.dev9223372036854775807", "3.1.15rc1"},
}

func TestCompareOrder(t *testing.T) {
	for _, p := range ascendingPairs {
		a, b := mustVersion(t, p[0]), mustVersion(t, p[1])
		if got := a.Compare(b); got != -1 {
			t.Errorf("%s.Compare(%s) = %d, want -1", p[0], p[1], got)
		}
		if got := b.Compare(a); got != 1 {
			t.Errorf("%s.Compare(%s) = %d, want 1", p[1], p[0], got)
		}
	}
}

func TestCompareEqual(t *testing.T) {
	for _, p := range [][2]string{
		{"3.1", "3.1.0"},
		{"3", "3.0.0"},
		{"3.1.0", "3.1.0.0"},
		{"3.0rc1", "3.0.0rc1"},
		{"2.0b8", "2.0.0b8"},
		{"3.1.15", "3.1.15"},
		{"3.1.dev1", "3.1.0.dev1"},
		{"3.1.post1", "3.1.0.post1"},
	} {
		a, b := mustVersion(t, p[0]), mustVersion(t, p[1])
		if a.Compare(b) != 0 || b.Compare(a) != 0 {
			t.Errorf("%s and %s compare %d/%d, want equal", p[0], p[1], a.Compare(b), b.Compare(a))
		}
	}
}

func TestSortShuffled(t *testing.T) {
	want := []string{
		"1.4.1", "2.0a1", "2.0b2", "2.0b8", "2.0b10", "2.0.0", "2.6.9", "2.6.9.post1", "2.6.10",
		"2.20.25", "3.0.0.dev1", "3.0.0a1", "3.0.0b1", "3.0.0rc1", "3.0.0rc2", "3.0.0rc10",
		"3.0.0rc14", "3.0.0rc20", "3.0.0", "3.0.0.post1", "3.0.5.dev1", "3.0.5", "3.1.9",
		"3.1.10", "3.1.15", "3.1.16.dev1", "3.1.16.dev2", "3.1.16.dev10", "3.2.0", "3.9.0",
		"3.10.0", "3.10.1", "10.0.0",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := slices.Clone(want)
		r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		vs := make([]Version, len(got))
		for i, s := range got {
			vs[i] = mustVersion(t, s)
		}
		slices.SortFunc(vs, Version.Compare)
		for i, v := range vs {
			got[i] = v.String()
		}
		if !slices.Equal(got, want) {
			t.Fatalf("sorted:\n got %v\nwant %v", got, want)
		}
	}
}

// TestCompareTotalOrder checks antisymmetry and transitivity over every
// version in the shipped catalog plus the pairs above.
func TestCompareTotalOrder(t *testing.T) {
	var vs []Version
	for _, p := range ascendingPairs {
		vs = append(vs, mustVersion(t, p[0]), mustVersion(t, p[1]))
	}
	slices.SortFunc(vs, Version.Compare)
	for i := range vs {
		for j := range vs {
			c, d := vs[i].Compare(vs[j]), vs[j].Compare(vs[i])
			if c != -d {
				t.Fatalf("Compare not antisymmetric: %s vs %s: %d, %d", vs[i], vs[j], c, d)
			}
			if i < j && c > 0 {
				t.Fatalf("sorted order broken: %s before %s but Compare = %d", vs[i], vs[j], c)
			}
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, p := range ascendingPairs {
		f.Add(p[0], p[1])
	}
	f.Add("3.1.x", "v3.1")
	f.Add("", "3.0.0-rc14")
	f.Fuzz(func(t *testing.T, a, b string) {
		v, errA := ParseVersion(a)
		w, errB := ParseVersion(b)
		if errA == nil {
			// Only the normal form parses, so it renders back unchanged.
			if got := v.String(); got != a {
				t.Fatalf("ParseVersion(%q).String() = %q", a, got)
			}
			if v.Compare(v) != 0 {
				t.Fatalf("%q does not equal itself", a)
			}
		}
		if errA == nil && errB == nil {
			if c, d := v.Compare(w), w.Compare(v); c != -d || c < -1 || c > 1 {
				t.Fatalf("Compare(%q, %q) = %d, reverse %d", a, b, c, d)
			}
			if (v.Compare(w) == 0) != (v.compareRelease(w) == 0 && v.preKey() == w.preKey() && v.preNKey() == w.preNKey() && v.postKey() == w.postKey() && v.devKey() == w.devKey()) {
				t.Fatalf("Compare(%q, %q) = 0 disagrees with the keys", a, b)
			}
		}
	})
}
