package registry

import (
	"context"
	"net/http"
	"testing"
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
