package registry

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A token service whose 200 holds a token (or access_token) with a
// control character: a line break, NUL, DEL. Before the fix, net/http
// refused to send it and the error read `Get "…/tags/list?n=1000":
// net/http: invalid header field value for "Authorization". Check the
// registry address and the network`, blaming the network; now it names
// the token service and what is wrong with its answer, asks it once (it
// would answer the same), and quotes the token nowhere. A tab or a space
// is a valid header value and is sent as it is.
func TestRedteam16TokenWithControlCharacters(t *testing.T) {
	const host = "ctl.zoo.test"
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{"tok-" + secret + "\r\nX-Injected: 1", false},
		{"tok-" + secret + "\n", false},
		{"tok-" + secret + "\x00", false},
		{"tok-" + secret + "\x7f", false},
		{"tok-" + secret + "\tz", true},
	} {
		for _, field := range []string{"token", "access_token"} {
			asked := 0
			h := &hosts{handlers: map[string]http.Handler{host: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/token":
					asked++
					writeJSON(w, http.StatusOK, map[string]any{field: tc.token})
				case r.Header.Get("Authorization") != "Bearer "+tc.token:
					w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+host+`/token",service="`+host+`"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
				default:
					listTwoTags(w, r)
				}
			})}}
			logs := &logRecorder{}
			c := hostsClient(t, h, Config{Logger: logs, MaxRetries: 2})
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/prefect"))
			switch {
			case tc.ok:
				if err != nil || len(got) != 2 {
					t.Errorf("%s %q: got %v, %v; want the two tags", field, tc.token, got, err)
				}
			case err == nil:
				t.Errorf("%s %q: got %v; want an error", field, tc.token, got)
			default:
				checkMessage(t, err, []string{"token service (" + host + ")", "control characters"}, logs, secret)
				if asked != 1 {
					t.Errorf("%s %q: the token service was asked %d times; want once", field, tc.token, asked)
				}
			}
		}
	}
}

// A guard (it passed): a lexical registry whose Link carries an n that is
// no page size (0, negative, past any cap, not a number, empty): every
// range reads exactly its tags. The n of a followed Link is what the
// listing reads as the page size asked; a rule such as "a page shorter
// than asked is the last" would end the list after the first page linked
// with n=99999999.
func TestRedteam16LinkWithOddN(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, n := range []string{"0", "-1", "99999999", "abc", ""} {
		t.Run("n="+n, func(t *testing.T) {
			t.Parallel()
			runZoo(t, lexicalLinked(sorted, nil, func(last string, _ int) string {
				return `</v2/prefecthq/prefect/tags/list?last=` + url.QueryEscape(last) + `&n=` + n + `>; rel="next"`
			}), "prefecthq/prefect", sorted, true)
		})
	}
}

// A guard (it passed): a tag list answered 206 Partial Content (a part of
// the list, by its own word) or 304 Not Modified (nothing to read, as no
// conditional request is sent) is an error naming the status, never a
// list to select from.
func TestRedteam16TagListPartialOrNotModified(t *testing.T) {
	for _, status := range []int{http.StatusPartialContent, http.StatusNotModified} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, status, map[string]any{"name": zooRepo, "tags": []string{"3.1.0-python3.12"}})
		})
		c, ref := zooClient(t, h, zooRepo)
		got, err := c.ListTags(context.Background(), ref)
		if err == nil || !strings.Contains(err.Error(), "HTTP "+strconv.Itoa(status)) {
			t.Errorf("HTTP %d: got %v, %v; want an error naming the status", status, got, err)
		}
	}
}
