package registry

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// go-containerregistry pings a loopback (or insecure) registry over HTTPS
// and then over plain HTTP, and joins the two failures with "; ". A port
// nothing listens on failed both alike, and the message said it twice:
// `Get "https://127.0.0.1:P/v2/": dial tcp 127.0.0.1:P: connect:
// connection refused; Get "http://127.0.0.1:P/v2/": dial tcp …: connect:
// connection refused`. It is said once, for both addresses.
func TestPingFailedAlikeOverBothSchemesIsSaidOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	_ = l.Close() // nothing listens there now
	err = listOnce(t, host)
	msg := err.Error()
	want := fmt.Sprintf(`Get "https://%s/v2/" and "http://%s/v2/": dial tcp %s: connect: connection refused.`, host, host, host)
	if !strings.Contains(msg, want) || strings.Count(msg, "connection refused") != 1 {
		t.Errorf("error:\n%s\nwant the failure said once:\n%s", msg, want)
	}
}

// A loopback registry that speaks plain HTTP, as they do, failed the
// HTTPS half of the ping with "server gave HTTP response to HTTPS
// client", which is no fault (a TLS problem, to the reader) and hid the
// plain HTTP answer in the middle of the text: only that answer is said.
func TestPingOfPlainHTTPRegistrySaysItsAnswerOnly(t *testing.T) {
	r := registrytest.New(t, registrytest.WithMiddleware(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	}))
	err := listOnce(t, r.Host())
	msg := err.Error()
	if strings.Contains(msg, "HTTPS client") || !strings.Contains(msg, "(GET http://"+r.Host()+"/v2/: unexpected status code 503 Service Unavailable)") {
		t.Errorf("error:\n%s\nwant the plain HTTP answer alone", msg)
	}
	if statusOf(err) != http.StatusServiceUnavailable {
		t.Errorf("the status is lost: %v", err)
	}
}

// listOnce lists prefecthq/prefect on host, anonymously and without
// retries, and returns the error.
func listOnce(t *testing.T, host string) error {
	t.Helper()
	c, err := New(Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ParseRepository(host + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTags(context.Background(), ref)
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

// A private address not listed as insecure answering HTTPS with plain
// HTTP: go-containerregistry tries plain HTTP there too, which is not sent
// ("plain HTTP not tried"), so "server gave HTTP response to HTTPS client"
// is the cause, and stays in the message.
func TestPingOfPrivatePlainHTTPRegistryKeepsItsCause(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{MaxRetries: 0})
	for _, tr := range []*http.Transport{c.verified, c.unverified} {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
		}
		tr.Proxy = nil
	}
	_, err := c.ListTags(context.Background(), repoOf(t, "10.9.8.7:5000/acme/x"))
	if err == nil || !strings.Contains(err.Error(), `Get "https://10.9.8.7:5000/v2/": http: server gave HTTP response to HTTPS client`) {
		t.Errorf("error:\n%v\nwant the HTTPS attempt's answer, the cause", err)
	}
}
