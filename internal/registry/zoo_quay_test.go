package registry

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Quay (quay.io and Red Hat Quay) answers GET /v2/<name>/tags/list in two
// ways, by version, each read from quay/quay's source:
//
//   - 3.12.0 and later (e73d096b2, PROJQUAY-6931, June 2024; quay.io since,
//     deitch/docker_registry2#106): endpoints/v2/__init__.py
//     oci_tag_paginate and data/model/oci/tag.py lookup_alive_tags_shallow:
//     ORDER BY Tag.name and WHERE Tag.name > last, in the database's
//     collation; n defaults to 100 and is clamped to
//     max(V2_PAGINATION_SIZE, 100), never refused (5cef62db9 removed the 413
//     before v3.12.0); n=0 answers "tags": [] without a Link (e0573f923); a
//     Link only when a further tag exists, relative because os.path.join
//     drops the app URL before url_for's absolute path:
//     </v2/keycloak/keycloak/tags/list?n=100&last=23.0.4-0>; rel="next".
//   - 3.11 and earlier (and quay.io before mid-2024): the paginate
//     decorator: ORDER BY Tag.id (a moved tag is a new row, so push order,
//     re-pushed tags last: google/go-containerregistry#794 lists
//     master-6140 master-6147 … v0.5.1 v0.5.2 master-6274); n clamped to
//     [1, V2_PAGINATION_SIZE], 50 by default (config.py); the next page
//     linked by an encrypted next_page token (Fernet, two days' TTL) holding
//     a tag row id, and last read as such a token too, so a tag name is an
//     invalid token and answered from the start (regclient/regclient#272:
//     "--last … I get the very same contents"); Links seen relative,
//     </v2/coreos/etcd/tags/list?next_page=gAAAA…%3D&n=50>; rel="next"
//     (ivanilves/lstags#185, deitch/docker_registry2#56), and absolute in
//     2016 (TritonDataCenter/node-docker-registry-client#12).
//
// The database's collation decides the 3.12 order. SQLite (Quay's mirror
// registry) and a C or ICU-root collation sort these tags byte-wise;
// PostgreSQL initialised in en_US.UTF-8, which the sclorg image the Quay
// operator deploys does unless told otherwise (initdb_wrapper:
// LOCALE=${POSTGRESQL_LOCALE:-en_US}), sorts with glibc, which ignores '.'
// and '-' at first: 3.1.0 < 3.10.0 < 3.1.1 < 3.1.10-python3.12 <
// 3.1.1-python3.10 < 3-latest. Which collation quay.io's own database has
// is not known here.

// quayRepo is the repository the Quay models serve.
const quayRepo = "prefecthq/prefect"

// glibcCollate orders as PostgreSQL in en_US.UTF-8 with glibc 2.28 and
// later: letters and digits first, case folded, punctuation ignored; on a
// tie, bytes (PostgreSQL breaks strcoll ties with strcmp). Checked against
// glibc 2.36's strcoll over the 13,512 Prefect tags and a probe after each
// (tag + "~") and every range bound of modelRanges: the same order.
func glibcCollate(a, b string) int {
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	return cmp.Or(strings.Compare(key(a), key(b)), strings.Compare(a, b))
}

