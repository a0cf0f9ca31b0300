package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The reliability guide, the other pages, CHANGELOG.md and BENCHMARKS.md
// prove their claims by naming tests. A renamed or removed test would leave
// a claim that nothing proves, so every Test, Fuzz and Benchmark name they
// give must be a function in some _test.go file of the repository.
func TestDocsNameTestsThatExist(t *testing.T) {
	const root = "../.."
	defined := map[string]bool{}
	funcName := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]+)\(`)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range funcName.FindAllStringSubmatch(string(b), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !defined["TestDocsNameTestsThatExist"] {
		t.Fatal("the walk found no test functions; it proves nothing")
	}
	docs := []string{filepath.Join(root, "CHANGELOG.md"), filepath.Join(root, "BENCHMARKS.md"), filepath.Join(root, "README.md")}
	err = filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			docs = append(docs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`\b((?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9_]*)`)
	checked := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, m := range named.FindAllStringSubmatch(string(b), -1) {
			checked++
			if !defined[m[1]] && !slices.Contains(missing, m[1]) {
				missing = append(missing, m[1])
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s names tests that do not exist: %s", doc, strings.Join(missing, ", "))
		}
	}
	if checked < 50 {
		t.Errorf("only %d test names found in the docs; the pattern misses them", checked)
	}
}
