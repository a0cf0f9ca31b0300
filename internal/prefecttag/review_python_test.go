package prefecttag_test

import (
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// PEP 440 names a Python minor with a wildcard, as python_requires does
// (">=3.9, !=3.11.*", "==3.12.*"); tags name Python as major.minor, so such
// a clause means exactly that minor and must be taken, not refused.
func TestReviewPythonMinorWildcard(t *testing.T) {
	cat := prefecttag.NewCatalog(tagcatalog.Prefect())
	for _, tt := range []struct{ prefect, python, want string }{
		{"~> 3.1.0", "==3.12.*", "3.1.15-python3.12"},
		{"~> 3.1.0", "== 3.11.*", "3.1.15-python3.11"},
		{"~> 3.8.0", ">=3.9, !=3.14.*", "3.8.3-python3.13"},
		{"~> 3.8.0", "!=3.13.*,!=3.14.*", "3.8.3-python3.12"},
		{"2.20.25", "==3.9.*", "2.20.25-python3.9"},
	} {
		sel, err := prefecttag.ParseSelector(tt.prefect, tt.python, "", false)
		if err != nil {
			t.Errorf("python_version %q refused: %v", tt.python, err)
			continue
		}
		got, err := cat.Select(sel)
		if err != nil || got.Name != tt.want {
			t.Errorf("%s: picked %q (%v), want %s", sel, got.Name, err, tt.want)
		}
	}
}
