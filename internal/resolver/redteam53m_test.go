package resolver

import (
	"slices"
	"testing"
)

// Session 53's review of the platform guard (redteam53m).

// A platform written without a variant is provided by an entry of a higher
// variant only where Docker and containerd pull that entry for it
// (containerd/platforms, Only and platformVector): linux/arm (v7) takes
// linux/arm/v6 and v5, but linux/amd64 takes no amd64 v2, v3 or v4 (the
// x86-64 microarchitecture levels), linux/arm64 no arm64 v8.1 or v9, and
// linux/arm no arm/v8. `docker pull --platform linux/amd64` of an index
// whose only amd64 entry is linux/amd64/v3 fails ("no matching manifest");
// its image, pulled by digest, stops with an illegal instruction on a CPU
// without AVX2. Before the fix, required_platforms = ["linux/amd64"] held
// for that index: any entry whose name began with "linux/amd64/" provided
// it.
func TestRedteam53mBarePlatformNotProvidedByHigherVariant(t *testing.T) {
	cases := []struct {
		platforms map[string]string
		want      string
		provided  bool
	}{
		{map[string]string{"linux/amd64/v3": "sha256:3", "linux/arm64": "sha256:2"}, "linux/amd64", false},
		{map[string]string{"linux/amd64/v2": "sha256:2"}, "linux/amd64", false},
		{map[string]string{"linux/arm64/v9": "sha256:9"}, "linux/arm64", false},
		{map[string]string{"linux/arm64/v8.2": "sha256:8"}, "linux/arm64", false},
		{map[string]string{"linux/arm/v8": "sha256:8"}, "linux/arm", false},
		{map[string]string{"linux/riscv64/rva22": "sha256:r"}, "linux/riscv64", false},
		// What containerd does pull for a bare platform stays provided.
		{map[string]string{"linux/arm/v6": "sha256:6"}, "linux/arm", true},
		{map[string]string{"linux/arm/v5": "sha256:5"}, "linux/arm", true},
		{map[string]string{"linux/arm/6": "sha256:6"}, "linux/arm", true},
		{map[string]string{"linux/arm/v6": "sha256:6", "linux/arm/v7": "sha256:7"}, "linux/arm", true},
		{map[string]string{"linux/arm64/v8": "sha256:8"}, "linux/arm64", true},
		{map[string]string{"linux/arm64/v8.0": "sha256:8"}, "linux/arm64", true},
		{map[string]string{"linux/amd64/v1": "sha256:1"}, "linux/amd64", true},
		{map[string]string{"linux/amd64/v3": "sha256:3", "linux/amd64": "sha256:1"}, "linux/amd64", true},
	}
	for _, c := range cases {
		if got := Provides(c.platforms, c.want); got != c.provided {
			t.Errorf("Provides(%v, %q) = %v, want %v", c.platforms, c.want, got, c.provided)
		}
	}
	amd64v3 := map[string]string{"linux/amd64/v3": "sha256:3", "linux/arm64": "sha256:2"}
	if got := MissingPlatforms(amd64v3, []string{"linux/amd64", "linux/arm64"}); !slices.Equal(got, []string{"linux/amd64"}) {
		t.Errorf("MissingPlatforms(%v) = %v, want [linux/amd64]", amd64v3, got)
	}
}
