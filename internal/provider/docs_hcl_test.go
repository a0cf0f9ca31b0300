package provider

import (
	"bytes"
	"fmt"
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
	type hcl struct{ file, text string }
	var blocks []hcl
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllStringSubmatch(string(raw), -1) {
			blocks = append(blocks, hcl{file, m[1]})
		}
	}
	if len(blocks) < 10 {
		t.Fatalf("checked %d Terraform blocks; the docs hold more than 10: is the pattern right?", len(blocks))
	}
	// One fmt over every block, each a file, instead of one process per
	// block (most of this test's time). It exits 0 and lists nothing only
	// when every block parses and is written as fmt writes it; otherwise
	// each block is handed to fmt alone, to say which and how.
	dir := t.TempDir()
	for i, b := range blocks {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("block%03d.tf", i)), []byte(b.text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	batch := exec.Command(terraform, "fmt", "-no-color", "-list=true", "-write=false", dir)
	listed, err := batch.Output()
	if err == nil && len(listed) == 0 {
		return
	}
	for _, b := range blocks {
		cmd := exec.Command(terraform, "fmt", "-no-color", "-")
		cmd.Stdin = strings.NewReader(b.text)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Errorf("%s: a block that terraform cannot parse (%v):\n%s\n%s", b.file, err, b.text, errOut.String())
			continue
		}
		if out.String() != b.text {
			t.Errorf("%s: a block that terraform fmt writes otherwise:\n%s\nterraform fmt writes:\n%s", b.file, b.text, out.String())
		}
	}
	if !t.Failed() {
		t.Errorf("terraform fmt over every block failed (%v, listed %q), though each block alone passes", err, listed)
	}
}
