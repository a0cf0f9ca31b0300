package prefecttag

import (
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// want describes a parsed tag compactly: version "" means HasVersion false,
// python "" means HasPython false.
type wantTag struct {
	kind    Kind
	version string
	python  string
	flavor  Flavor
	sha     string
}

func checkTag(t *testing.T, in string, got Tag, w wantTag) {
	t.Helper()
	if got.Name != in {
		t.Errorf("%q: Name = %q", in, got.Name)
	}
	if got.Kind != w.kind {
		t.Errorf("%q: Kind = %q, want %q", in, got.Kind, w.kind)
	}
	if got.HasVersion != (w.version != "") || got.HasVersion && got.Version.String() != w.version {
		t.Errorf("%q: Version = %q (HasVersion %v), want %q", in, got.Version, got.HasVersion, w.version)
	}
	if !got.HasVersion && got.Version != (Version{}) {
		t.Errorf("%q: Version = %q without HasVersion, want the zero value", in, got.Version)
	}
	if got.HasPython != (w.python != "") || got.HasPython && got.Python.String() != w.python {
		t.Errorf("%q: Python = %v (HasPython %v), want %q", in, got.Python, got.HasPython, w.python)
	}
	if !got.HasPython && got.Python != (Python{}) {
		t.Errorf("%q: Python = %v without HasPython, want zero", in, got.Python)
	}
	wf := w.flavor
	if wf == "" {
		wf = FlavorStandard
	}
	if got.Flavor != wf {
		t.Errorf("%q: Flavor = %q, want %q", in, got.Flavor, wf)
	}
	if got.SHA != w.sha {
		t.Errorf("%q: SHA = %q, want %q", in, got.SHA, w.sha)
	}
}

func TestParseTagKinds(t *testing.T) {
	tests := []struct {
		in   string
		want wantTag
	}{
		// release
		{"3.1.15-python3.12", wantTag{KindRelease, "3.1.15", "3.12", "", ""}},
		{"3.1.15-python3.12-conda", wantTag{KindRelease, "3.1.15", "3.12", FlavorConda, ""}},
		{"3.1.15-python3.9-kubernetes", wantTag{KindRelease, "3.1.15", "3.9", FlavorKubernetes, ""}},
		{"3.0.0rc14-python3.11-conda", wantTag{KindRelease, "3.0.0rc14", "3.11", FlavorConda, ""}},
		{"3.0.0rc1-python3.9", wantTag{KindRelease, "3.0.0rc1", "3.9", "", ""}},
		{"3.0.0rc20-python3.12-kubernetes", wantTag{KindRelease, "3.0.0rc20", "3.12", FlavorKubernetes, ""}},
		{"3.1.16.dev2-python3.12", wantTag{KindRelease, "3.1.16.dev2", "3.12", "", ""}},
		{"3.8.4.dev6-python3.14-conda", wantTag{KindRelease, "3.8.4.dev6", "3.14", FlavorConda, ""}},
		{"2.0b8-python3.9", wantTag{KindRelease, "2.0b8", "3.9", "", ""}},
		{"2.0a1-python3.10-conda", wantTag{KindRelease, "2.0a1", "3.10", FlavorConda, ""}},
		{"2.0.0-python3.7", wantTag{KindRelease, "2.0.0", "3.7", "", ""}},
		{"2.20.25-python3.12", wantTag{KindRelease, "2.20.25", "3.12", "", ""}},
		{"1.4.1-python3.7", wantTag{KindRelease, "1.4.1", "3.7", "", ""}},
		{"0.15.13-python3.8", wantTag{KindRelease, "0.15.13", "3.8", "", ""}},
		{"2.6.9.post1-python3.10", wantTag{KindRelease, "2.6.9.post1", "3.10", "", ""}},
		{"3.10.0-python3.14", wantTag{KindRelease, "3.10.0", "3.14", "", ""}},
		{"3.7.8-python3.13-kubernetes", wantTag{KindRelease, "3.7.8", "3.13", FlavorKubernetes, ""}},
		{"3.1.dev1-python3.12", wantTag{KindRelease, "3.1.dev1", "3.12", "", ""}},
		// Prefect 1.0's release candidates, two release numbers and rcN:
		// ${CIRCLE_TAG}-python<py> for tags /^1.0rc[0-9]$/ on Pythons 3.7 to
		// 3.10 (PrefectHQ/prefect .circleci/config.yml, branch 1.x at
		// bd9182edb27a85c7726a177a55152c121af5471b, "RC" jobs).
		{"1.0rc0-python3.7", wantTag{KindRelease, "1.0rc0", "3.7", "", ""}},
		{"1.0rc1-python3.10", wantTag{KindRelease, "1.0rc1", "3.10", "", ""}},
		// Prefect 0.14 on Python 3.6 (.circleci/config.yml at tag 0.14.0,
		// 96ef85470872593268c9498b57ac9f0b5a268e01).
		{"0.14.0-python3.6", wantTag{KindRelease, "0.14.0", "3.6", "", ""}},
		// A nightly as docker-images.yaml tags it since #20311 (77a87d342d,
		// January 2026): the git tag raw, 3.6.14.dev5 at f8afeca.
		{"3.6.14.dev5-python3.12-kubernetes", wantTag{KindRelease, "3.6.14.dev5", "3.12", FlavorKubernetes, ""}},
		// minor
		{"3.1-python3.12", wantTag{KindMinor, "3.1", "3.12", "", ""}},
		{"3.1-python3.12-conda", wantTag{KindMinor, "3.1", "3.12", FlavorConda, ""}},
		{"2.0-python3.7", wantTag{KindMinor, "2.0", "3.7", "", ""}},
		{"2.20-python3.11-kubernetes", wantTag{KindMinor, "2.20", "3.11", FlavorKubernetes, ""}},
		{"3.10-python3.14", wantTag{KindMinor, "3.10", "3.14", "", ""}},
		{"2.82-python3.10", wantTag{KindMinor, "2.82", "3.10", "", ""}},
		// major
		{"3-python3.12", wantTag{KindMajor, "3", "3.12", "", ""}},
		{"3-python3.12-kubernetes", wantTag{KindMajor, "3", "3.12", FlavorKubernetes, ""}},
		{"2-python3.7-conda", wantTag{KindMajor, "2", "3.7", FlavorConda, ""}},
		{"10-python3.14", wantTag{KindMajor, "10", "3.14", "", ""}},
		// latest
		{"3-latest", wantTag{KindLatest, "3", "", "", ""}},
		{"2-latest", wantTag{KindLatest, "2", "", "", ""}},
		{"3-latest-conda", wantTag{KindLatest, "3", "", FlavorConda, ""}},
		{"2-latest-kubernetes", wantTag{KindLatest, "2", "", FlavorKubernetes, ""}},
		{"3-latest-python3.12", wantTag{KindLatest, "3", "3.12", "", ""}},
		{"3-latest-python3.12-conda", wantTag{KindLatest, "3", "3.12", FlavorConda, ""}},
		{"3-latest-python3.13-kubernetes", wantTag{KindLatest, "3", "3.13", FlavorKubernetes, ""}},
		// sha
		{"sha-1da1544-python3.12", wantTag{KindSHA, "", "3.12", "", "1da1544"}},
		{"sha-1da1544-python3.12-conda", wantTag{KindSHA, "", "3.12", FlavorConda, "1da1544"}},
		{"sha-0000000-python3.9-kubernetes", wantTag{KindSHA, "", "3.9", FlavorKubernetes, "0000000"}},
		{"sha-abcdef0-python3.14", wantTag{KindSHA, "", "3.14", "", "abcdef0"}},
		{"sha-1234567-python3.10", wantTag{KindSHA, "", "3.10", "", "1234567"}},
		// Since #20311 (77a87d342d) the sha tags of prerelease builds go to
		// prefecthq/prefect and prefecthq/prefect-client themselves, not to
		// -dev: type=sha, whose default is 7 hex digits (docker/metadata-action
		// src/meta.ts, defaultShortShaLength). f8afeca is 3.6.14.dev5.
		{"sha-f8afeca-python3.12-kubernetes", wantTag{KindSHA, "", "3.12", FlavorKubernetes, "f8afeca"}},
		{"sha-f8afeca-python3.14", wantTag{KindSHA, "", "3.14", "", "f8afeca"}},
	}
	for _, tt := range tests {
		got, err := ParseTag(tt.in)
		if err != nil {
			t.Errorf("ParseTag(%q): %v", tt.in, err)
			continue
		}
		checkTag(t, tt.in, got, tt.want)
		if got.Kind == KindRelease {
			if name := ReleaseTagName(got.Version, got.Python, got.Flavor); name != tt.in {
				t.Errorf("ReleaseTagName of %q = %q", tt.in, name)
			}
		}
		if name := renderTag(got); name != tt.in {
			t.Errorf("renderTag(ParseTag(%q)) = %q", tt.in, name)
		}
	}
}

func TestParseTagRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty tag"},
		{"v3.1.15-python3.12", `versions have no "v" prefix`},
		{"v3-latest", `versions have no "v" prefix`},
		{"3.1.15-python3.12-slim", `unknown flavor "slim"`},
		{"3.1.15-python3.12-alpine", `unknown flavor "alpine"`},
		{"0.7.5-python3.12-prefect3.6.20", `unknown flavor "prefect3.6.20"`},
		{"0.7.5-python3.12-prefect3.6.20", "a tag of an integration image (prefecthq/prefect-aws, -gcp or -azure)"},
		// The form Prefect's docs show; the published tags have 7 digits.
		{"sha-88a7ff17a3435ec33c95c0323b8f05d7b9f3f6d2-python3.10", "7 lowercase hex digits"},
		{"sha-88a7ff17a3435ec33c95c0323b8f05d7b9f3f6d2-python3.10", "a commit's first 7 digits only: sha-88a7ff1-…"},
		{"3.1.15-python3.12-standard", `drop "-standard"`},
		{"3.1.15-python3.12-conda-kubernetes", `unexpected "kubernetes" after the flavor`},
		{"3.1.15-python3.12-python3.11", "must come before the flavor"},
		{"3.9.0-python3.12.1", "never a patch"},
		{"3.9.0-python3", "minor"},
		{"3.9.0-python", `python part "python" names no Python`},
		{"3.9.0-python", "such as 3.9.0-python3.12"},
		{"3.9.0-python3", "such as 3.9.0-python3.12"},
		{"3-latest-python3.x", "such as 3-latest-python3.12"},
		{"3.1.15-python-3.12", `"python-3.12": write the Python part with no "-" inside it, such as 3.1.15-python3.12`},
		{"sha-1da1544-python-3.12-conda", "such as sha-1da1544-python3.12"},
		{"3.9.0-python3.x", "major.minor"},
		{"latest", "Prefect 1.x tag"},
		{"main", "starts with a version"},
		{"nightly", "starts with a version"},
		{"core-1.4.1", "starts with a version"},
		{"python3.12", "starts with a version"},
		{"3.1.15", `no "-python<X.Y>" part`},
		{"1.4.1", "Prefect 1.x"},
		{"3.1", `no "-python<X.Y>" part`},
		{"3", `no "-python<X.Y>" part`},
		{"3.1.15-conda", "Python part comes before the flavor"},
		{"3.1.15-kubernetes", "Python part comes before the flavor"},
		{"3.1.15-py3.12", `want "python<X.Y>"`},
		{"3.0.0-rc14-python3.12", `no "-" before the prerelease`},
		{"3.1.16-dev2-python3.12", `no "-" before the prerelease`},
		{"3.0.0.rc14-python3.12", "normal form"},
		{"3.1.x-python3.12", "no wildcard"},
		{"3.1.15.0-python3.12", "three numbers"},
		{"3rc1-python3.12", "three numbers"},
		{"3.1.015-python3.12", "leading zero"},
		{"3.1-latest", "major version only"},
		{"3rc1-latest", "major version only"},
		{"3-latest-slim", `unknown flavor "slim"`},
		{"3-latest-python3.12-conda-x", "after the flavor"},
		{"sha-1da154-python3.12", "7 lowercase hex"},
		{"sha-1da15444-python3.12", "7 lowercase hex"},
		{"sha-1DA1544-python3.12", "7 lowercase hex"},
		{"sha-1da154g-python3.12", "7 lowercase hex"},
		{"sha-1da1544", "sha tags name their Python"},
		{"sha-1da1544-conda", "Python part comes before the flavor"},
		{"sha--python3.12", "7 lowercase hex"},
		{"3.1.15 -python3.12", "white space"},
		{"3.1.15-python3.12-", `unknown flavor ""`},
		{"-python3.12", "starts with a version"},
		// Prefect 2.x's docs show a 40-digit sha tag
		// (docs/guides/docker.md, branch 2.x at 48ab5df21773), but no
		// workflow published one: release.yaml ran
		// prefecthq/prefect:sha-${GITHUB_SHA::7}-python<py> (tag 2.0.0,
		// 129c269c3c5d), and type=sha is 7 digits by default.
		{"sha-88a7ff17a3435ec33c95c0323b8f05d7b9f3f6d2-python3.10", "7 lowercase hex"},
		// No free-threaded image exists: every matrix lists "3.N" only
		// (docker-images.yaml, main at ce79dd3d6cfa); free-threaded Pythons
		// ran only in a test workflow on an unmerged branch (f963a5d3ac).
		{"3.6.0-python3.13t", `unexpected "t"`},
		{"3.6.0-python3.14t-conda", `unexpected "t"`},
		// Prefect 0.x and 1.x tags of other shapes (.circleci/config.yml,
		// branch 1.x and its history): latest-python<py>, all_extras-X.Y.Z,
		// storage-X.Y.Z, master, the 1.0 release candidates' dev images.
		// prefecthq/prefect-aws publishes latest-python<py> too.
		{"latest-python3.7", "starts with a version"},
		{"all_extras-0.15.13", "starts with a version"},
		{"storage-0.14.0", "starts with a version"},
		{"master", "starts with a version"},
		{"1.0rc-dev", `"rc" needs a number`},
		{"1.0rc0", `no "-python<X.Y>" part`},
		// Prefect 1.x's development image (build_dev_docker_image pushes
		// prefecthq/prefect:1-dev, .circleci/config.yml on branch 1.x): not
		// a misspelled prerelease.
		{"1-dev", "Prefect 1.x development image tag"},
	}
	for _, tt := range tests {
		_, err := ParseTag(tt.in)
		if err == nil {
			t.Errorf("ParseTag(%q) succeeded, want an error containing %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTag(%q) error:\n  %v\nwant it to contain %q", tt.in, err, tt.want)
		}
		if !strings.HasPrefix(err.Error(), `"`+tt.in+`" is not a Prefect image tag: `) {
			t.Errorf("ParseTag(%q) error %q does not start by naming the tag", tt.in, err)
		}
	}
}

