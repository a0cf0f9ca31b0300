package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// keyOrder54r sorts tags as distribution's S3 driver walks their keys,
// "<tag>/…" byte-wise ("2-latest-kubernetes" before "2-latest").
func keyOrder54r(tags []string) []string {
	return slices.SortedFunc(slices.Values(tags), compareKeys)
}

// s3Paged54r is what distributionS3 answers a request with n (clamped to
// 1,000; -1 without n) and last: the keys after last as bytes, in key
// order, at most n, and whether the page filled n (then it links the next).
func s3Paged54r(keys []string, n int, last string) ([]string, bool) {
	last = strings.ReplaceAll(last, "/", "\x00")
	var tags []string
	for _, tg := range keys {
		if n == 0 || len(tags) == n {
			break
		}
		if last < tg {
			tags = append(tags, tg)
		}
	}
	return tags, n > 0 && len(tags) == n
}

// skippedByPaging54r is the tags of keys that following distributionS3's
// own Links from n a page never sends.
func skippedByPaging54r(keys []string, n int) []string {
	seen := map[string]bool{}
	last := ""
	for {
		tags, more := s3Paged54r(keys, min(n, 1000), last)
		for _, tg := range tags {
			seen[tg] = true
		}
		if !more {
			break
		}
		last = tags[len(tags)-1]
	}
	var out []string
	for _, tg := range keys {
		if !seen[tg] {
			out = append(out, tg)
		}
	}
	return out
}

