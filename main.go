package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/applinks-iac/terraform-provider-applinks/internal/provider"
)

// Set by goreleaser through ldflags.
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version, commit), providerserver.ServeOpts{
		Address: "registry.terraform.io/applinks-iac/applinks",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
