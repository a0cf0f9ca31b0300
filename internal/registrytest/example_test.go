package registrytest_test

import (
	"fmt"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A long-lived registry for a main package (the demo, the benchmarks):
// Start, Seed, serve until done, Close.
func ExampleStart() {
	r, err := registrytest.Start(registrytest.WithDefaultPageSize(100))
	if err != nil {
		panic(err)
	}
	defer r.Close()
	if err := r.Seed("prefecthq/prefect", tagcatalog.Prefect()); err != nil {
		panic(err)
	}
	d, err := r.Digest("prefecthq/prefect", "3-latest")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(d), r.Counts().Total())
	// Output: 71 0
}