// TestParseTagCatalogs classifies every tag of the shipped catalogs. The
// expected counts were computed apart from this package, with grep -cE over
// /work/shared/data/prefecthq-prefect{,-client}.tags (the same files as
// tagcatalog's testdata):
//
//	sha     ^sha-[0-9a-f]{7}-python3\.[0-9]+(-conda|-kubernetes)?$
//	latest  ^[0-9]+-latest(-python3\.[0-9]+)?(-conda|-kubernetes)?$
//	major   ^[0-9]+-python3\.[0-9]+(-conda|-kubernetes)?$
//	minor   ^[0-9]+\.[0-9]+-python3\.[0-9]+(-conda|-kubernetes)?$
//	release ^[0-9]+\.[0-9]+\.[0-9]+((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?-python3\.[0-9]+(-conda|-kubernetes)?$
//
// and for releases, prereleases with grep -cE '^[0-9.]+((a|b|rc)[0-9]+|\.dev[0-9]+)'
// and distinct versions with sed 's/-python.*//' | sort -u | wc -l.
// The five patterns cover every line (they sum to the line count).
func TestParseTagCatalogs(t *testing.T) {
	tests := []struct {
		name          string
		tags          []string
		counts        map[Kind]int
		prereleases   int
		versions      int
		conda, kubern int
	}{
		{
			name: "prefecthq/prefect", tags: tagcatalog.Prefect(),
			counts:      map[Kind]int{KindRelease: 10442, KindMinor: 372, KindMajor: 36, KindLatest: 6, KindSHA: 2656},
			prereleases: 6729, versions: 763, conda: 3518, kubern: 3351,
		},
		{
			name: "prefecthq/prefect-client", tags: tagcatalog.PrefectClient(),
			counts:      map[Kind]int{KindRelease: 2085, KindMinor: 35, KindMajor: 6, KindLatest: 1, KindSHA: 785},
			prereleases: 1691, versions: 418,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[Kind]int{}
			prereleases, conda, kubern := 0, 0, 0
			versions := map[string]bool{}
			for _, s := range tt.tags {
				tag, err := ParseTag(s)
				if err != nil {
					t.Errorf("ParseTag(%q): %v", s, err)
					continue
				}
				got[tag.Kind]++
				if tag.Kind == KindRelease {
					versions[tag.Version.String()] = true
					if tag.Version.IsPrerelease() {
						prereleases++
					}
					switch tag.Flavor {
					case FlavorConda:
						conda++
					case FlavorKubernetes:
						kubern++
					}
					if n := ReleaseTagName(tag.Version, tag.Python, tag.Flavor); n != s {
						t.Errorf("ReleaseTagName round trip of %q = %q", s, n)
					}
				}
				if n := renderTag(tag); n != s {
					t.Errorf("renderTag round trip of %q = %q", s, n)
				}
			}
			for _, k := range []Kind{KindRelease, KindMinor, KindMajor, KindLatest, KindSHA} {
				if got[k] != tt.counts[k] {
					t.Errorf("%s tags: got %d, want %d", k, got[k], tt.counts[k])
				}
			}
			if prereleases != tt.prereleases || len(versions) != tt.versions || conda != tt.conda || kubern != tt.kubern {
				t.Errorf("release tags: %d prereleases, %d versions, %d conda, %d kubernetes; want %d, %d, %d, %d",
					prereleases, len(versions), conda, kubern, tt.prereleases, tt.versions, tt.conda, tt.kubern)
			}
		})
	}
}