// s3With54r is distribution v3.1 on S3 (distributionS3) whose answer to a
// request without n (and without last) is noN's: its names, written as
// they are, and a Link to a next page when link is set. noN gets the
// number of that request (1 for the first) and the keys in key order.
// Every request with n, or with last, is distributionS3's over pagedKeys.
func s3With54r(pagedKeys []string, noN func(call int, keys []string) (names []string, link bool)) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	paged := distributionS3(pagedKeys)
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !strings.Contains(r.URL.Path, "/manifests/") && !q.Has("n") && !q.Has("last") {
			names, link := noN(int(calls.Add(1)), pagedKeys)
			if link {
				v := url.Values{"n": {"1000"}, "last": {names[len(names)-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": names})
			return
		}
		paged(w, r)
	}, &calls
}

func listWhole54r(t *testing.T, h http.Handler, pageSize int) ([]string, error) {
	t.Helper()
	c, ref := zooClient(t, h, "prefecthq/prefect")
	if pageSize > 0 {
		c.pageSize = pageSize
	}
	return c.ListTags(context.Background(), ref)
}

// prefectS3Keys54r is every prefecthq/prefect tag, sorted lexically and
// in key order, and the tags distribution on S3 skips when paged by 1,000.
func prefectS3Keys54r(t *testing.T) (sorted, keys, skipped []string) {
	t.Helper()
	sorted = slices.Sorted(slices.Values(tagcatalog.Prefect()))
	keys = keyOrder54r(sorted)
	skipped = skippedByPaging54r(keys, 1000)
	if len(skipped) == 0 {
		t.Fatal("distribution on S3 paged by 1,000 skips no tag: not the shape these tests are for")
	}
	return sorted, keys, skipped
}

func without54r(tags, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(tags), func(s string) bool { return slices.Contains(drop, s) })
}

// Distribution v3.1 on S3 whose answer without n is its every tag in key
// order: the list is read whole, every range of it right, on a fresh
// Client and on one Client reading every range at once (narrowed readings
// whose answers arrive after the whole reading ended are checked by
// checkedWhole). It failed before wholeAtOnce (Registry Tag List Cannot
// Be Read Whole) on every range.
func TestRedteam54rS3WholeAnswerReadsEveryRange(t *testing.T) {
	sorted, keys, _ := prefectS3Keys54r(t)
	h, _ := s3With54r(keys, func(_ int, k []string) ([]string, bool) { return k, false })
	runZoo(t, h, "prefecthq/prefect", sorted, true)
}

// Answers without n that are not the whole list, each of which fails
// wholeAtOnce's checks: the reader fails with the paging's error, never
// returns the part. Each case names the check that alone refuses it.
func TestRedteam54rS3PartialAnswerRefused(t *testing.T) {
	sorted, keys, skipped := prefectS3Keys54r(t)
	// released: a release's tags pushed while the list was read, which
	// the paging's answers held and a replica behind lacks.
	var released []string
	for _, tg := range keys {
		if strings.HasPrefix(tg, "3.6.19") {
			released = append(released, tg)
		}
	}
	for _, tc := range []struct {
		name string
		noN  func(k []string) ([]string, bool)
	}{
		// unsent: the paging held tags past any cut.
		{"cut past a page's size", func(k []string) ([]string, bool) { return k[:1001], false }},
		{"cut before its last tag", func(k []string) ([]string, bool) { return k[:len(k)-1], false }},
		{"cut at half", func(k []string) ([]string, bool) { return k[:len(k)/2], false }},
		{"a replica behind, without a release the paging held", func(k []string) ([]string, bool) { return without54r(k, released), false }},
		{"a tag the paging held deleted meanwhile", func(k []string) ([]string, bool) { return without54r(k, []string{"2-latest"}), false }},
		// Link: only the tags the paging skipped are missing.
		{"without the skipped tags, linking a next page", func(k []string) ([]string, bool) { return without54r(k, skipped), true }},
		// inKeyOrder: lexical order, the skipped tags missing.
		{"lexical order, without the skipped tags", func(k []string) ([]string, bool) {
			return without54r(slices.Sorted(slices.Values(k)), skipped), false
		}},
		// inKeyOrder, strictly: a tag twice, the skipped tags missing.
		{"a tag twice, without the skipped tags", func(k []string) ([]string, bool) {
			k = without54r(k, skipped)
			return slices.Insert(k, 5, k[5]), false
		}},
		// inKeyOrder: the skipped tags missing, two tags swapped.
		{"two tags swapped, without the skipped tags", func(k []string) ([]string, bool) {
			k = without54r(k, skipped)
			k[10], k[11] = k[11], k[10]
			return k, false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, calls := s3With54r(keys, func(_ int, k []string) ([]string, bool) { return tc.noN(k) })
			got, err := listWhole54r(t, h, 0)
			if err == nil {
				t.Fatalf("read %d tags of %d without error; missing %q, extra %q", len(got), len(sorted), head(setDiff(sorted, got)), head(setDiff(got, sorted)))
			}
			var ue *UnreadableListError
			if !errors.As(err, &ue) {
				t.Errorf("error %v, want the paging's UnreadableListError", err)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			if calls.Load() != 1 {
				t.Errorf("asked without n %d times, want once", calls.Load())
			}
		})
	}
}

// A tag pushed between the paging and the answer without n is in that
// answer, read with every other.
func TestRedteam54rS3TagPushedMeanwhileRead(t *testing.T) {
	sorted, keys, _ := prefectS3Keys54r(t)
	const pushed = "9.9.9-python3.12"
	h, _ := s3With54r(keys, func(_ int, k []string) ([]string, bool) { return keyOrder54r(append(slices.Clone(k), pushed)), false })
	got, err := listWhole54r(t, h, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(sorted), pushed)))
	if !slices.Equal(got, want) {
		t.Fatalf("read %d tags, want %d; missing %q, extra %q", len(got), len(want), head(setDiff(want, got)), head(setDiff(got, want)))
	}
}

// exactOrError54r fails t when got is not want and err is nil.
func exactOrError54r(t *testing.T, got []string, err error, want []string) {
	t.Helper()
	if err == nil && !slices.Equal(got, want) {
		t.Errorf("WRONG SET without error: read %d tags, want %d; missing %q, extra %q", len(got), len(want), head(setDiff(want, got)), head(setDiff(got, want)))
	}
}

