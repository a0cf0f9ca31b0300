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
	defined := map[string]bool{}
	for _, names := range testFuncsByFile(t) {
		for name := range names {
			defined[name] = true
		}
	}
	if !defined["TestDocsNameTestsThatExist"] {
		t.Fatal("the walk found no test functions; it proves nothing")
	}
	docs := docsNamingTests(t)
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

// testFuncsByFile maps each _test.go file of the repository, by its path
// from the repository root with forward slashes, to the Test, Fuzz and
// Benchmark functions it defines.
func testFuncsByFile(t *testing.T) map[string]map[string]bool {
	t.Helper()
	const root = "../.."
	funcs := map[string]map[string]bool{}
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
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, m := range funcName.FindAllStringSubmatch(string(b), -1) {
			names[m[1]] = true
		}
		funcs[filepath.ToSlash(rel)] = names
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return funcs
}

// docsNamingTests are the pages that prove claims by naming tests.
func docsNamingTests(t *testing.T) []string {
	t.Helper()
	const root = "../.."
	docs := []string{filepath.Join(root, "CHANGELOG.md"), filepath.Join(root, "BENCHMARKS.md"), filepath.Join(root, "README.md")}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			docs = append(docs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// A test named after its file ("`proxy_test.go`: `TestA`, `TestB`") sends
// a reader to that file: each test of such a list must be defined in a file
// of that name (or path suffix). A parenthesis after a name is a remark,
// and a test it names is not taken as the file's.
func TestDocsTestsAreInTheFilesNamed(t *testing.T) {
	funcs := testFuncsByFile(t)
	list := regexp.MustCompile("`([A-Za-z0-9_./-]+_test\\.go)`: ((?:`[^`]+`(?: \\([^()]*\\))?(?:,? and |, )?)+)")
	remark := regexp.MustCompile(` \([^()]*\)`)
	name := regexp.MustCompile("`((?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9_]*)")
	checked := 0
	for _, doc := range docsNamingTests(t) {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list.FindAllStringSubmatch(string(b), -1) {
			var files []string
			for f := range funcs {
				if f == m[1] || strings.HasSuffix(f, "/"+m[1]) {
					files = append(files, f)
				}
			}
			if len(files) == 0 {
				t.Errorf("%s names %s, which is no test file", doc, m[1])
				continue
			}
			for _, n := range name.FindAllStringSubmatch(remark.ReplaceAllString(m[2], ""), -1) {
				checked++
				if !slices.ContainsFunc(files, func(f string) bool { return funcs[f][n[1]] }) {
					var in []string
					for f, names := range funcs {
						if names[n[1]] {
							in = append(in, f)
						}
					}
					slices.Sort(in)
					t.Errorf("%s: %s, named under %s, is defined in %s", doc, n[1], m[1], strings.Join(in, ", "))
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d tests named under their files were found; the pattern misses them", checked)
	}
}
