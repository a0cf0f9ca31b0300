package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// redteam56uCase is one value a platform engineer gets wrong, written on
// one attribute of one block, and what `terraform validate` must say of it:
// a diagnostic of severity on that attribute (its snippet is the
// attribute's line), whose summary and detail hold want. want "" is a value
// taken without an error.
type redteam56uCase struct {
	kind     string // block kind: `data "prefectimage_pin"`, …, "provider", "function"
	attr     string
	value    string // HCL expression
	severity string
	want     string
}

// The selector attributes' wrong values, for each block that has them.
func redteam56uSelectorCases() []redteam56uCase {
	type sel struct {
		attr, value, severity, want string
		pinOnly                     bool // not an attribute of the releases data source
	}
	sels := []sel{
		{"prefect_version", `"3.1.x"`, "error", `Invalid Prefect Version Constraint: prefect_version "3.1.x" is not a version constraint: a version has no wildcard; write "==3.1.*" (PEP 440) or "~> 3.1.0" (Terraform).`, false},
		{"prefect_version", `"3.*"`, "error", `a wildcard needs PEP 440's "==" or "!=", such as "==3.*", or use Terraform's "~> 3.0".`, false},
		{"prefect_version", `"latest"`, "error", `"latest" is a tag, not a version; leave the attribute out for the newest`, false},
		{"prefect_version", `"~>3"`, "warning", `Prefect Version Admits Later Major Releases: prefect_version "~>3" means >= 3`, false},
		{"prefect_version", `"=> 3.1"`, "error", `unknown operator "=>"; did you mean ">="?`, false},
		{"prefect_version", `"3.1,"`, "error", `empty clause: commas separate clauses, and one has nothing on one side; write "3.1".`, false},
		{"prefect_version", `">= 3.1,, < 3.4"`, "error", `empty clause: commas separate clauses, and one has nothing on one side; write ">= 3.1, < 3.4".`, false},
		{"prefect_version", `"≥3.1"`, "error", `'≥' is not an ASCII operator (a word processor's or chat tool's lookalike); write ">=3.1".`, false},
		{"prefect_version", `"≥ 3.1, ≤ 3.4.x"`, "error", `'≥' and '≤' are not ASCII operators (a word processor's or chat tool's lookalikes), and written in ASCII, ">= 3.1, <= 3.4.x", the constraint is still refused: "<= 3.4.x": a version has no wildcard; write "<= 3.4"`, false},
		{"prefect_version", `"*"`, "error", `"*" is not a version; to allow any version, leave the attribute out (or null).`, false},
		{"prefect_version", `">=3.1;<3.4"`, "error", `separate clauses with commas, not semicolons: write ">=3.1,<3.4".`, false},
		{"python_version", `"\"3.12\""`, "error", `the value holds quotes of its own; write it without them, "3.12".`, false},
		{"prefect_version", `"3.1.15rc"`, "error", `prerelease "rc" needs a number, such as rc1.`, false},
		{"prefect_version", `"3!1.0"`, "error", `version epochs (N!) are not supported, and no Prefect release has one: write "1.0".`, false},
		{"prefect_version", `"python3.12"`, "error", `"python3.12" names a Python, not a Prefect version: write python_version = "3.12"`, false},
		{"python_version", `"cp312"`, "error", `Invalid Python Version: python_version "cp312" is neither a Python version nor a constraint: "cp312" is a wheel's Python tag (CPython 3.12); python_version takes the version: write "3.12".`, false},
		{"python_version", `">=3.10.1 <3.13"`, "error", `python_version ">=3.10.1 <3.13" is neither a Python version nor a constraint: separate clauses with commas, and name each Python as major.minor, as image tags do, never with a patch number: write ">=3.10, <3.13".`, false},
		{"python_version", `"3"`, "error", `name a Python as major.minor, such as "3.12", or use a range such as ">= 3".`, false},
		{"python_version", `"3.12.1"`, "error", `image tags name Python as major.minor, such as "3.12", never a patch release.`, false},
		{"python_version", `"py3.12"`, "error", `write the version alone, such as "3.12".`, false},
		{"python_version", `"python3.12"`, "error", `write the version alone, such as "3.12".`, false},
		{"python_version", `"≥3.11"`, "error", `'≥' is not an ASCII operator (a word processor's or chat tool's lookalike); write ">=3.11".`, false},
		{"flavor", `"Conda"`, "error", `Invalid Flavor: flavor "Conda" is not a Prefect image flavor: write "conda"`, false},
		{"flavor", `"k8s"`, "error", `flavor "k8s" is not a Prefect image flavor: write "kubernetes"`, false},
		{"flavor", `"kubernetes-conda"`, "error", `flavor "kubernetes-conda" is not a Prefect image flavor: Prefect publishes no image that is both; write one of "standard", "conda" or "kubernetes"`, false},
		{"repository", `"docker.io/prefecthq/prefect:3.1.15"`, "error", `Invalid Repository: "docker.io/prefecthq/prefect:3.1.15" is not a repository: it includes a tag; write the repository alone`, false},
		{"repository", `"https://docker.io/prefecthq/prefect"`, "error", `it includes a URL scheme; write the repository without it`, false},
		{"repository", `"prefecthq/prefect@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`, "error", `it includes a digest; write the repository alone, such as prefecthq/prefect`, false},
		{"repository", `"PrefectHQ/Prefect"`, "error", `repository paths are lower case: write "prefecthq/prefect"`, false},
		{"platform", `"amd64"`, "error", `Invalid Platform: platform "amd64" is not os/arch or os/arch/variant: it names an architecture alone; write "linux/amd64"`, true},
		{"platform", `"linux/x86_64"`, "error", `names its architecture as uname does; an image index names it amd64: write linux/amd64`, true},
		{"platform", `"Linux/AMD64"`, "error", `is not in lower case, as an image index writes platforms: write "linux/amd64"`, true},
		{"platform", `"linux/arm64/"`, "error", `platform "linux/arm64/" has a slash at its start or end: write "linux/arm64"`, true},
		{"tag", `"3.1.15-python3.12@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`, "error", `Invalid Tag: tag "3.1.15-python3.12@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" is not an image tag: write the tag alone, "3.1.15-python3.12", without a repository, a digest or white space around it`, true},
		// Taken: white space around a version is trimmed, as it is read.
		{"prefect_version", `" 3.1.15 "`, "", "", false},
		{"python_version", `"3.12 "`, "", "", false},
		{"prefect_version", `"~> 3.1.15.0"`, "", "", false},
		{"prefect_version", `"3.1.15.post1"`, "", "", false},
	}
	var cases []redteam56uCase
	for _, kind := range []string{`data "prefectimage_pin"`, `resource "prefectimage_pin"`, `data "prefectimage_releases"`} {
		for _, s := range sels {
			if s.pinOnly && strings.Contains(kind, "releases") {
				continue
			}
			cases = append(cases, redteam56uCase{kind, s.attr, s.value, s.severity, s.want})
		}
	}
	cases = append(cases,
		redteam56uCase{`resource "prefectimage_pin"`, "on_drift", `"Warn"`, "error", `value must be one of: ["update" "warn" "error"], got: "Warn"`},
		redteam56uCase{"provider", "listing_timeout", `"5"`, "error", `Invalid Duration: "5" is not a positive duration: a duration needs a unit; write it like "30s" or "2m", here "5s" for seconds or "5m" for minutes`},
		redteam56uCase{"provider", "listing_timeout", `"0s"`, "error", `Invalid Duration: "0s" is not a positive duration; write it like "30s" or "2m"`},
		redteam56uCase{"provider", "listing_timeout", `"-1m"`, "error", `"-1m" is not a positive duration`},
		redteam56uCase{"provider", "request_timeout", `"5 m"`, "error", `"5 m" is not a positive duration: a duration has no white space; write "5m"`},
		redteam56uCase{"provider", "listing_timeout", `"1h1h"`, "", ""}, // Go's reading: two hours
		redteam56uCase{"provider", "max_retries", `-1`, "error", `max_retries is how many times a failed request is tried again: a whole number between 0 and 10, got: -1`},
		redteam56uCase{"provider", "repository", `"docker.io/prefecthq/prefect:3.1.15"`, "error", `it includes a tag; write the repository alone`},
		redteam56uCase{"function", "parse_tag", `provider::prefectimage::parse_tag("3.1.15-python3.12@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")`, "error", `Invalid value for "tag" parameter: "3.1.15-python3.12@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" is not a Prefect image tag`},
	)
	return cases
}

