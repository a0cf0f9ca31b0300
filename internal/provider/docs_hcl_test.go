package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsHCL hands every Terraform block of docs/ and the README to
// `terraform fmt`: each must parse, and be written as fmt writes it. The
// examples/ they mostly come from are planned by other tests; the
// fragments written into templates/ are checked nowhere else.
func TestDocsHCL(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
	files := []string{"../../README.md"}
	err := filepath.WalkDir("../../docs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?ms)^```(?:terraform|hcl)\n(.*?)^```")
	checked := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllStringSubmatch(string(raw), -1) {
			checked++
			cmd := exec.Command(terraform, "fmt", "-no-color", "-")
			cmd.Stdin = strings.NewReader(m[1])
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Errorf("%s: a block that terraform cannot parse (%v):\n%s\n%s", file, err, m[1], errOut.String())
				continue
			}
			if out.String() != m[1] {
				t.Errorf("%s: a block that terraform fmt writes otherwise:\n%s\nterraform fmt writes:\n%s", file, m[1], out.String())
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d Terraform blocks; the docs hold more than 10: is the pattern right?", checked)
	}
}
