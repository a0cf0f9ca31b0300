package bench

import (
	"crypto/x509"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// ConfigureCost is what the provider's Configure does, timed cold in a fresh
// process, and what reading the system's CA roots would have added to it.
type ConfigureCost struct {
	Configure time.Duration // registry.New and resolver.New, as Configure calls them
	Roots     time.Duration // x509.SystemCertPool, cold: what New no longer pays
}

// MeasureConfigure times the provider's Configure work: building the
// registry client and the resolver, with the provider's settings. Call it
// first thing in a process, before anything reads the system's CA roots, so
// that both times are cold.
func MeasureConfigure() (ConfigureCost, error) {
	start := time.Now()
	c, err := registry.New(registry.Config{
		UserAgent:      "terraform-provider-prefectimage/bench",
		RequestTimeout: 30 * time.Second,
		MaxRetries:     3,
	})
	if err != nil {
		return ConfigureCost{}, err
	}
	resolver.New(c)
	cost := ConfigureCost{Configure: time.Since(start)}
	start = time.Now()
	if _, err := x509.SystemCertPool(); err == nil {
		cost.Roots = time.Since(start)
	}
	return cost, nil
}
