// Command listingprovider serves this provider with another way of listing
// tags (resolver.WithListing), for the benchmark's comparison builds. The
// benchmark picks the way at link time:
//
//	go build -ldflags "-X main.listing=releases" ./internal/bench/listingprovider
//
// The shipped provider (the repository's main package) has no such switch.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/provider"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// listing is "spans" (the provider's own), "releases" or "sequential".
var listing = "spans"

func main() {
	ways := map[string]resolver.Listing{
		"spans": resolver.ListSpans, "releases": resolver.ListReleases, "sequential": resolver.ListSequential,
	}
	way, ok := ways[listing]
	if !ok {
		log.Fatalf("listingprovider: unknown listing %q", listing)
	}
	err := providerserver.Serve(context.Background(), provider.New("bench", resolver.WithListing(way)), providerserver.ServeOpts{
		Address: "registry.terraform.io/prefectimage/prefectimage",
	})
	if err != nil {
		log.Fatal(err)
	}
}