// renderTag writes a parsed tag back, from its fields alone, for round trips.
func renderTag(t Tag) string {
	var s string
	switch t.Kind {
	case KindSHA:
		s = "sha-" + t.SHA
	case KindLatest:
		s = t.Version.String() + "-latest"
	default:
		s = t.Version.String()
	}
	if t.HasPython {
		s += "-python" + t.Python.String()
	}
	return s + t.Flavor.suffix()
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{
		"3.1.15-python3.12", "3.0.0rc14-python3.11-conda", "3.1.16.dev2-python3.12", "2.0b8-python3.9",
		"3.1-python3.12", "3-python3.12-kubernetes", "3-latest", "3-latest-python3.12-conda",
		"sha-1da1544-python3.12-conda", "latest", "v3.1.15-python3.12", "3.9.0-python3.12.1",
		"3.1.15-python3.12-slim", "1.4.1-python3.7", "2.6.9.post1-python3.10", "sha-", "-", "3-latest-",
		"1.0rc0-python3.7", "0.14.0-python3.6", "sha-f8afeca-python3.14", "3.6.0-python3.13t", "1-dev",
		"latest-python3.7", "sha-88a7ff17a3435ec33c95c0323b8f05d7b9f3f6d2-python3.10",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseTag(s)
		if err != nil {
			if !strings.Contains(err.Error(), "is not a Prefect image tag") {
				t.Fatalf("ParseTag(%q) error %q does not say what it is", s, err)
			}
			return
		}
		if tag.Name != s {
			t.Fatalf("ParseTag(%q).Name = %q", s, tag.Name)
		}
		if got := renderTag(tag); got != s {
			t.Fatalf("ParseTag(%q) renders back as %q", s, got)
		}
		if tag.Kind == KindRelease {
			if got := ReleaseTagName(tag.Version, tag.Python, tag.Flavor); got != s {
				t.Fatalf("ReleaseTagName of %q = %q", s, got)
			}
		}
		if tag.Kind != KindLatest && !tag.HasPython {
			t.Fatalf("ParseTag(%q): a %s tag without Python", s, tag.Kind)
		}
		if (tag.Kind == KindSHA) == tag.HasVersion {
			t.Fatalf("ParseTag(%q): kind %s with HasVersion %v", s, tag.Kind, tag.HasVersion)
		}
	})
}
