package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The provider serves Terraform and OpenTofu alike: no text it hands the
// user (a diagnostic, a description) tells them to run a command by the
// name of one of the two CLIs ("terraform apply"), which OpenTofu's users
// run as "tofu apply". Before, "Pin Not Resolved at Plan Time" said "Run
// terraform apply again", and the note of credentials pending at plan time
// "terraform apply -target=...". Comments are not read: only the string
// literals of the package's own (non-test) source.
func TestNoTextNamesOneCLIsCommand(t *testing.T) {
	command := regexp.MustCompile(`(?i)\b(terraform|tofu) (apply|plan|import|init|refresh|validate|destroy|state)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	read := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		read++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			if m := command.FindString(s); m != "" {
				t.Errorf("%s: %q names one CLI's command; write it for both (\"apply\", \"plan\"): %s", fset.Position(lit.Pos()), m, s)
			}
			return true
		})
	}
	if read < 10 {
		t.Fatalf("read %d source files; want the package's own", read)
	}
}
