package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A registry whose pages keep an order of its own ("b" before "a") and,
// asked by last, never answer a tag below it: the whole reading asks once
// more after "b" to tell a registry taking last by position from one
// taking it as a lexical bound, which skips tags. A fault on that request
// fails the listing with the registry's answer, rather than taking the
// pages read as the whole list.
func TestPositionProbeFaultFailsTheListing(t *testing.T) {
	noDockerConfig(t)
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("last") {
		case "":
			writeTags(w, []string{"b", "a"})
		case "a":
			writeTags(w, []string{"c"})
		case "b":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			writeTags(w, []string{})
		}
	})
	c := newTestClient(t, Config{MaxRetries: 0})
	c.pageSize = 2
	got, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil {
		t.Fatalf("got %q, want an error", got)
	}
	if !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "last=b") {
		t.Errorf("err = %v, want it to name the request after b and its 503", err)
	}
}
