package provider

import (
	"fmt"
	"testing"
)

// max_retries = 1.5 was read as a number and refused by the framework while
// Configure read the block: "Configuration Read Error ... This is always an
// error in the provider ... Value %!s(*big.Float=1.5) is not an integer",
// after the validators had let it pass. A count that is not whole is the
// user's error, on the attribute, before any registry is asked.
func TestAccProvider_maxRetriesNotWhole(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	expectInvalid(t, reg, func(block string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n%s\n}\n", block) +
			fmt.Sprintf(`data "prefectimage_pin" "test" {
  repository = %q
  tag        = "3.1.15-python3.12"
}`, reg.Host()+"/"+prefectRepo)
	}, []invalidCase{
		{"fraction", `max_retries = 1.5`, `(?s)Invalid Attribute Value.*max_retries = 1\.5.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: 1\.5`},
		{"fraction over the bound", `max_retries = 10.5`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: 10\.5`},
		{"negative fraction", `max_retries = -0.5`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: -0\.5`},
		{"huge", `max_retries = 1e400`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10`},
	})
}
