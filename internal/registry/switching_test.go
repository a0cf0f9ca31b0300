package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A 101 Switching Protocols answer, its connection then held open: net/http
// hands the connection over as the answer's body, which neither the
// request's timeout nor its context closes, so reading it (an error body, a
// token answer) waited for as long as the server held it. It is an error at
// once, naming the status, wherever it comes: the ping, the token service,
// a tag list, a manifest HEAD or GET.
func TestSwitchingProtocolsAnswerFailsAtOnce(t *testing.T) {
	noDockerConfig(t)
	for _, where := range []string{"ping", "token", "tag list", "manifest HEAD", "manifest GET"} {
		t.Run(where, func(t *testing.T) {
			release := make(chan struct{})
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case where == "ping" && r.URL.Path == "/v2/",
					where == "token" && r.URL.Path == "/token",
					where == "tag list" && strings.HasSuffix(r.URL.Path, "/tags/list"),
					strings.HasPrefix(where, "manifest") && strings.Contains(r.URL.Path, "/manifests/"):
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						panic(err)
					}
					defer conn.Close()
					fmt.Fprint(buf, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
					_ = buf.Flush()
					<-release
				case where == "token" && r.URL.Path == "/v2/":
					w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="registry"`, srv.URL))
					w.WriteHeader(http.StatusUnauthorized)
				case r.URL.Path == "/v2/":
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) }) // before srv.Close, which waits for its handlers
			c := newTestClient(t, Config{MaxRetries: 1, RequestTimeout: time.Second})
			repo := repoOf(t, strings.TrimPrefix(srv.URL, "http://")+"/prefecthq/prefect")
			done := make(chan error, 1)
			go func() {
				var err error
				switch where {
				case "manifest HEAD":
					_, err = c.Head(context.Background(), repo, "3.1.0")
				case "manifest GET":
					_, err = c.Platforms(context.Background(), repo, "3.1.0")
				default:
					_, err = c.ListTags(context.Background(), repo)
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("no answer 30 s after a 101 Switching Protocols, with a request timeout of 1 s")
			}
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), "101 Switching Protocols") || !strings.Contains(err.Error(), e.Registry) {
				t.Errorf("err = %v, want an *Error naming the registry and the 101 Switching Protocols answer", err)
			}
		})
	}
}