// Distribution v3.1 on S3 holding the first 1,001 prefecthq/prefect tags
// (lexically). Its first page (n=1000) is 1,000 tags in key order,
// "2-latest-kubernetes" before "2-latest", linking
// last="2.16.0-python3.8-conda"; asked after that it sends none, as no tag
// sorts after it as bytes, and so skips "2.16.0-python3.8", the last key.
// An empty answer to a last that is a tag read did not count as asked by
// last, so no position probe was asked and the reader returned 1,000 tags
// without error. Now the probe fails the paging and wholeAtOnce reads all
// 1,001.
func TestRedteam54rS3LastKeySkippedAfterFullPage(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))[:1001]
	keys := keyOrder54r(sorted)
	if sk := skippedByPaging54r(keys, 1000); len(sk) != 1 {
		t.Fatalf("paging skips %q: not the shape this test is for", sk)
	}
	h, _ := s3With54r(keys, func(_ int, k []string) ([]string, bool) { return k, false })
	got, err := listWhole54r(t, h, 0)
	exactOrError54r(t, got, err, sorted)
	if err != nil {
		t.Errorf("error on a registry that sends every tag without n in key order: %v", err)
	}
}

// Distribution on S3 holding the first 2,001
// (or 2,002 to 2,100 …) prefecthq/prefect tags. Its pages, by 1,000 in key
// order, end on an unlinked page asked after "2.6.5-python3.10" that holds
// only "2.6.5-python3.10-conda", read before (2,002: and one new tag):
// stretch.takeWhole fails the paging there (listing.go, "every one past
// it and read before" / "N new and the others read before"), and
// listWhole returns that error from continueStretch without asking
// wholeAtOnce, whose answer (every tag, key order, no Link) would pass
// its checks: an error on a registry that serves every tag without n
// (every size from 2,001 to 2,006 of this catalog failed so; others too).
// Fixed: listWhole asks wholeAtOnce when continueStretch fails so on pages
// that showed an order of their own (a descent); its answer cut is still
// refused.
func TestRedteam54rS3EndVerdictNotRescued(t *testing.T) {
	all := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, size := range []int{2001, 2002} {
		sorted := all[:size]
		h, calls := s3With54r(keyOrder54r(sorted), func(_ int, k []string) ([]string, bool) { return k, false })
		got, err := listWhole54r(t, h, 0)
		exactOrError54r(t, got, err, sorted)
		if err != nil {
			t.Errorf("%d tags: error on a registry that sends every tag without n in key order (asked without n %d times): %v", size, calls.Load(), err)
		}
		// Its answer without n cut (its last key, its last page): refused.
		for _, cut := range []int{1, size - 1001} {
			h, _ := s3With54r(keyOrder54r(sorted), func(_ int, k []string) ([]string, bool) { return k[:len(k)-cut], false })
			got, err := listWhole54r(t, h, 0)
			if err == nil {
				t.Errorf("%d tags, the answer without n cut by %d: read %d tags without error; missing %q", size, cut, len(got), head(setDiff(sorted, got)))
			}
		}
	}
}

// A registry in key order whose paging stops early: its third page, asked
// after the second's last tag, holds only tags of the second page (past
// that last as bytes) and no Link, so the paging fails there, two pages
// into 13,512 tags; its answer without n is cut at 5,000 keys, in key
// order, without Link, holding every tag the pages held. wholeAtOnce's
// checks all pass; it is refused because it ends past the last key the
// pages held (reachedEnd), as the paging did not reach the list's end.
func TestRedteam54rPagingStoppedEarlyCutAnswerRefused(t *testing.T) {
	sorted, keys, _ := prefectS3Keys54r(t)
	seen := map[string]bool{}
	var requests atomic.Int32
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		q := r.URL.Query()
		if !strings.Contains(r.URL.Path, "/manifests/") && !q.Has("n") && !q.Has("last") {
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": keys[:5000]})
			return
		}
		limit := 1000
		if v, err := strconv.Atoi(q.Get("n")); err == nil {
			limit = min(v, 1000)
		}
		tags, filled := s3Paged54r(keys, limit, q.Get("last"))
		if requests.Add(1) == 3 {
			tags = slices.DeleteFunc(tags, func(s string) bool { return !seen[s] })
			filled = false
		}
		for _, tg := range tags {
			seen[tg] = true
		}
		if filled {
			v := url.Values{"n": {strconv.Itoa(limit)}, "last": {tags[len(tags)-1]}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": append([]string{}, tags...)})
	})
	got, err := listWhole54r(t, h, 0)
	if err == nil {
		t.Fatalf("read %d tags of %d without error; missing %q", len(got), len(sorted), head(setDiff(sorted, got)))
	}
	if testing.Verbose() {
		t.Log(err)
	}
}
