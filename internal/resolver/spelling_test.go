package resolver

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Two pins of one plan on one repository written two ways (the host in
// another case: localhost:PORT and LOCALHOST:PORT) share everything a
// plan's pins of one spelling share: the registry client's ping, token,
// listing and HEAD (counted at the registry), and the Resolver's parse of
// the listing (counted in allocations, as TestResolveParsesEachListingOnce
// does). Before, the parse was keyed on the repository as written, and the
// second spelling parsed every release tag again.
func TestResolveRespelledRepositorySharesEverything(t *testing.T) {
	tags := tagcatalog.Prefect()
	reg := registrytest.Prefect(t, registrytest.WithBasicAuth("u", "p"))
	_, port, _ := strings.Cut(reg.Host(), ":")
	lower := "localhost:" + port + "/prefecthq/prefect"
	upper := "LOCALHOST:" + port + "/prefecthq/prefect"
	ctx := context.Background()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	c, err := registry.New(registry.Config{
		Keychain:    authn.NewMultiKeychain(),
		MaxRetries:  registry.UseDefaultRetries,
		Credentials: []registry.Credential{{Host: "localhost:" + port, Username: "u", Password: "p"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := New(c)
	sel := selector(t, "", "3.12", "")
	first, err := r.Resolve(ctx, Request{Repository: lower, Selector: sel})
	if err != nil {
		t.Fatal(err)
	}
	once := reg.Counts()
	reg.ResetCounts()
	var second Pin
	parse := allocsOnce(func() { prefecttag.NewCatalog(tags) })
	respelled := allocsOnce(func() { second, err = r.Resolve(ctx, Request{Repository: upper, Selector: sel}) })
	if err != nil {
		t.Fatal(err)
	}
	if again := reg.Counts(); again.Total() != 0 {
		t.Errorf("the same pin spelled %s after %s sent %+v (the first sent %+v); want nothing: the requests were made again for another spelling", upper, lower, again, once)
	}
	if first.Digest != second.Digest || first.Tag != second.Tag {
		t.Errorf("%s picked %s@%s, %s picked %s@%s", lower, first.Tag, first.Digest, upper, second.Tag, second.Digest)
	}
	if !strings.HasPrefix(second.Ref, upper+"@") {
		t.Errorf("ref %q does not quote the repository as written, %s", second.Ref, upper)
	}
	if respelled > parse/10 {
		t.Errorf("the same pin spelled %s after %s allocates %d times; parsing the listing's %d tags allocates %d: it parses the listing again for another spelling", upper, lower, respelled, len(tags), parse)
	}
}

// allocsOnce is the number of allocations one call of f makes.
func allocsOnce(f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}
