// Package bench is the harness behind `make bench` (cmd/bench): the fleet of
// pins a real configuration holds, a local registry with Docker Hub's
// latency, paging and token auth, the straightforward way as a baseline,
// terraform runs, and the report. Nothing in the provider imports it.
package bench

import (
	"fmt"
	"strings"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// Repository is the repository the benchmark registry holds.
const Repository = "prefecthq/prefect"

// Pin is one prefectimage_pin of the fleet, as written in configuration.
// Exactly one of Tag and the selector attributes is set.
type Pin struct {
	Name           string
	PrefectVersion string
	PythonVersion  string
	Flavor         string
	Tag            string
}

// Fleet returns the 20 pins of issue 6: "~> 3.8.0" for each of Python
// 3.10 to 3.14 × standard, conda and kubernetes (15); exactly 3.7.8 on 3.12
// and on 3.11 conda; "~> 2.20" on 3.11; tag "3-latest"; tag "2-latest".
func Fleet() []Pin {
	var pins []Pin
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13", "3.14"} {
		for _, f := range []string{"standard", "conda", "kubernetes"} {
			pins = append(pins, Pin{
				Name:           "p38_py" + strings.ReplaceAll(py, ".", "") + "_" + f,
				PrefectVersion: "~> 3.8.0", PythonVersion: py, Flavor: f,
			})
		}
	}
	return append(pins,
		Pin{Name: "p378_py312", PrefectVersion: "3.7.8", PythonVersion: "3.12"},
		Pin{Name: "p378_py311_conda", PrefectVersion: "3.7.8", PythonVersion: "3.11", Flavor: "conda"},
		Pin{Name: "p220_py311", PrefectVersion: "~> 2.20", PythonVersion: "3.11"},
		Pin{Name: "tag_3_latest", Tag: "3-latest"},
		Pin{Name: "tag_2_latest", Tag: "2-latest"},
	)
}

// Selector is the pin's selector; the zero Selector for a Tag pin.
func (p Pin) Selector() (prefecttag.Selector, error) {
	if p.Tag != "" {
		return prefecttag.Selector{}, nil
	}
	sel, err := prefecttag.ParseSelector(p.PrefectVersion, p.PythonVersion, p.Flavor, false)
	if err != nil {
		return prefecttag.Selector{}, fmt.Errorf("pin %s: %w", p.Name, err)
	}
	return sel, nil
}

// Request is the resolver request the provider makes for the pin.
func (p Pin) Request(repository string) (resolver.Request, error) {
	if p.Tag != "" {
		return resolver.Request{Repository: repository, Tag: p.Tag}, nil
	}
	s, err := p.Selector()
	if err != nil {
		return resolver.Request{}, err
	}
	return resolver.Request{Repository: repository, Selector: s}, nil
}

// FleetConfig is a Terraform configuration holding pins as
// prefectimage_pin resources (held in state, as real configurations pin
// images for work pools), on a provider whose repository is
// "${var.registry}/prefecthq/prefect".
func FleetConfig(pins []Pin) string {
	var b strings.Builder
	b.WriteString(providerBlock)
	for _, p := range pins {
		fmt.Fprintf(&b, "\nresource \"prefectimage_pin\" %q {\n", p.Name)
		attr := func(k, v string) {
			if v != "" {
				fmt.Fprintf(&b, "  %-15s = %q\n", k, v)
			}
		}
		attr("prefect_version", p.PrefectVersion)
		attr("python_version", p.PythonVersion)
		attr("flavor", p.Flavor)
		attr("tag", p.Tag)
		b.WriteString("}\n")
	}
	return b.String()
}

// EmptyConfig is a configuration that requires and configures the provider
// but holds no pin: its one prefectimage_pin has count = 0, which makes
// Terraform configure the provider (a configuration without any resource of
// the provider only fetches its schema).
func EmptyConfig() string {
	return providerBlock + `
resource "prefectimage_pin" "none" {
  count = 0
  tag   = "3-latest"
}
`
}

// NoProviderConfig is a configuration without the provider at all.
func NoProviderConfig() string {
	return "variable \"registry\" {\n  type = string\n}\n"
}

const providerBlock = `terraform {
  required_providers {
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

variable "registry" {
  type = string
}

provider "prefectimage" {
  repository = "${var.registry}/prefecthq/prefect"
}
`
