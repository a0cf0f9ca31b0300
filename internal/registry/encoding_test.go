package registry

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A tag list, a manifest or a token answer that says Content-Encoding gzip
// (which net/http asked for and decodes) but is not gzip: a proxy or CDN
// mislabelling it. The error says so, naming the request or the token
// service, and it is asked again within max_retries as any 200 unusable as
// it came. Before, a tag list or manifest failed "ended before its whole
// body arrived: gzip: invalid header" (a network fault it was not), and a
// token answer as a failed request to the token service.
func TestBodyNotGzipAsItsContentEncodingSays(t *testing.T) {
	noDockerConfig(t)
	notGzip := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
	for _, tc := range []struct {
		name, want string
		serve      func(w http.ResponseWriter, r *http.Request) bool
		call       func(c *Client, ref Repository) error
	}{
		{
			name: "tag list",
			want: "the answer to GET /v2/prefecthq/prefect/tags/list?n=1000 came with Content-Encoding gzip, but its body does not decompress as gzip",
			serve: func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/tags/list") {
					return false
				}
				notGzip(w, `{"name":"prefecthq/prefect","tags":["3.0.0"]}`)
				return true
			},
			call: func(c *Client, ref Repository) error { _, err := c.ListTags(context.Background(), ref); return err },
		},
		{
			name: "manifest",
			want: "the answer to GET /v2/prefecthq/prefect/manifests/3.0.0 came with Content-Encoding gzip, but its body does not decompress as gzip",
			serve: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/manifests/") {
					return false
				}
				notGzip(w, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`)
				return true
			},
			call: func(c *Client, ref Repository) error {
				_, err := c.Platforms(context.Background(), ref, "3.0.0")
				return err
			},
		},
		{
			name: "token answer",
			want: "the answer of the registry's token service (HOST) came with Content-Encoding gzip, but does not decompress as gzip",
			serve: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/token" {
					return false
				}
				notGzip(w, `{"token":"t0k3n","expires_in":300}`)
				return true
			},
			call: func(c *Client, ref Repository) error { _, err := c.ListTags(context.Background(), ref); return err },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked atomic.Int64
			f := newFake(t, withBearer("u", "p"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/token" && tc.name != "token answer" {
					return false
				}
				if tc.serve(w, r) {
					asked.Add(1)
					return true
				}
				return false
			}))
			f.pushIndex("prefecthq/prefect", "3.0.0")
			c := newTestClient(t, Config{MaxRetries: 2, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
			err := tc.call(c, repoOf(t, f.repo("prefecthq/prefect")))
			want := strings.ReplaceAll(tc.want, "HOST", f.host)
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "ended before") {
				t.Fatalf("got %v; want an error saying %q", err, want)
			}
			if n := asked.Load(); n != 3 {
				t.Errorf("asked %d times; want 3 (max_retries 2)", n)
			}
		})
	}
}

// A token service whose 200 is over 64 KiB, sent plain (50 MiB) or as a
// gzip bomb (32 MiB inflated): refused after reading 64 KiB of it, naming
// the token service, without asking again. Before, the error was
// go-containerregistry's "body exceeds 65536 byte limit", which names
// neither the token service nor the request.
func TestTokenAnswerOverLimitNamesTokenService(t *testing.T) {
	noDockerConfig(t)
	token := func(n int) []byte {
		return append(append([]byte(`{"token":"`), bytes.Repeat([]byte("a"), n)...), `"}`...)
	}
	plain, bomb := token(50<<20), gzipped(t, token(32<<20))
	for name, serve := range map[string]func(w http.ResponseWriter){
		"plain": func(w http.ResponseWriter) { _, _ = w.Write(plain) },
		"gzip bomb": func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, withBearer("u", "p"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/token" {
					w.Header().Set("Content-Type", "application/json")
					serve(w)
					return true
				}
				return false
			}))
			f.setTags("prefecthq/prefect", []string{"3.0.0"})
			c := newTestClient(t, Config{MaxRetries: 2, RequestTimeout: slowBodyTimeout, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
			want := "the answer of the registry's token service (" + f.host + ") is larger than 64 KiB"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v; want an error saying %q", err, want)
			}
			if n := f.count("token"); n != 1 {
				t.Errorf("%d token requests; want 1, not asked again", n)
			}
		})
	}
}

// An error answer of the handshake (the ping's 401 with its challenge, the
// token service's 401 or 503) whose body says Content-Encoding gzip but is
// not gzip: the body is dropped and the status kept, as for the Client's
// own requests (statusErrorOf). Before, the handshake failed on the body,
// "Get …/v2/: gzip: invalid header", so that no request of such a
// registry could be made, a refusal of the credentials was no refusal, and
// a 503 was not retried. A tag list's 404 so is a guard (it passed).
func TestErrorAnswerNotGzipKeepsItsStatus(t *testing.T) {
	noDockerConfig(t)
	refuse := func(w http.ResponseWriter, status int) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"errors":[{"code":"DENIED","message":"no"}]}`))
	}
	for _, tc := range []struct {
		name   string
		hook   func(w http.ResponseWriter, r *http.Request) bool
		check  func(t *testing.T, tags []string, err error)
		tokens int
	}{
		{
			name: "ping 401",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/v2/" || r.Header.Get("Authorization") != "" {
					return false
				}
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="fake"`, r.Host))
				refuse(w, http.StatusUnauthorized)
				return true
			},
			check: func(t *testing.T, tags []string, err error) {
				if err != nil || strings.Join(tags, " ") != "3.0.0 3.0.1" {
					t.Errorf("got %v, %v; want both tags, read with a token", tags, err)
				}
			},
			tokens: 1,
		},
		{
			name: "token 401",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/token" {
					return false
				}
				refuse(w, http.StatusUnauthorized)
				return true
			},
			check: func(t *testing.T, _ []string, err error) {
				if !IsUnauthorized(err) {
					t.Errorf("got %v; want a refusal of the credentials", err)
				}
			},
			tokens: 1,
		},
		{
			name: "token 503",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/token" {
					return false
				}
				refuse(w, http.StatusServiceUnavailable)
				return true
			},
			check: func(t *testing.T, _ []string, err error) {
				if anyStatusOf(err) != http.StatusServiceUnavailable {
					t.Errorf("got %v; want the token service's 503", err)
				}
			},
			tokens: 3,
		},
		{
			name: "tag list 404",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/tags/list") || r.Header.Get("Authorization") == "" {
					return false
				}
				refuse(w, http.StatusNotFound)
				return true
			},
			check: func(t *testing.T, _ []string, err error) {
				if !IsNotFound(err) {
					t.Errorf("got %v; want not found", err)
				}
			},
			tokens: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, withBearer("u", "p"), withHook(tc.hook))
			f.setTags("prefecthq/prefect", []string{"3.0.0", "3.0.1"})
			c := newTestClient(t, Config{MaxRetries: 2, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
			c.sleep = func(context.Context, time.Duration) error { return nil }
			tags, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
			tc.check(t, tags, err)
			if n := f.count("token"); n != tc.tokens {
				t.Errorf("%d token requests; want %d", n, tc.tokens)
			}
		})
	}
}

// A guard (it passed): gzip-compressed answers are bounded as they inflate,
// at the bounds of a plain body. A manifest of exactly 16 MiB inflated is
// read and pinned, one byte more is refused once saying so, each sent as a
// few KiB of gzip; a 404 whose body inflates to 20 MiB is read to 64 KiB,
// dropped, and still says not found. (A tag list's 64 MiB and page bounds:
// TestRedteam14GzipTagListCountedInflated.)
func TestGzipAnswersBoundedAsInflated(t *testing.T) {
	noDockerConfig(t)
	pre := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]`
	manifestOf := func(size int) []byte {
		return []byte(pre + strings.Repeat(" ", size-len(pre)-1) + "}")
	}
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{{"16 MiB", maxBodySize, true}, {"16 MiB and a byte", maxBodySize + 1, false}} {
		t.Run("manifest "+tc.name, func(t *testing.T) {
			body := manifestOf(tc.size)
			zipped := gzipped(t, body)
			var gets atomic.Int64
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.Contains(r.URL.Path, "/manifests/") {
					return false
				}
				if r.Method != http.MethodGet {
					w.WriteHeader(http.StatusMethodNotAllowed) // asked again with GET
					return true
				}
				gets.Add(1)
				w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
				w.Header().Set("Docker-Content-Digest", sha(body))
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(zipped)
				return true
			}))
			c := newTestClient(t, Config{MaxRetries: 2, RequestTimeout: slowBodyTimeout})
			d, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3.0.0")
			if tc.ok && (err != nil || d.Digest != sha(body)) {
				t.Errorf("a %d KiB gzip of a %d-byte manifest gave %v, %v; want its digest", len(zipped)>>10, len(body), d.Digest, err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") || gets.Load() != 1) {
				t.Errorf("a %d KiB gzip of a %d-byte manifest gave %v after %d GETs; want a refusal after 1", len(zipped)>>10, len(body), err, gets.Load())
			}
		})
	}
	t.Run("error body", func(t *testing.T) {
		zipped := gzipped(t, bytes.Repeat([]byte(" "), 20<<20))
		s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(zipped)
		})
		_, err := newTestClient(t, Config{MaxRetries: 2, RequestTimeout: slowBodyTimeout}).ListTags(context.Background(), repoOf(t, s.repo()))
		if !IsNotFound(err) || s.lists.Load() != 1 {
			t.Errorf("got %v after %d requests; want not found after 1", err, s.lists.Load())
		}
	})
}