// quay312 is Quay 3.12 and later over sorted, kept in the order of
// collate, with V2_PAGINATION_SIZE maxPage (below 100 it is 100).
// refuseN is Quay as merged on 2024-06-13 (e73d096b2) and run on quay.io
// on 2024-06-21 until reverted (5cef62db9): an n above the maximum is
// refused, 413 TOO_MANY_TAGS_REQUESTED ("requested limit 1000 is too high,
// max is 100": google/go-containerregistry#1963, akuity/kargo#2186).
func quay312(collate func(a, b string) int, maxPage int, refuseN bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := slices.SortedFunc(slices.Values(sorted), collate)
		maxPage = max(maxPage, 100)
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n, err := strconv.Atoi(q.Get("n"))
			if err != nil { // request.args.get("n", 100, type=int): absent or no integer
				n = maxPage
			}
			if refuseN && n > maxPage {
				writeRegError(w, http.StatusRequestEntityTooLarge, "TOO_MANY_TAGS_REQUESTED",
					fmt.Sprintf("Too many tags requested; requested limit %d is too high, max is %d", n, maxPage))
				return
			}
			limit := max(min(n, maxPage), 0)
			start := 0
			if q.Has("last") {
				last := strings.TrimSpace(q.Get("last"))
				start, _ = slices.BinarySearchFunc(order, last, collate)
				if start < len(order) && collate(order[start], last) == 0 {
					start++
				}
			}
			tags := []string{}
			if limit > 0 {
				tags = order[start:min(start+limit, len(order))]
				if start+limit < len(order) {
					v := "n=" + strconv.Itoa(limit) + "&last=" + url.QueryEscape(tags[len(tags)-1])
					w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v))
				}
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": quayRepo, "tags": tags})
		}
	}
}

// pushOrder approximates the order of Quay's tag row ids, that is of the
// pushes: releases by version, then the tags that move with every release
// (3-latest, 3.8-python3.12, sha-…), re-pushed last.
func pushOrder(sorted []string) []string {
	version := func(t string) ([]int, bool) {
		v, _, _ := strings.Cut(t, "-")
		var out []int
		for f := range strings.FieldsFuncSeq(v, func(r rune) bool { return r < '0' || r > '9' }) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
		return out, len(strings.Split(v, ".")) >= 3
	}
	return slices.SortedStableFunc(slices.Values(sorted), func(a, b string) int {
		va, ra := version(a)
		vb, rb := version(b)
		if ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		return slices.Compare(va, vb)
	})
}

// quay311 is Quay 3.11 and earlier over sorted, in push order, with
// V2_PAGINATION_SIZE pageSize (50 by default).
func quay311(pageSize int) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := pushOrder(slices.Clone(sorted))
		// A token names the index of the first row of the next page
		// (start_id, Tag.id >= start_id); its bytes stand for Fernet's.
		token := func(i int) string {
			return "gAAAAA" + base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"start_id": %d}#hmac`, i)))
		}
		decrypt := func(s string) (int, bool) {
			b, err := base64.URLEncoding.DecodeString(strings.TrimPrefix(s, "gAAAAA"))
			i, err2 := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(b), `{"start_id": `), `}#hmac`))
			return i, err == nil && err2 == nil && token(i) == s && i <= len(order)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := pageSize
			if s := q.Get("n"); s != "" {
				var err error
				if n, err = strconv.Atoi(s); err != nil {
					n = 0 // int() raised ValueError
				}
			}
			limit := max(min(n, pageSize), 1)
			tok := q.Get("last")
			if q.Has("next_page") {
				tok = q.Get("next_page")
			}
			start, ok := decrypt(tok)
			if !ok {
				start = 0 // decrypt_page_token gave None: from the start
			}
			stop := min(start+limit, len(order))
			if stop < len(order) {
				v := url.Values{"n": {strconv.Itoa(limit)}, "next_page": {token(stop)}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": quayRepo, "tags": order[start:stop]})
		}
	}
}

// TestZooQuay reads every range from each Quay above, on the 13,512
// prefecthq/prefect tags.
func TestZooQuay(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name string
		h    func([]string) http.HandlerFunc
	}{
		{"quay-3.12-bytewise", quay312(strings.Compare, 100, false)},
		{"quay-3.12-postgres-en_US", quay312(glibcCollate, 100, false)},
		{"quay-3.12-postgres-en_US-pagination-500", quay312(glibcCollate, 500, false)},
		{"quay.io-2024-06-21-n-above-100-refused", quay312(strings.Compare, 100, true)},
		{"quay-3.11", quay311(50)},
		{"quay-3.11-pagination-100", quay311(100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, tc.h(sorted), quayRepo, sorted, true)
		})
	}
}
