package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// An answer whose connection ends inside its body (a Content-Length that
// promises more than is sent, or a reset after part of it): the request is
// retried as a network fault, and the error names the request and says the
// body was cut, where net/http's read error alone says "unexpected EOF" or
// "read tcp …: connection reset by peer" and names no request.
func TestBodyCutErrorNamesTheRequest(t *testing.T) {
	noDockerConfig(t)
	for _, reset := range []bool{false, true} {
		for _, c := range []struct {
			name, path string
			do         func(*Client, Repository) error
		}{
			{"tag list", "/v2/prefecthq/prefect/tags/list?n=1000", func(c *Client, r Repository) error {
				_, err := c.ListTags(context.Background(), r)
				return err
			}},
			{"manifest", "/v2/prefecthq/prefect/manifests/3.1.0", func(c *Client, r Repository) error {
				_, err := c.Platforms(context.Background(), r, "3.1.0")
				return err
			}},
		} {
			name := c.name + " closed"
			if reset {
				name = c.name + " reset"
			}
			t.Run(name, func(t *testing.T) {
				var asked atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/v2/" {
						return
					}
					asked.Add(1)
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						panic(err)
					}
					defer conn.Close()
					fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tags\":[\"3.1.0\"")
					_ = buf.Flush()
					if tc, ok := conn.(*net.TCPConn); ok && reset {
						_ = tc.SetLinger(0)
					}
				}))
				t.Cleanup(srv.Close)
				cl := newTestClient(t, Config{MaxRetries: 1})
				err := c.do(cl, repoOf(t, strings.TrimPrefix(srv.URL, "http://")+"/prefecthq/prefect"))
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want an *Error", err)
				}
				msg := err.Error()
				for _, want := range []string{e.Registry, "prefecthq/prefect", "GET " + c.path, "HTTP 200", "ended before its whole body arrived"} {
					if !strings.Contains(msg, want) {
						t.Errorf("the error does not say %q: %s", want, msg)
					}
				}
				if n := asked.Load(); n != 2 {
					t.Errorf("%d requests, want 2 (the first and one retry)", n)
				}
			})
		}
	}
}
