package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// realmMoveDouble is a registry of any repository (one tag each) whose
// 401s, the ping's included, name the token service at realm, whose tokens
// alone it takes; a token service no longer named refuses every request.
type realmMoveDouble struct {
	mu            sync.Mutex
	host, realm   string
	tokenRequests map[string]int // by token service path
	issued        int
}

func (d *realmMoveDouble) move(realm string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.realm = realm
}

func (d *realmMoveDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/token") {
		d.tokenRequests[r.URL.Path]++
		if r.URL.Path != d.realm {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"details":"this token service is retired"}`)
			return
		}
		d.issued++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":"%d@%s","expires_in":300}`, d.issued, r.URL.Path)
		return
	}
	repo, isList := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
	if !strings.HasSuffix(r.Header.Get("Authorization"), "@"+d.realm) {
		scope := ""
		if isList {
			scope = fmt.Sprintf(`,scope="repository:%s:pull"`, repo)
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s%s",service="double"%s`, d.host, d.realm, scope))
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	switch {
	case r.URL.Path == "/v2/":
	case isList:
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]any{"name": repo, "tags": []string{"3.1.15-python3.12"}})
		w.Write(b)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// A registry that moved to another token service, the old one retired,
// after one repository's handshake, is followed there by the handshakes of
// the plan's other repositories on that host too, though the host's ping,
// answered once for all of them, named the old token service: the pins of
// prefecthq/prefect-client or of a mirror beside prefecthq/prefect. The
// ping is asked again once the old token service refuses. Before, each such
// repository failed: "the registry answered HTTP 401 Unauthorized: it did
// not accept the credentials, or it requires some".
func TestTokenServiceMovedBeforeAnotherRepositorysHandshake(t *testing.T) {
	d := &realmMoveDouble{realm: "/token", tokenRequests: map[string]int{}}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	d.host = strings.TrimPrefix(srv.URL, "http://")
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	list := func(name string) error {
		repo, err := registry.ParseRepository(d.host + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := c.ListTags(context.Background(), repo)
		if err == nil && len(tags) != 1 {
			err = fmt.Errorf("%d tags, want 1", len(tags))
		}
		return err
	}
	if err := list("prefecthq/prefect"); err != nil {
		t.Fatalf("before the move: %v", err)
	}
	d.move("/token/moved")
	for _, name := range []string{"prefecthq/prefect-client", "mirror/prefect"} {
		if err := list(name); err != nil {
			t.Errorf("%s, read first after the token service moved: %v (token requests %v)", name, err, d.tokenRequests)
		}
	}
}
