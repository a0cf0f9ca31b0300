package registry

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A lexical registry whose Link asks for the tags after a name no page
// holds ("b0", after the page ending at "b"): the listing asks once more
// after "b". An answer holding only tags read shows that the Link skipped
// none, and the list is the pages' tags; a fault on that request fails the
// listing rather than taking the pages as the whole list.
func TestLinkAfterAnUnheldNameCheckedByAskingAfterThePagesLastTag(t *testing.T) {
	tags := []string{"a", "b", "c", "d"}
	serve := func(faultAfterB bool) *tagServer {
		return newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if faultAfterB && q.Get("last") == "b" {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			n, _ := strconv.Atoi(q.Get("n"))
			lexicalPage(w, r, tags, n, q.Get("last"), func(last string) string {
				return url.Values{"n": {q.Get("n")}, "last": {last + "0"}}.Encode()
			})
		})
	}
	t.Run("answered with tags read", func(t *testing.T) {
		noDockerConfig(t)
		s := serve(false)
		c := newTestClient(t, Config{})
		c.pageSize = 2
		got, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tags) {
			t.Errorf("got %q, want %q", got, tags)
		}
	})
	t.Run("a fault asking", func(t *testing.T) {
		noDockerConfig(t)
		s := serve(true)
		c := newTestClient(t, Config{MaxRetries: 0})
		c.pageSize = 2
		got, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
		if err == nil {
			t.Fatalf("got %q, want an error", got)
		}
		if !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "last=b") {
			t.Errorf("err = %v, want it to name the request after b and its 503", err)
		}
	})
}
