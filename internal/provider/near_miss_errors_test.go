package provider

import (
	"strings"
	"testing"
)

// Constraints written as other tools write them are refused at validate
// time with what to write here, on the attribute they were written on.
func TestConstraintNearMissesSayWhatToWrite(t *testing.T) {
	for _, c := range []struct {
		v    stringCheck
		in   string
		want string
	}{
		{versionConstraintValidator, "v3.1", `versions have no "v" prefix: write "3.1".`},
		{versionConstraintValidator, ">= v3.1", `versions have no "v" prefix: write "3.1".`},
		{versionConstraintValidator, "3.1.x", `write "==3.1.*" (PEP 440) or "~> 3.1.0" (Terraform)`},
		{versionConstraintValidator, "^3.1", `"^3.1" is a caret range (npm, Cargo, Poetry): write "~> 3.1".`},
		{versionConstraintValidator, "^3.1.2", `write ">= 3.1.2, < 4.0".`},
		{versionConstraintValidator, "^0.15", `write ">= 0.15, < 0.16".`},
		{versionConstraintValidator, "~3.1", `"~3.1" is a tilde range (npm): write "~> 3.1.0".`},
		{versionConstraintValidator, "3.1 - 3.4", `"3.1 - 3.4" is a hyphen range (npm); write ">= 3.1, <= 3.4" (3.4.0 at most) or ">= 3.1, < 3.5" (every 3.4.z).`},
		{versionConstraintValidator, ">=3.1 <3.4", `separate clauses with commas: write ">=3.1, <3.4".`},
		{versionConstraintValidator, "~> 3.1, >= 3.1.2 < 3.4", `separate clauses with commas: write ">= 3.1.2, < 3.4".`},
		{versionConstraintValidator, "python3.12", `"python3.12" names a Python, not a Prefect version: write python_version = "3.12", and a Prefect version here`},
		{pythonConstraintValidator, "python3.12", `write the version alone, such as "3.12".`},
		{pythonConstraintValidator, "v3.12", `versions have no "v" prefix: write "3.12".`},
		{pythonConstraintValidator, "~3.12", `"~3.12" is a tilde range (npm): write "3.12".`},
		{pythonConstraintValidator, "^3.11", `write "~> 3.11".`},
		{pythonConstraintValidator, "3.10 - 3.12", `"3.10 - 3.12" is a hyphen range (npm); write ">= 3.10, <= 3.12".`},
		{pythonConstraintValidator, ">=3.10 <3.13", `separate clauses with commas: write ">=3.10, <3.13".`},
	} {
		err := c.v.check(c.in)
		if err == nil {
			t.Errorf("%q: no error", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %s\nwant it to contain %s", c.in, err, c.want)
		}
	}
}
