package prefecttag

import (
	"cmp"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The corpus in testdata/pep440_*.tsv holds the answers of Python's
// packaging, PEP 440's reference implementation, for a few thousand versions
// (every version in the tag catalogs, and edge forms) and a few hundred
// specifiers. testdata/pep440_oracle.py writes it and says how to re-run it;
// these tests need no Python.

// readTSV returns the tab-separated fields of every line but # comments.
func readTSV(t *testing.T, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSuffix(line, "\n"); !strings.HasPrefix(line, "#") {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

// Versions packaging writes in normal form that ParseVersion refuses on
// purpose (see Version): Prefect publishes no epoch, no local version, no
// version of five numbers, and a number past Go's int is no Prefect version.
var oracleVersionsRefused = map[string]string{
	"1!3.1":                       "epoch",
	"3.1+local":                   "local version",
	"3.1.0+abc.1":                 "local version",
	"1.2.3.4.5":                   "five release numbers",
	"3.1.0.0.0":                   "five release numbers",
	"99999999999999999999":        "number past Go's int",
	"3.1.dev99999999999999999999": "number past Go's int",
}

func TestPEP440OracleVersions(t *testing.T) {
	type ranked struct {
		v    Version
		rank int
	}
	var vs []ranked
	refused := 0
	for _, row := range readTSV(t, "pep440_versions.tsv") {
		if len(row) != 4 {
			t.Fatalf("bad corpus row %q", row)
		}
		in, normal, pre := row[0], row[1], row[3] == "1"
		v, err := ParseVersion(in)
		if err != nil {
			if normal == in && oracleVersionsRefused[in] == "" {
				t.Errorf("ParseVersion(%q): %v; packaging takes it, in normal form", in, err)
			}
			refused++
			continue
		}
		if normal != in {
			t.Errorf("ParseVersion(%q) succeeds; packaging's normal form is %q (- for none)", in, normal)
			continue
		}
		if v.String() != in || v.IsPrerelease() != pre {
			t.Errorf("ParseVersion(%q) = %q, prerelease %v; packaging: prerelease %v", in, v, v.IsPrerelease(), pre)
		}
		rank, err := strconv.Atoi(row[2])
		if err != nil {
			t.Fatalf("bad rank in %q", row)
		}
		vs = append(vs, ranked{v, rank})
	}
	if len(vs) < 1500 || refused < 30 {
		t.Fatalf("corpus too small: %d versions, %d refused", len(vs), refused)
	}
	// Every pair, so that a tie or an inversion anywhere shows.
	bad := 0
	for _, a := range vs {
		for _, b := range vs {
			if got, want := a.v.Compare(b.v), cmp.Compare(a.rank, b.rank); got != want && bad < 20 {
				t.Errorf("Compare(%s, %s) = %d; packaging orders them %d", a.v, b.v, got, want)
				bad++
			}
		}
	}
}

// Specifiers packaging takes that ParseConstraint refuses on purpose, each
// with its reason: versions only in the normal form Prefect's tags carry (so
// a version reads back as its tag), no "===", and no empty clause, which is
// more likely a typo than a wish.
var oracleSpecifiersRefused = map[string]string{
	"===3.1.15":      `arbitrary equality "==="`,
	"===3.1.0rc1":    `arbitrary equality "==="`,
	"==v3.1.15":      "not in normal form",
	">=V3.1":         "not in normal form",
	"==3.1.0-rc1":    "not in normal form",
	"==3.1.0RC1":     "not in normal form",
	">=3.1.0c1":      "not in normal form",
	"~=3.1.0alpha1":  "not in normal form",
	"==3.01":         "not in normal form",
	"<3.1.0-1":       "not in normal form",
	"==1!3.1.15":     "epoch",
	"==3.1.15+local": "local version",
	"!=3.1+abc":      "local version",
	">=3.1,":         "empty clause",
	",>=3.1":         "empty clause",
	">=3.1,,<3.4":    "empty clause",
	"==1.2.3.4.5":    "five release numbers",
	"==1.2.3.4.5.*":  "five release numbers",
}

// namedByEquality reports whether spec has an "==" clause (not a wildcard)
// equal to v.
func namedByEquality(spec string, v Version) bool {
	for _, c := range strings.Split(spec, ",") {
		c = strings.TrimSpace(c)
		if !strings.HasPrefix(c, "==") || strings.HasPrefix(c, "===") || strings.HasSuffix(c, ".*") {
			continue
		}
		if w, err := ParseVersion(strings.TrimSpace(c[2:])); err == nil && w.Compare(v) == 0 {
			return true
		}
	}
	return false
}

func TestPEP440OracleSpecifiers(t *testing.T) {
	rows := readTSV(t, "pep440_specifiers.tsv")
	if len(rows) == 0 || rows[0][0] != "versions" {
		t.Fatal(`the corpus should start with its "versions" line`)
	}
	var sample []Version
	for _, s := range strings.Fields(rows[0][1]) {
		sample = append(sample, mustVersion(t, s))
	}
	checks, specOnly, unmet := 0, 0, 0
	refusedSeen := map[string]bool{}
	for _, row := range rows[1:] {
		if len(row) != 5 {
			t.Fatalf("bad corpus row %q", row)
		}
		group, spec, pkgTakes := row[0], row[1], row[2] == "1"
		c, err := ParseConstraint(spec)
		switch {
		case group == "ours-refuse":
			if reason := oracleSpecifiersRefused[spec]; reason == "" || err == nil {
				t.Errorf("ParseConstraint(%q): err %v; packaging takes it, and the test names no reason (%q) to refuse it", spec, err, reason)
			}
			refusedSeen[spec] = true
			continue
		case group == "refuse":
			if err == nil || pkgTakes {
				t.Errorf("ParseConstraint(%q): err %v, packaging takes it: %v; want both to refuse it", spec, err, pkgTakes)
			}
			continue
		case err != nil && pkgTakes && strings.Contains(err.Error(), "no version meets"):
			// Refused as a constraint no version meets: packaging, which
			// takes it, must allow none of the sample either.
			if strings.Contains(row[3]+row[4], "1") {
				t.Errorf("ParseConstraint(%q): %v; packaging allows some of the sample: %s %s", spec, err, row[3], row[4])
			}
			unmet++
			continue
		case err != nil || !pkgTakes:
			t.Errorf("ParseConstraint(%q): err %v, packaging takes it: %v; want both to take it", spec, err, pkgTakes)
			continue
		}
		byDefault, withPre := row[3], row[4]
		if len(byDefault) != len(sample) || len(withPre) != len(sample) {
			t.Fatalf("row for %q does not cover the %d sample versions", spec, len(sample))
		}
		for i, v := range sample {
			// allow_prereleases = true is contains(v, prereleases=True).
			if got, want := c.Allows(v, true), withPre[i] == '1'; got != want {
				t.Errorf("%q allows %s with prereleases: got %v, packaging says %v", spec, v, got, want)
			}
			// allow_prereleases = false is packaging's default, except where
			// SPEC decides otherwise: it considers a prerelease only when an
			// equality names it exactly ("An exact prerelease (3.0.0rc14)
			// may be named without allow_prereleases"), while packaging lets
			// a prerelease in any ==, >=, <= or ~= clause open the whole set
			// to prereleases (">=3.0.0rc1" admits 3.0.0rc2).
			want := byDefault[i] == '1'
			if want && v.IsPrerelease() && !namedByEquality(spec, v) {
				want = false
				specOnly++
			}
			if got := c.Allows(v, false); got != want {
				t.Errorf("%q allows %s without prereleases: got %v, want %v (packaging's default: %v)", spec, v, got, want, byDefault[i] == '1')
			}
			checks += 2
		}
	}
	for spec := range oracleSpecifiersRefused {
		if !refusedSeen[spec] {
			t.Errorf("%q is named as refused on purpose but is not in the corpus", spec)
		}
	}
	if checks < 50000 || specOnly == 0 {
		t.Fatalf("corpus too small: %d checks, %d where SPEC overrides packaging", checks, specOnly)
	}
	t.Logf("%d checks; %d specifiers refused as met by no version", checks, unmet)
}

// Python specifiers packaging takes that ParsePythonConstraint refuses on
// purpose, each with its reason.
var oraclePythonRefused = map[string]string{
	"<=3": `"<= 3.0": of Python 3 it admits 3.0 alone, which no image has`,
}

// TestPEP440OraclePython checks python_version constraints in PEP 440 syntax
// against packaging, on the Pythons tags carry (major.minor, no prerelease).
func TestPEP440OraclePython(t *testing.T) {
	rows := readTSV(t, "pep440_python.tsv")
	if len(rows) < 20 || rows[0][0] != "pythons" {
		t.Fatal(`the corpus should start with its "pythons" line and hold 20 specifiers or more`)
	}
	var pythons []Python
	for _, s := range strings.Fields(rows[0][1]) {
		p, err := ParsePython(s)
		if err != nil {
			t.Fatal(err)
		}
		pythons = append(pythons, p)
	}
	for _, row := range rows[1:] {
		if len(row) != 2 || len(row[1]) != len(pythons) {
			t.Fatalf("bad corpus row %q", row)
		}
		c, err := ParsePythonConstraint(row[0])
		if reason := oraclePythonRefused[row[0]]; reason != "" {
			if err == nil {
				t.Errorf("ParsePythonConstraint(%q) takes it; it is refused on purpose: %s", row[0], reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePythonConstraint(%q): %v; packaging takes it", row[0], err)
			continue
		}
		for i, p := range pythons {
			if got, want := c.Allows(p), row[1][i] == '1'; got != want {
				t.Errorf("python_version %q allows %s: got %v, packaging says %v", row[0], p, got, want)
			}
		}
	}
}
