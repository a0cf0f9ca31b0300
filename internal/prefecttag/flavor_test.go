package prefecttag

import (
	"strings"
	"testing"
)

func TestParseFlavor(t *testing.T) {
	for _, s := range []string{"standard", "conda", "kubernetes"} {
		f, err := ParseFlavor(s)
		if err != nil || string(f) != s {
			t.Errorf("ParseFlavor(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "slim", "Conda", "STANDARD", "k8s", " conda", "-conda"} {
		_, err := ParseFlavor(s)
		if err == nil {
			t.Errorf("ParseFlavor(%q) succeeded, want an error", s)
			continue
		}
		for _, want := range []string{`"standard"`, `"conda"`, `"kubernetes"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("ParseFlavor(%q) error %q does not list %s", s, err, want)
			}
		}
	}
}

func TestFlavorSuffix(t *testing.T) {
	for f, want := range map[Flavor]string{"": "", FlavorStandard: "", FlavorConda: "-conda", FlavorKubernetes: "-kubernetes"} {
		if got := f.suffix(); got != want {
			t.Errorf("Flavor(%q).suffix() = %q, want %q", f, got, want)
		}
	}
}
