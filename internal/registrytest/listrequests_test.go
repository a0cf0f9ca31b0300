package registrytest_test

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// ListRequests counts, from a registry client's debug lines, the tag list
// requests the registry served, failed ones too, and nothing else (the
// ping, a HEAD): it stays true to the client's wording of those lines.
func TestListRequestsCountsWhatTheServerServed(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	reg := registrytest.New(t, registrytest.WithDefaultPageSize(2))
	if err := reg.Seed("prefecthq/prefect", []string{"3.1.0-python3.12", "3.1.1-python3.12", "3.1.2-python3.12", "3.2.0-python3.12", "3.2.1-python3.12"}); err != nil {
		t.Fatal(err)
	}
	count := &registrytest.ListRequests{}
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), Logger: count})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, repo := range []string{"prefecthq/prefect", "prefecthq/nosuch"} {
		ref, err := registry.ParseRepository(reg.Host() + "/" + repo)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.ListTags(ctx, ref)
		_, _ = c.Head(ctx, ref, "3.2.1-python3.12")
	}
	if got, want := count.Take(), reg.Counts().ListPage; got != want || want < 3 {
		t.Errorf("ListRequests counted %d tag list requests; the registry served %d", got, want)
	}
	if got := count.Take(); got != 0 {
		t.Errorf("Take after Take = %d, want 0", got)
	}
}
