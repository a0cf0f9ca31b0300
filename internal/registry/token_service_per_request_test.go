package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// realmPerRequestDouble names in each answer the token service realm(n)
// for its n-th request (from 1), and takes only that token service's
// tokens: a load balancer in front of registries with token services of
// their own, or a hostile registry. Prefect's catalog in lexical order,
// pages of 100 linked by last.
type realmPerRequestDouble struct {
	mu                  sync.Mutex
	host                string
	tags                []string
	realm               func(n int) string
	n, requests, tokens int
}

func (d *realmPerRequestDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests++
	if strings.HasPrefix(r.URL.Path, "/token/") {
		d.tokens++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"%d@%s"}`, d.tokens, r.URL.Path)
		return
	}
	d.n++
	realm := d.realm(d.n)
	if !strings.HasSuffix(r.Header.Get("Authorization"), "@"+realm) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s%s",service="lb"`, d.host, realm))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/v2/" {
		return
	}
	start := 0
	if last := r.URL.Query().Get("last"); last != "" {
		start = len(d.tags)
		if i := slices.IndexFunc(d.tags, func(t string) bool { return t > last }); i >= 0 {
			start = i
		}
	}
	end := min(start+100, len(d.tags))
	if end < len(d.tags) {
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=100&last=%s>; rel="next"`, d.tags[end-1]))
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"name": "prefecthq/prefect", "tags": d.tags[start:end]})
	w.Write(b)
}

// A guard (it passed): a registry whose requests alternate between two
// token services is read whole; one that names a new token service in
// every answer, never taking a token, fails after a handful of requests,
// not one handshake after another: a request is sent at most twice, once
// more after the handshake remade for the realm its 401 named.
func TestTokenServicePerRequestBounded(t *testing.T) {
	cat := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name  string
		realm func(n int) string
		whole bool
	}{
		{"two alternating", func(n int) string { return []string{"/token/a", "/token/b"}[n%2] }, true},
		{"a new one every answer", func(n int) string { return fmt.Sprintf("/token/%d", n) }, false},
	} {
		d := &realmPerRequestDouble{tags: cat, realm: tc.realm}
		srv := httptest.NewServer(d)
		d.host = strings.TrimPrefix(srv.URL, "http://")
		c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		repo, err := registry.ParseRepository(d.host + "/prefecthq/prefect")
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.ListTags(context.Background(), repo)
		srv.Close()
		switch {
		case tc.whole && (err != nil || len(got) != len(cat)):
			t.Errorf("%s: %d of %d tags: %v", tc.name, len(got), len(cat), err)
		case !tc.whole && err == nil:
			t.Errorf("%s: %d tags, want an error", tc.name, len(got))
		case !tc.whole && d.requests > 12:
			t.Errorf("%s: %d requests (%d token requests) before the error, want at most 12: %v", tc.name, d.requests, d.tokens, err)
		}
	}
}
