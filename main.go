// Command terraform-provider-prefectimage serves the prefectimage Terraform
// provider: Prefect container images pinned by digest.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/provider"
)

//go:generate terraform fmt -recursive ./examples/
//go:generate go tool tfplugindocs generate --provider-name prefectimage

// version is set by goreleaser at build time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/prefectimage/prefectimage",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
