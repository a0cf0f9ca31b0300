package provider

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsLinks follows every link between the pages of docs/ as the
// Terraform Registry serves them: docs/guides/work-pools.md at
// …/docs/guides/work-pools, docs/index.md at …/docs, with no ".md", and
// relative links resolved by the browser, not rewritten. A link must reach
// a page that exists, and an anchor an id on that page.
func TestDocsLinks(t *testing.T) {
	const root = "../../docs"
	const site = "https://registry.example/providers/prefectimage/prefectimage/latest/docs"
	var pages []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			pages = append(pages, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// pageURL is where the Registry serves a page; pageFile the reverse.
	pageURL := func(file string) string {
		rel, _ := filepath.Rel(root, file)
		rel = strings.TrimSuffix(filepath.ToSlash(rel), ".md")
		if rel == "index" {
			return site
		}
		return site + "/" + rel
	}
	pageFile := func(u *url.URL) (string, bool) {
		rest, ok := strings.CutPrefix(u.Scheme+"://"+u.Host+u.Path, site)
		switch {
		case !ok:
			return "", false
		case rest == "":
			return filepath.Join(root, "index.md"), true
		default:
			return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(rest, "/"))+".md"), true
		}
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	checked := 0
	for _, page := range pages {
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(pageURL(page))
		for _, m := range link.FindAllStringSubmatch(string(raw), -1) {
			ref, err := url.Parse(m[1])
			if err != nil || ref.Scheme != "" {
				continue // absolute links leave the Registry
			}
			checked++
			target := base.ResolveReference(ref)
			file, ok := pageFile(target)
			if !ok {
				t.Errorf("%s: link %q leads to %s, outside the provider's docs", page, m[1], target)
				continue
			}
			body, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s: link %q leads to %s, which is no page (the Registry serves pages without \".md\")", page, m[1], target)
				continue
			}
			if ref.Fragment != "" && !strings.Contains(string(body), `id="`+ref.Fragment+`"`) {
				t.Errorf("%s: link %q names an anchor that %s lacks", page, m[1], file)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative link found in docs/: the pattern is wrong")
	}
}
