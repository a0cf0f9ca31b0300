package resolver

import (
	"slices"
	"strings"
	"testing"
)

// An index that lists windows/amd64 once per Windows version gives
// platform_digests keys with the os.version, as containerd's FormatAll
// writes them (registry.Platforms): those are windows/amd64 to the guard,
// which required_platforms = ["windows/amd64"] meets, and several images
// of it, of which platform = "windows/amd64" matches none (a Windows host
// runs only its own version's). Before, such a key was no platform the
// guard knew: "lacks windows/amd64", and platform "not published".
func TestRedteam56pWindowsVersionKeysAreTheirPlatform(t *testing.T) {
	versions := map[string]string{
		"windows(10.0.17763.5458)/amd64": "sha256:2019",
		"windows(10.0.20348.2340)/amd64": "sha256:2022",
		"linux/amd64":                    "sha256:1",
	}
	if missing := MissingPlatforms(versions, []string{"windows/amd64", "linux/amd64"}); missing != nil {
		t.Errorf("MissingPlatforms = %v, want none", missing)
	}
	if missing := MissingPlatforms(versions, []string{"windows/arm64"}); !slices.Equal(missing, []string{"windows/arm64"}) {
		t.Errorf("MissingPlatforms(windows/arm64) = %v", missing)
	}
	if d, ok := MatchPlatform(versions, "windows/amd64"); ok {
		t.Errorf("MatchPlatform(windows/amd64) = %q: pinned one of two Windows versions", d)
	}
	want := []string{"windows(10.0.17763.5458)/amd64", "windows(10.0.20348.2340)/amd64"}
	if got := AmbiguousPlatforms(versions, "windows/amd64"); !slices.Equal(got, want) {
		t.Errorf("AmbiguousPlatforms(windows/amd64) = %v, want %v", got, want)
	}
	if d, ok := MatchPlatform(versions, "linux/amd64"); !ok || d != "sha256:1" {
		t.Errorf("MatchPlatform(linux/amd64) = %q, %v", d, ok)
	}
	// One version with the plain key (its entry said none) and one with
	// its own: the same platform, two images.
	mixed := map[string]string{"windows/amd64": "sha256:a", "windows(10.0.20348.2340)/amd64": "sha256:b"}
	if _, ok := MatchPlatform(mixed, "windows/amd64"); ok {
		t.Errorf("MatchPlatform(%v, windows/amd64) matched one", mixed)
	}
	// A version asked for is that version's image, in full or as the
	// build a host runs; never another version's.
	for _, c := range []struct{ want, digest string }{
		{"windows(10.0.20348)/amd64", "sha256:2022"},
		{"windows(10.0.20348.2340)/amd64", "sha256:2022"},
		{"windows(10.0.17763)/amd64", "sha256:2019"},
		{"windows(10.0.26100)/amd64", ""},
		{"windows(10.0.2034)/amd64", ""}, // a part is a number, not a prefix
		{"windows(10.0.20348.2341)/amd64", ""},
	} {
		d, ok := MatchPlatform(versions, c.want)
		if d != c.digest || ok != (c.digest != "") {
			t.Errorf("MatchPlatform(%q) = %q, %v; want %q", c.want, d, ok, c.digest)
		}
		if got := Provides(versions, c.want); got != (c.digest != "") {
			t.Errorf("Provides(%q) = %v", c.want, got)
		}
	}
	// A parenthesis that closes nothing is no os.version.
	if Provides(map[string]string{"windows(10.0/amd64": "sha256:x"}, "windows/amd64") {
		t.Error(`"windows(10.0/amd64" provided windows/amd64`)
	}
}

// The advice for a platform several entries match says what a pull does:
// for a Windows image per Windows version, that a host pulls its own and
// the version written in platform picks one; for two spellings of one
// platform, that a pull takes the first listed.
func TestAmbiguityAdviceSaysWhatAPullTakes(t *testing.T) {
	for _, c := range []struct {
		ambiguous     []string
		platform      string
		want, wantNot string
	}{
		{[]string{"windows(10.0.17763.5458)/amd64", "windows(10.0.20348.2340)/amd64"}, "windows/amd64",
			"such as windows(10.0.17763.5458)/amd64", "whichever the index lists first"},
		{[]string{"linux/arm64", "linux/arm64/v8"}, "linux/arm64",
			"pulling whichever the index lists first", "Windows"},
		{[]string{"windows/amd64", "windows(10.0.20348.2340)/amd64"}, "windows/amd64",
			"pulling whichever the index lists first", "Windows host"},
	} {
		got := AmbiguityAdvice(c.ambiguous, c.platform)
		if !strings.Contains(got, c.want) || strings.Contains(got, c.wantNot) {
			t.Errorf("AmbiguityAdvice(%q, %q) = %q; want it to say %q and not %q", c.ambiguous, c.platform, got, c.want, c.wantNot)
		}
	}
}
