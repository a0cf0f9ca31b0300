package registrytest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Shape is one way registries page their tag lists, as options for Start
// or New. Every shape serves every tag: a client that reads tag lists
// right gets the same tags from each.
type Shape struct {
	Name string // short, for test and benchmark names
	Doc  string // what it stands for
	Opts []Option
}

// Shapes returns the tag list shapes a client must read alike: lexical
// paging as Docker Hub does, with several page sizes and caps; an order of
// the registry's own with `last` taken by position; opaque cursors; `last`
// ignored without Link headers; the whole list at once, unsorted
// (distribution 2.x); 400 for a `last` that is no tag; distribution
// v3.0.0's answer to one, which skips a tag; and CNCF distribution v3.0 and
// v3.1 as their registry binaries answer (internal/registry's
// TestRealV3TagListsAnswerAsTheirDoubles holds them to it), but for a
// last with a '/', which v3.1 compares as a storage path.
func Shapes() []Shape {
	return []Shape{
		{"lexical", "lexical order, n, last and Link (Docker Hub); default page 100, n capped at 1000", nil},
		{"lexical-page50", "lexical, every page capped at 50 whatever n asks", []Option{WithDefaultPageSize(50), WithMaxPageSize(50)}},
		{"lexical-nolink", "lexical, pages capped at 100, no Link headers: paging by last alone", []Option{WithMaxPageSize(100), WithoutLink()}},
		{"reject-last", "lexical, 400 for a last that is no tag", []Option{WithRejectUnknownLast()}},
		{"skip-past-last", "lexical, a last that is no tag answered from the second tag past it (as distribution v3.0.0)", []Option{WithSkipPastUnknownLast()}},
		{"distribution-v3.0", "CNCF distribution v3.0.0, as measured: lexical, n honoured without a cap, every tag without n, a last that is no tag answered from the second tag past it", []Option{WithSkipPastUnknownLast(), WithEveryTagWithoutN(), WithMaxPageSize(math.MaxInt)}},
		{"distribution-v3.1", "CNCF distribution v3.1.1 and v3.1.2, as measured: lexical, n capped at 1000 (tags.maxtags), every tag without n, a Link with every full page, the last one too", []Option{WithEveryTagWithoutN(), WithLinkWhenFull()}},
		{"positional-reversed", "reverse lexical order, last taken by position, a last that is no tag answered from the start", []Option{WithOrder(Reversed)}},
		{"positional-shuffled", "an order of its own, last by position, pages of 100", []Option{WithOrder(Shuffled(7)), WithMaxPageSize(100)}},
		{"positional-moved", "lexical but for every 50th tag moved to the end (re-pushed), last by position", []Option{WithOrder(MovedToEnd(50))}},
		{"positional-nolink", "an order of its own, last by position, no Link headers", []Option{WithOrder(Shuffled(11)), WithoutLink()}},
		{"cursor", "opaque cursors in Link (Quay's next_page), last ignored, pages of 100", []Option{WithCursorPaging(), WithMaxPageSize(100)}},
		{"ignore-last-nolink", "last ignored and no Link; n honoured without a cap", []Option{WithIgnoreLast(), WithoutLink(), WithMaxPageSize(1 << 30)}},
		{"whole-unsorted", "the whole list at once, unsorted, n and last ignored (distribution 2.x)", []Option{WithWholeList(), WithOrder(Shuffled(3))}},
		{"default50", "default page size 50 when n is absent, n capped at 1000", []Option{WithDefaultPageSize(50)}},
		{"default1000", "default page size 1000, n capped at 1000", []Option{WithDefaultPageSize(1000)}},
	}
}

// ObjectStorageShape is CNCF distribution v3.1 on S3
// (WithObjectStorageOrder): tags in storage-key order, `last` a bound in
// byte order, so that its own Links skip tags and send some twice, and
// every tag without n.
// It is not one of Shapes, whose every shape the test suites run many
// times over: the tests and the benchmark that read it name it.
func ObjectStorageShape() Shape {
	return Shape{
		Name: "distribution-v3.1-s3",
		Doc:  "CNCF distribution v3.1 on S3, as measured: tags in storage-key order (`2-latest-conda`, `2-latest-kubernetes`, `2-latest`), last a bound in byte order (its own Links skip tags), n capped at 1000, a Link with every full page, every tag without n",
		Opts: []Option{WithObjectStorageOrder()},
	}
}

// KeyOrder is the order of the keys "<tag>/" that an object-storage
// driver walks ("2-latest-conda", "2-latest-kubernetes", "2-latest"), for
// WithOrder; WithObjectStorageOrder uses it.
func KeyOrder(sorted []string) []string {
	slices.SortFunc(sorted, func(a, b string) int { return strings.Compare(a+"/", b+"/") })
	return sorted
}

// Reversed is reverse lexical order, for WithOrder.
func Reversed(sorted []string) []string {
	slices.Reverse(sorted)
	return sorted
}

// Shuffled is an order of its own, the same for the same seed, for
// WithOrder.
func Shuffled(seed uint64) func([]string) []string {
	return func(sorted []string) []string {
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
		return sorted
	}
}

// MovedToEnd is lexical order with every nth tag (and every tag of the
// newest Prefect 3 minor, re-pushed last) moved to the end, for WithOrder:
// the pages look lexical until the last ones.
func MovedToEnd(n int) func([]string) []string {
	return func(sorted []string) []string {
		var keep, moved []string
		for i, t := range sorted {
			if i%n == n-1 || strings.HasPrefix(t, "3.8.3-") {
				moved = append(moved, t)
			} else {
				keep = append(keep, t)
			}
		}
		return append(keep, moved...)
	}
}
