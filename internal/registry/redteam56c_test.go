package registry_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Red team 56c: registries that keep their tags in a database and answer
// `ORDER BY name` and `WHERE name > $last` in the database's collation, not
// in byte order. Such an order agrees with byte order on most pages, so a
// listing that stops at a range's bound or trusts a piece read from a split
// could lose tags silently. Each collation below is a model of one a real
// registry's database uses (see the comments); the double takes last as a
// bound in that order, whether or not it is a tag, caps n and links every
// page but the last (orderedDouble).

// collation56c is one order of tag names.
type collation56c struct {
	name string
	cmp  func(a, b string) int
}

func isAlnum56c(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// caseThenBytes breaks ties of a case-blind first level: lower case first
// (glibc's and ICU's tertiary level), then byte order, so that the order is
// total (tags are distinct names).
func caseThenBytes(a, b string) int {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] && la[i] == lb[i] {
			if a[i] == la[i] {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}

// glibcCmp models glibc's en_US.UTF-8 as a PostgreSQL database created in
// that locale compares names (glibc before 2.28; GitLab's metadata
// database, Gitea and Quay 3.12+ on such a database, per the reliability
// guide): punctuation is ignored at the first level, letters compare
// without case, digits before letters.
// "3.1.15.dev1" sorts before "3.1.15-python3.12" ("3115dev1" <
// "3115python312"), which byte order puts after it.
func glibcCmp(a, b string) int {
	key := func(s string) string {
		var k []byte
		for i := 0; i < len(s); i++ {
			if isAlnum56c(s[i]) {
				k = append(k, strings.ToLower(s[i : i+1])[0])
			}
		}
		return string(k)
	}
	if c := strings.Compare(key(a), key(b)); c != 0 {
		return c
	}
	return caseThenBytes(a, b)
}

// icuCmp models the Unicode collation algorithm's root order with
// punctuation not ignorable (ICU's und collation in PostgreSQL, MySQL 8's
// utf8mb4_0900_ai_ci, glibc 2.28 and later as an approximation):
// punctuation sorts before digits, '_' before '-' before '.', digits before
// letters, letters without case.
func icuCmp(a, b string) int {
	weight := func(c byte) int {
		switch {
		case c == '_':
			return 1
		case c == '-':
			return 2
		case c == '.':
			return 3
		case '0' <= c && c <= '9':
			return 10 + int(c-'0')
		case 'a' <= c && c <= 'z':
			return 20 + int(c-'a')
		case 'A' <= c && c <= 'Z':
			return 20 + int(c-'A')
		default:
			return 4 + int(c)%5 // other symbols ('~' in probe names), before digits
		}
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if wa, wb := weight(a[i]), weight(b[i]); wa != wb {
			return wa - wb
		}
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return caseThenBytes(a, b)
}

// upperCmp models MySQL's utf8mb4_general_ci (a registry keeping tags in a
// MySQL table, such as Gitea on MySQL): each character weighs as its upper
// case, so '_' (0x5F) sorts after every letter, where byte order puts it
// between upper and lower case.
func upperCmp(a, b string) int {
	if c := strings.Compare(strings.ToUpper(a), strings.ToUpper(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// lowerCmp models ordering by a lower-cased copy of the name in byte
// order (a lower_name column under the C collation): upper case sorts as
// lower case, so "3-Latest" sorts after "3-2", where byte order puts it
// before.
func lowerCmp(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// icuNumericCmp models ICU with numeric ordering (PostgreSQL's
// und-u-kn-true, a "natural" sort in a database): runs of digits compare as
// numbers (3.9 before 3.10), the rest as icuCmp.
func icuNumericCmp(a, b string) int {
	for a != "" && b != "" {
		ra, rb := leadingRun(a), leadingRun(b)
		if isDigit(ra[0]) && isDigit(rb[0]) {
			if c := naturalCmp(ra, rb); c != 0 {
				return c
			}
		} else if c := icuCmp(ra, rb); c != 0 && !strings.HasPrefix(ra, rb) && !strings.HasPrefix(rb, ra) {
			return c
		} else if c != 0 {
			// One run is a prefix of the other: the next byte decides, as
			// icuCmp would compare it with what follows the shorter run.
			return icuCmp(a, b)
		}
		a, b = a[len(ra):], b[len(rb):]
	}
	return len(a) - len(b)
}

var collations56c = []collation56c{
	{"glibc-en_US", glibcCmp},
	{"icu-root", icuCmp},
	{"icu-numeric", icuNumericCmp},
	{"mysql-general-ci", upperCmp},
	{"lower-name", lowerCmp},
}

// twins56c is a small catalog of names that collations order apart from
// byte order: X, X-conda, X.dev1, X_..., upper case, minors of one and two
// digits, a tag that a probe name ("X~") lies next to.
func twins56c() []string {
	var out []string
	for _, v := range []string{"3.1.14", "3.1.15", "3.1.16", "3.1.2", "3.10.0", "3.2.0", "2.20.1"} {
		out = append(out,
			v, v+"-conda", v+".dev1", v+"_rc",
			v+"-python3.12", v+"-python3.12-conda", v+"-python3.12-kubernetes", v+"-python3.9",
			v+".dev1-python3.12", v+"rc1-python3.12", v+"-Python3.12")
	}
	return append(out, "3-latest", "3-Latest", "3.1-python3.12", "3.1", "3.1-conda", "3.1.1", "3", "latest", "Latest")
}

// deviants56c are Prefect's catalog with a few names that the collations
// order apart from byte order, well past its first page, so that the first
// page and the probe of order look lexical: upper case, '_', a .post
// release next to its -python twin, and names whose letters and digits
// alone match a release's ("_3.8.5", "3_8_1", "21-foo").
func deviants56c() []string {
	return append(tagcatalog.Prefect(),
		"3.4.1-Python3.12", "3.4.1-CONDA", "3.4.1_hotfix", "3.4_1", "3.8.1.post1-python3.12",
		"3.8.1-python3.12_slim", "_3.8.5", "3_8_1", "21-foo", "2.10.0-Python3.10", "3.8.10-python3.12",
		"3.8.1-python3.12-Kubernetes", "3.1.15.dev1", "3.1.15-python3.12-conda2")
}

// stopAtPageEnd56c is a repository whose glibc order agrees with byte
// order on its first page and on the probe of order, and lists "381-python3.12"
// (its letters and digits those of "3.8.1-python3.12") between the 3.8.1 and
// the 3.8.2 images: in byte order it lies past every 3.8 tag.
var stopAtPageEnd56c = []string{
	"3.6.0-python3.12", "3.6.0-python3.12-conda", "3.6.0-python3.12-kubernetes",
	"3.8.0-python3.12", "3.8.1-python3.12", "381-python3.12", "3.8.2-python3.12",
}

// selectors56c are the fleet's and the 45-selector set's selectors
// (resolver's diffSelectors and fleetSelectors).
func selectors56c() []wantedSelector {
	out := []wantedSelector{
		{"", "", "", false}, {"", "", "", true}, {"", "3.12", "kubernetes", false},
		{"!= 3.8.3", "", "", false}, {"!= 3.8.3", "3.11", "conda", true},
		{">= 2.0, < 4", "", "", false}, {">= 2.0, < 4", "3.10", "", true},
		{"~> 3", "", "", false}, {"~> 3", "3.13", "kubernetes", true},
		{"==3.*", "", "", false}, {"==3.*", "", "", true}, {"==2.*", "3.8", "conda", false},
		{"~=3.1", "", "", false}, {"~=3.1", "3.9", "", true},
		{"< 3.0.0rc5", "", "", true}, {"< 3.0.0rc5", "3.11", "", true},
		{"3.0.0rc14", "", "", false}, {"3.0.0rc14", "3.11", "conda", false}, {"==3.0.0rc3", "3.10", "", false},
		{"2.0b8", "", "", false}, {"= 2.0b8", "3.9", "", false},
		{"3.1.16.dev2", "", "", false}, {"~> 3.1.0", "", "", true},
		{"~> 3.8.0", ">= 3.12", "kubernetes", false}, {"~> 2.20", "3.11", "", false}, {"~> 2.20", "", "conda", true},
		{">= 3.9, < 4", "", "", false}, {">= 3.9, < 4", "", "", true}, {"> 3.7.99", "", "", false},
		{">= 3.10", "", "", false}, {"~> 3.10", "", "", true}, {"~> 4.0", "", "", true}, {"~> 4", "", "", false},
		{">= 3.1, < 3.5", "3.11", "conda", false}, {"==3.4.*", "< 3.12", "", true}, {"3.7.8", "3.12", "", false},
		{"3.7.8", "", "", false}, {"= 3.8", "", "", false}, {">= 2.20.0, <= 2.20.5", "", "", false},
		{"> 3.8.4", "", "", true}, {"< 3.0.0", "", "", true}, {"<= 3.0.0rc20", "", "", true},
		{"~> 3.8.4", "", "", true}, {"!=3.8.*", "", "", false}, {"==3.10.*", "", "", false},
	}
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13", "3.14"} {
		for _, f := range []string{"standard", "conda", "kubernetes"} {
			out = append(out, wantedSelector{"~> 3.8.0", py, f, false})
		}
	}
	return append(out,
		wantedSelector{"3.7.8", "3.11", "conda", false}, wantedSelector{"~> 2.20", "3.11", "kubernetes", false},
		wantedSelector{">= 3.4, < 3.5", "", "", false}, wantedSelector{"~> 3.8.0", "3.12", "", false})
}

// fullSplits56c and releaseRange56c are the resolver's (ranges.go): the
// ranges a plan asks ListTagRange for.
var fullSplits56c = []string{
	"2.", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
	"3.", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9",
}

func releaseRange56c(s prefecttag.TagSpan) registry.TagRange {
	r := registry.TagRange{After: s.After, Before: s.Before}
	if s.Prefix == "" {
		r.Splits = fullSplits56c
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

// ranges56c are the ranges the selectors ask for, every release tag with
// the resolver's splits, the whole list, and ranges cut next to twins.
func ranges56c(t *testing.T) []registry.TagRange {
	t.Helper()
	seen := map[string]bool{}
	var out []registry.TagRange
	add := func(r registry.TagRange) {
		k := fmt.Sprintf("%q", r)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	add(registry.TagRange{})
	add(registry.TagRange{After: "/~", Before: "9~", Splits: fullSplits56c})
	for _, s := range selectors56c() {
		for _, sp := range selectorOf(t, s).ReleaseSpans() {
			add(releaseRange56c(sp))
		}
	}
	for _, r := range []registry.TagRange{
		{After: "3.1.15", Before: "3.1.16"},
		{After: "3.1.15-python3.12", Before: "3.1.15/"},
		{After: "3.1.14~", Before: "3.1.15~"},
		{After: "3.1.", Before: "3.1/", Splits: []string{"3.1.1", "3.1.15", "3.1.15-python3.12", "3.1.2"}},
		{After: "3.0~", Before: "3.1~", Splits: []string{"3.1.1", "3.1.2", "3.1.9"}},
		{After: "3-", Before: "3."},
		{After: "3", Before: "4"},
	} {
		add(r)
	}
	return out
}

func client56c(t *testing.T) *registry.Client {
	t.Helper()
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: registry.UseDefaultRetries})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rangesRead56c reads every range with a fresh client each, and all of them
// one after another on one client (ranges served from ranges read before),
// and compares each with the catalog filtered. Returns the silent wrong
// answers; an error is allowed (never a wrong set).
func rangesRead56c(t *testing.T, host, name string, tags []string, ranges []registry.TagRange) (wrong []string) {
	t.Helper()
	repo, err := registry.ParseRepository(host + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	valid := slices.DeleteFunc(slices.Clone(tags), func(s string) bool { return strings.Contains(s, "~") })
	check := func(how string, c *registry.Client, r registry.TagRange) {
		got, err := c.ListTagRange(context.Background(), repo, r)
		if err != nil {
			t.Logf("%s range %+v: %v", how, r, err)
			return // an error is the right answer when the order cannot be shown
		}
		want := slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(valid), func(s string) bool {
			return r.After != "" && s <= r.After || r.Before != "" && s >= r.Before
		})))
		if !slices.Equal(got, want) {
			var lost, extra []string
			for _, s := range want {
				if _, ok := slices.BinarySearch(got, s); !ok {
					lost = append(lost, s)
				}
			}
			for _, s := range got {
				if _, ok := slices.BinarySearch(want, s); !ok {
					extra = append(extra, s)
				}
			}
			wrong = append(wrong, fmt.Sprintf("%s range %+v: %d tags, want %d, lost %.200q, extra %.200q", how, r, len(got), len(want), lost, extra))
		}
	}
	shared := client56c(t)
	for _, r := range ranges {
		check("fresh", client56c(t), r)
		check("shared", shared, r)
	}
	return wrong
}

// On every collation, on Prefect's catalog with and without deviant names
// (pages of 100 and 1000) and on small catalogs of twins at every page size
// from 2 to 12 and 1000, every range a plan asks for reads what the catalog
// holds in it, or fails: never a silently wrong set.
func TestRedteam56cCollatedRangesReadAsCatalog(t *testing.T) {
	type catalog struct {
		name  string
		tags  []string
		sizes []int
	}
	var twinSizes []int
	for n := 2; n <= 12; n++ {
		twinSizes = append(twinSizes, n)
	}
	catalogs := []catalog{
		{"twins", twins56c(), append(twinSizes, 1000)},
		{"stop-at-page-end", stopAtPageEnd56c, append(twinSizes, 1000)},
		{"prefect", tagcatalog.Prefect(), []int{1000}},
		{"deviants", deviants56c(), []int{100, 1000}},
	}
	if testing.Short() || raceDetector { // Prefect's catalog per collation takes minutes under -race
		catalogs = catalogs[:2]
	}
	ranges := ranges56c(t)
	for _, col := range collations56c {
		for _, cat := range catalogs {
			for _, n := range cat.sizes {
				t.Run(fmt.Sprintf("%s/%s/n%d", col.name, cat.name, n), func(t *testing.T) {
					order := slices.SortedFunc(slices.Values(cat.tags), col.cmp)
					d := &orderedDouble{name: "prefecthq/prefect", tags: order, maxN: n, less: func(a, b string) bool { return col.cmp(a, b) < 0 }}
					srv := httptest.NewServer(d)
					t.Cleanup(srv.Close)
					for _, w := range rangesRead56c(t, strings.TrimPrefix(srv.URL, "http://"), d.name, cat.tags, ranges) {
						t.Error(w)
					}
				})
			}
		}
	}
}

// On every collation, every selector of the fleet and of the 45-selector
// set picks on Prefect's catalog with deviant names what selection over every tag picks.
func TestRedteam56cCollatedSelectorsPickAsCatalog(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("reads Prefect's catalog whole per selector: minutes under -race; the run without -race reads it")
	}
	for _, col := range collations56c {
		for _, n := range []int{1000} {
			t.Run(fmt.Sprintf("%s/n%d", col.name, n), func(t *testing.T) {
				tags := deviants56c()
				order := slices.SortedFunc(slices.Values(tags), col.cmp)
				d := &orderedDouble{name: "prefecthq/prefect", tags: order, maxN: n, less: func(a, b string) bool { return col.cmp(a, b) < 0 }}
				srv := httptest.NewServer(d)
				t.Cleanup(srv.Close)
				picksAsTheWholeCatalog(t, strings.TrimPrefix(srv.URL, "http://"), d.name, tags, selectors56c(), "")
			})
		}
	}
}

// A database in glibc's en_US collation (GitLab's registry, Gitea, Quay
// 3.12+ on PostgreSQL) lists "381-python3.12" between "3.8.1-python3.12"
// and "3.8.2-python3.12" and takes last as a bound in that order. With
// pages of 3 its first page and the probe of order look lexical, and the
// answer for 3.8 (last=3.7~) is [3.8.0, 3.8.1, 381] -python3.12: the first
// tag past 3.8~ ends the page. The range reading stopped there and returned
// 3.8.0 and 3.8.1 without error, so "~> 3.8.0" on Python 3.12 pinned
// 3.8.1-python3.12, not 3.8.2-python3.12. A tag past the range in the
// middle of a page has the rest of the page after it, whose order is
// checked; at a page's end the next page is read to check the same, and
// shows 3.8.2 below 381: the list is read whole.
func TestRedteam56cStopTagEndingAPageIsCheckedAgainstTheNextPage(t *testing.T) {
	order := slices.SortedFunc(slices.Values(stopAtPageEnd56c), glibcCmp)
	if want := []string{"3.8.1-python3.12", "381-python3.12", "3.8.2-python3.12"}; !slices.Equal(order[4:], want) {
		t.Fatalf("glibc order ends %q, want %q", order[4:], want)
	}
	for _, n := range []int{2, 3, 4, 5, 1000} {
		t.Run(fmt.Sprintf("n%d", n), func(t *testing.T) {
			d := &orderedDouble{name: "prefecthq/prefect", tags: order, maxN: n, less: func(a, b string) bool { return glibcCmp(a, b) < 0 }}
			srv := httptest.NewServer(d)
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "http://")
			picksAsTheWholeCatalog(t, host, d.name, stopAtPageEnd56c, []wantedSelector{
				{"~> 3.8.0", "3.12", "", false}, {"~> 3.8.0", "", "", false}, {"3.8.2", "", "", false}, {"", "", "", false},
			}, "")
			repo, err := registry.ParseRepository(host + "/" + d.name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := client56c(t).ListTagRange(context.Background(), repo, registry.TagRange{After: "3.7~", Before: "3.8~"})
			if want := []string{"3.8.0-python3.12", "3.8.1-python3.12", "3.8.2-python3.12"}; err != nil || !slices.Equal(got, want) {
				t.Errorf("3.8: %q (err %v), want %q", got, err, want)
			}
		})
	}
}
