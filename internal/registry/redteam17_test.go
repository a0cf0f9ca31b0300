package registry

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// respelledRegistry wants Basic u:p (or, with bearer, a token its token
// service on its own host issues for u:p) and lists four tags two a page.
// Its pages link the next (or, with redirect, it redirects every tag list
// request once) by an absolute URL whose host is respelled, over HTTPS
// when reached by it (hosts hands over the client's request), else over
// plain HTTP.
func respelledRegistry(respelled string, bearer, redirect bool) http.Handler {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))
	tags := []string{"a1", "a2", "a3", "a4"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.URL.Scheme == "https" {
			scheme = "https"
		}
		if r.URL.Path == "/token" {
			if r.Header.Get("Authorization") != basic {
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "bad credentials")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"token": "tok123"})
			return
		}
		if want := map[bool]string{false: basic, true: "Bearer tok123"}[bearer]; r.Header.Get("Authorization") != want {
			w.Header().Set("WWW-Authenticate", map[bool]string{false: `Basic realm="reg"`, true: `Bearer realm="` + scheme + `://` + r.Host + `/token",service="reg"`}[bearer])
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		q := r.URL.Query()
		if redirect && q.Get("via") == "" {
			q.Set("via", "1")
			http.Redirect(w, r, scheme+"://"+respelled+r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
			return
		}
		start := 0
		for i, tag := range tags {
			if tag == q.Get("last") {
				start = i + 1
			}
		}
		end := min(start+2, len(tags))
		if end < len(tags) && !redirect {
			w.Header().Set("Link", `<`+scheme+`://`+respelled+r.URL.Path+`?n=2&last=`+url.QueryEscape(tags[end-1])+`>; rel="next"`)
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "acme/x", "tags": tags[start:end]})
	})
}

// A Link or a redirect to the registry's own host and port spelled
// otherwise (upper case, the default port written or left out), which the
// same-host rules let through, keeps the registry's credentials. Before,
// go-containerregistry's transports, which send them only to the host as
// the Client spells it (Basic: exactly; Bearer: its case too), sent the
// request without them: "the registry answered HTTP 401 Unauthorized: it
// did not accept the credentials".
func TestRedteam17RespelledHostKeepsCredentials(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct{ registry, respelled string }{
		{"reg.example.test", "REG.Example.test"},
		{"reg.example.test", "reg.example.test:443"},
		{"reg.example.test:443", "reg.example.test"},
		{"[fd00::a]:5000", "[FD00::A]:5000"},
	} {
		for _, bearer := range []bool{false, true} {
			for _, redirect := range []bool{false, true} {
				name := map[bool]string{false: "Link", true: "redirect"}[redirect] + " to " + tc.respelled + map[bool]string{false: ", basic", true: ", bearer"}[bearer]
				t.Run(name, func(t *testing.T) {
					h := &hosts{handlers: map[string]http.Handler{}}
					reg := respelledRegistry(tc.respelled, bearer, redirect)
					h.handlers[tc.registry], h.handlers[tc.respelled] = reg, reg
					c := hostsClient(t, h, Config{Credentials: []Credential{{Host: tc.registry, Username: "u", Password: "p"}}})
					c.pageSize = 2
					got, err := c.ListTags(context.Background(), repoOf(t, tc.registry+"/acme/x"))
					if err != nil || strings.Join(got, " ") != "a1 a2 a3 a4" {
						t.Fatalf("got %v, %v; want the four tags\n%s", got, err, strings.Join(h.requests(), "\n"))
					}
				})
			}
		}
	}
}

// A tag list or manifest compressed with a Content-Encoding that was not
// asked for (net/http asks for gzip alone and decodes it), as a proxy or
// CDN may send br or zstd, fails saying so. Before, the error said only
// that the answer was not valid JSON, and to check that the address
// names a container registry.
func TestRedteam17UnaskedContentEncodingNamed(t *testing.T) {
	noDockerConfig(t)
	brotli := []byte{0x1b, 0x4a, 0x00, 0xf8, 0x25, 0x09} // compressed bytes, no JSON
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write(brotli)
	})
	_, err := newTestClient(t, Config{MaxRetries: 0}).ListTags(context.Background(), repoOf(t, s.repo()))
	if err == nil || !strings.Contains(err.Error(), `not valid JSON (it came compressed with Content-Encoding "br", which was not asked for)`) {
		t.Errorf("got %v; want the error to name the Content-Encoding", err)
	}
}

// A registry at an IPv6 loopback literal ([::1]:PORT), as written in a
// repository, with a token service on its own host and port and absolute
// Links spelled as its Host header is: read over plain HTTP (loopback),
// its credentials sent, every page. A guard (it passed): no other test
// reads a registry at an IPv6 address end to end.
func TestRedteam17IPv6LoopbackRegistry(t *testing.T) {
	noDockerConfig(t)
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	host := ln.Addr().String() // [::1]:PORT
	srv := httptest.NewUnstartedServer(respelledRegistry(host, true, false))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	c := newTestClient(t, Config{Credentials: []Credential{{Host: host, Username: "u", Password: "p"}}})
	c.pageSize = 2
	got, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/x"))
	if err != nil || strings.Join(got, " ") != "a1 a2 a3 a4" {
		t.Fatalf("got %v, %v; want the four tags", got, err)
	}
}
