package resolver

import (
	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// releaseTags is the span of every tag that starts with a digit: every
// release tag (prefecttag.ParseTag takes no other), without the sha- tags
// that are a fifth of prefecthq/prefect. '/' and '9' are the bytes around
// the digits, and tag names use no byte above '~'.
var releaseTags = prefecttag.TagSpan{After: "/~", Before: "9~"}

// fullSplits cut the listing of every release tag where Prefect's sorted tag
// names branch: at each major version published (2, 3) and at the first
// digit of its minor version, so that most pieces are about a page of 1000
// tags (the minors with nightly builds, such as 3.4 and 3.6, run to two or
// three pages).
var fullSplits = []string{
	"2.", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
	"3.", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9",
}

// releaseRange is the registry range of a span, with splits for reading it
// when it runs beyond one page: fullSplits for every release tag, else the
// next digit after the span's prefix ("2.1" … "2.9" in "2.", "3.8.1" …
// "3.8.9" in "3.8"). A span of one page (most minors) is read in one
// request; splits matter only beyond its first page.
func releaseRange(s prefecttag.TagSpan) registry.TagRange {
	r := registry.TagRange{After: s.After, Before: s.Before}
	if s.Prefix == "" {
		r.Splits = fullSplits
		return r
	}
	sub := s.Prefix
	if sub[len(sub)-1] != '.' {
		sub += "."
	}
	for d := '1'; d <= '9'; d++ {
		r.Splits = append(r.Splits, sub+string(d))
	}
	return r
}
