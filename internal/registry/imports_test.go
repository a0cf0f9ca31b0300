package registry

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoTerraformImports keeps this package free of Terraform: the provider
// converts, the registry client only talks to registries.
func TestNoTerraformImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/hashicorp/terraform-plugin-") || strings.HasPrefix(p, "github.com/hashicorp/terraform-") {
				t.Errorf("%s imports %s; package registry must not depend on Terraform", f, p)
			}
		}
	}
}