// Every wrong value above draws its diagnostic from `terraform validate`
// on the attribute it was written on, with no registry contacted and no
// crash; the values taken draw no error.
func TestAccRedteam56uBadInputOnTheAttribute(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC is not set")
	}
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	cases := redteam56uSelectorCases()
	var body strings.Builder
	body.WriteString(providerConfig(reg))
	names := make([]string, len(cases))
	for i, c := range cases {
		name := fmt.Sprintf("c%d", i)
		names[i] = name
		switch c.kind {
		case "provider":
			fmt.Fprintf(&body, "\nprovider \"prefectimage\" {\n  alias = %q\n  %s = %s\n}\n\ndata \"prefectimage_releases\" %q {\n  provider = prefectimage.%s\n}\n", name, c.attr, c.value, name, name)
		case "function":
			fmt.Fprintf(&body, "\noutput %q {\n  value = %s\n}\n", name, c.value)
		default:
			fmt.Fprintf(&body, "\n%s %q {\n  %s = %s\n}\n", c.kind, name, c.attr, c.value)
		}
	}
	s := newCLISession(t)
	s.config(body.String())
	s.must("init", "-input=false")
	out, _ := s.run("validate", "-json")
	if strings.Contains(out, "panic") || strings.Contains(out, "Plugin did not respond") {
		t.Fatalf("the provider crashed:\n%s", out)
	}
	var result struct {
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Snippet  *struct {
				Context *string `json:"context"`
				Code    string  `json:"code"`
			} `json:"snippet"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &result); err != nil {
		t.Fatalf("terraform validate -json: %v\n%s", err, out)
	}
	for i, c := range cases {
		// The block's own address or label, and the attribute's line.
		block := strings.Fields(c.kind)[0] + " " + strings.Trim(strings.TrimPrefix(c.kind, strings.Fields(c.kind)[0]), " ") + " \"" + names[i] + "\""
		switch c.kind {
		case "provider":
			block = `provider "prefectimage"`
		case "function":
			block = `output "` + names[i] + `"`
		}
		var mine []string
		found := false
		for _, d := range result.Diagnostics {
			if d.Snippet == nil || d.Snippet.Context == nil || !strings.HasPrefix(*d.Snippet.Context, block) {
				continue
			}
			code := strings.TrimSpace(d.Snippet.Code)
			line := c.attr + " = " + c.value
			if c.kind == "function" {
				line = "value = " + c.value
			}
			if code != line {
				continue
			}
			text := d.Summary + ": " + d.Detail
			mine = append(mine, d.Severity+": "+text)
			if c.want != "" && d.Severity == c.severity && strings.Contains(text, c.want) {
				found = true
			}
		}
		switch {
		case c.want == "" && len(mine) > 0:
			t.Errorf("%s %s = %s drew %q, want it taken", c.kind, c.attr, c.value, mine)
		case c.want != "" && !found:
			t.Errorf("%s %s = %s: want a %s on the attribute containing\n  %s\ngot on that line: %q", c.kind, c.attr, c.value, c.severity, c.want, mine)
		}
	}
	if n := reg.Counts().Total(); n != 0 {
		t.Errorf("validate reached the registry: %v", reg.Requests())
	}
}
