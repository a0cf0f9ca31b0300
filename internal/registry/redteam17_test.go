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
// request once) by an absolute URL whose host is respelled.
func respelledRegistry(respelled string, bearer, redirect bool) http.Handler {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))
	tags := []string{"a1", "a2", "a3", "a4"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if r.Header.Get("Authorization") != basic {
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "bad credentials")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"token": "tok123"})
			return
		}
		if want := map[bool]string{false: basic, true: "Bearer tok123"}[bearer]; r.Header.Get("Authorization") != want {
			w.Header().Set("WWW-Authenticate", map[bool]string{false: `Basic realm="reg"`, true: `Bearer realm="https://` + r.Host + `/token",service="reg"`}[bearer])
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		q := r.URL.Query()
		if redirect && q.Get("via") == "" {
			q.Set("via", "1")
			http.Redirect(w, r, "https://"+respelled+r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
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
			w.Header().Set("Link", `<https://`+respelled+r.URL.Path+`?n=2&last=`+url.QueryEscape(tags[end-1])+`>; rel="next"`)
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

// A registry at a private address whose challenge names a token service
// (realm) on its own host and port, spelled with the default port
// (Artifactory's https://host:443/artifactory/api/docker/…/v2/token,
// containerd/nerdctl#4244) or in another case, is read. Before,
// go-containerregistry, which allows a private address only as the
// registry's host and port spelled exactly as it addresses them, refused
// it, and the error said to serve the token service on the registry's
// host and port, where it was.
func TestRedteam17RealmOnOwnHostRespelled(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct{ registry, realmHost string }{
		{"10.1.2.3", "10.1.2.3:443"},
		{"10.1.2.3:443", "10.1.2.3"},
		{"[fd00::a]:5000", "[FD00::A]:5000"},
	} {
		t.Run(tc.registry+" realm "+tc.realmHost, func(t *testing.T) {
			h := &hosts{handlers: map[string]http.Handler{}}
			reg := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/artifactory/api/docker/virtual/v2/token" {
					writeJSON(w, http.StatusOK, map[string]any{"token": "t"})
					return
				}
				if r.Header.Get("Authorization") != "Bearer t" {
					w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+tc.realmHost+`/artifactory/api/docker/virtual/v2/token",service="`+tc.realmHost+`"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
					return
				}
				listTwoTags(w, r)
			})
			h.handlers[tc.registry], h.handlers[tc.realmHost] = reg, reg
			got, err := hostsClient(t, h, Config{}).ListTags(context.Background(), repoOf(t, tc.registry+"/virtual/prefect"))
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v, %v; want the two tags", got, err)
			}
		})
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
// Links spelled as the registry's Host header is: read over plain HTTP
// (loopback), its credentials sent, every page. A guard (it passed): no
// other test reads a registry at an IPv6 address end to end.
func TestRedteam17IPv6LoopbackRegistry(t *testing.T) {
	noDockerConfig(t)
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	tags := []string{"a1", "a2", "a3"}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			u, p, _ := r.BasicAuth()
			if u != "u" || p != "p" {
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "bad credentials")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"token": "tok6"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok6" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="reg6"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		start := 0
		for i, tag := range tags {
			if tag == r.URL.Query().Get("last") {
				start = i + 1
			}
		}
		end := min(start+2, len(tags))
		if end < len(tags) {
			w.Header().Set("Link", `<http://`+r.Host+r.URL.Path+`?n=2&last=`+tags[end-1]+`>; rel="next"`)
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "acme/x", "tags": tags[start:end]})
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	host := ln.Addr().String() // [::1]:PORT
	c := newTestClient(t, Config{Credentials: []Credential{{Host: host, Username: "u", Password: "p"}}})
	c.pageSize = 2
	got, err := c.ListTags(context.Background(), repoOf(t, host+"/acme/x"))
	if err != nil || strings.Join(got, " ") != "a1 a2 a3" {
		t.Fatalf("got %v, %v; want the three tags", got, err)
	}
}
