package provider

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// Validators run at `terraform validate`, before any registry is contacted.
// Each one checks a single known string and says what a good value looks like.

var _ validator.List = hostListValidator{}

// stringCheck is a validator.String made of a check on one known string;
// its error becomes the detail of an attribute error titled summary.
type stringCheck struct {
	description string
	summary     string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

// blankMeans is v, but a blank value gets advice of its own: leaving an
// attribute out means one thing for a pin and another elsewhere.
func blankMeans(v stringCheck, advice string) stringCheck {
	check := v.check
	v.check = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(advice)
		}
		return check(s)
	}
	return v
}

// The validators of the pin's (and the releases data source's)
// attributes whose blank value would otherwise read as a malformed one:
// leaving them out (or null) is what a blank is meant to say.
var (
	selectorRepositoryValidator = blankMeans(repositoryValidator,
		`repository is blank; leave it out (or null) for the provider's repository, or write one such as "ghcr.io/acme/prefect"`)
	pinFlavorValidator = blankMeans(flavorValidator,
		`flavor is blank; leave it out (or null) for "standard", or write "standard", "conda" or "kubernetes"`)
	pinTagValidator = blankMeans(tagValidator,
		`tag is blank; leave it out (or null) to select with prefect_version, python_version and flavor, or write one tag such as "3-latest"`)
	pinPlatformValidator = blankMeans(platformValidator,
		`platform is blank; leave it out (or null) for no platform's manifest, or write one such as "linux/amd64"`)
)

// notRepositoryCause is why ParseRepository refused s, in words that follow
// `"s" is not a repository: `: the parser's own words name s and mostly say
// what to write, so s is not named again; where they say nothing to write,
// the general advice follows if general is set.
func notRepositoryCause(s string, err error, general bool) string {
	cause := err.Error()
	if rest, ok := strings.CutPrefix(cause, strconv.Quote(s)+" "); ok {
		cause = "it " + rest
	} else {
		cause = strings.TrimPrefix(cause, strconv.Quote(s)+": ")
	}
	if general && !strings.Contains(cause, "write ") {
		cause += ". Write it as prefecthq/prefect, ghcr.io/acme/prefect or 127.0.0.1:5000/prefecthq/prefect, without a tag or digest (use tag for a tag)"
	}
	return cause
}

var repositoryValidator = stringCheck{
	description: "must be a repository such as prefecthq/prefect, ghcr.io/acme/prefect or 127.0.0.1:5000/prefecthq/prefect, without tag or digest",
	summary:     "Invalid Repository",
	check: func(s string) error {
		_, err := registry.ParseRepository(s)
		if err == nil {
			return nil
		}
		if registry.HasCredentials(s) {
			return fmt.Errorf("%w, in a registry_auth block", err) // without quoting s
		}
		return fmt.Errorf("%q is not a repository: %s", s, notRepositoryCause(s, err, true))
	},
}

var versionConstraintValidator = stringCheck{
	description: "must be a version constraint in Terraform syntax (~> 3.4, >= 3.1, < 3.4) or PEP 440 syntax (==3.1.*, ~=3.1.2)",
	summary:     "Invalid Prefect Version Constraint",
	check: func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("prefect_version is blank; leave it out for the newest stable release, or write a constraint such as \"~> 3.4\"")
		}
		if _, err := prefecttag.ParseConstraint(s); err != nil {
			return fmt.Errorf("prefect_version %q is not a version constraint: %s Examples: \"~> 3.4\", \">= 3.1, < 3.4\", \"3.1.15\", \"==3.1.*\", \"~=3.1.2\"", s, causeOf(err, s))
		}
		return nil
	},
}

var pythonConstraintValidator = stringCheck{
	description: "must be a Python version (3.12) or a constraint (>= 3.11)",
	summary:     "Invalid Python Version",
	check: func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("python_version is blank; leave it out for the highest Python published, or write a version such as \"3.12\"")
		}
		if _, err := prefecttag.ParsePythonConstraint(s); err != nil {
			return fmt.Errorf("python_version %q is neither a Python version nor a constraint: %s Examples: \"3.12\", \">= 3.11\", \">=3.10,<3.13\"", s, causeOf(err, s))
		}
		return nil
	},
}

// causeOf is what a constraint's parse error says past the value: the
// parser names the value ("invalid version constraint %q: …"), and names
// a clause that is the whole value once more, while the validator's own
// words have named it already.
func causeOf(err error, s string) string {
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	// A value of one clause that is a version alone is named by the
	// parser again, as the clause or as the version ("latest").
	quoted := strconv.Quote(strings.TrimSpace(s))
	cause := strings.TrimPrefix(strings.TrimPrefix(err.Error(), quoted+": "), "version "+quoted+": ")
	// The cause is followed by a sentence: end it once ("did you mean
	// \">=\"?", not "?.").
	if !strings.HasSuffix(cause, ".") && !strings.HasSuffix(cause, "?") {
		cause += "."
	}
	return cause
}

var flavorValidator = stringCheck{
	description: "must be standard, conda or kubernetes",
	summary:     "Invalid Flavor",
	check: func(s string) error {
		if _, err := prefecttag.ParseFlavor(s); err == nil {
			return nil
		}
		lower := strings.ToLower(strings.TrimSpace(s))
		if f, err := prefecttag.ParseFlavor(lower); err == nil {
			return fmt.Errorf("flavor %q is not a Prefect image flavor: write %q", s, f)
		}
		// Kubernetes' own short names, and a tag's suffix ("-conda").
		switch lower = strings.TrimPrefix(lower, "-"); lower {
		case "k8s", "kube":
			return fmt.Errorf("flavor %q is not a Prefect image flavor: write %q", s, prefecttag.FlavorKubernetes)
		case "conda", "kubernetes":
			return fmt.Errorf("flavor %q is not a Prefect image flavor: write %q, without the tag's hyphen", s, lower)
		case "kubernetes-conda", "conda-kubernetes":
			return fmt.Errorf("flavor %q is not a Prefect image flavor: Prefect publishes no image that is both; write one of %q, %q or %q",
				s, prefecttag.FlavorStandard, prefecttag.FlavorConda, prefecttag.FlavorKubernetes)
		}
		return fmt.Errorf("flavor %q is not a Prefect image flavor: write one of %q, %q or %q",
			s, prefecttag.FlavorStandard, prefecttag.FlavorConda, prefecttag.FlavorKubernetes)
	},
}

var platformValidator = stringCheck{
	description: "must be os/arch or os/arch/variant, such as linux/amd64 or linux/arm64/v8",
	summary:     "Invalid Platform",
	check:       checkPlatform,
}

// checkPlatform checks a platform as an image index writes it.
func checkPlatform(s string) error {
	// Docker and containerd lower-case what they are given (Linux/AMD64
	// pulls linux/amd64), and split(",", "linux/amd64, linux/arm64")
	// keeps the space after the comma: say what to write.
	if fixed := strings.ToLower(strings.TrimSpace(s)); fixed != s && fixed != "" && checkPlatform(fixed) == nil {
		var why []string
		if strings.TrimSpace(s) != s {
			why = append(why, "has white space around it (split() keeps the spaces after commas, file() a last line break: trimspace() each)")
		}
		if strings.ToLower(s) != s {
			why = append(why, "is not in lower case, as an image index writes platforms")
		}
		return fmt.Errorf("platform %q %s: write %q", s, strings.Join(why, " and "), fixed)
	}
	// A list where one platform goes, a slash too many, or an
	// architecture alone: what to write.
	if strings.Contains(s, ",") {
		return fmt.Errorf("platform %q is not os/arch or os/arch/variant: platform takes one platform, in lower case, such as linux/amd64; for several the image must provide, write required_platforms = [%s]", s, quotedList(strings.Split(s, ",")))
	}
	if trimmed := strings.Trim(s, "/"); trimmed != s && trimmed != "" && checkPlatform(trimmed) == nil {
		return fmt.Errorf("platform %q has a slash at its start or end: write %q", s, trimmed)
	}
	if !strings.Contains(s, "/") {
		arch := s
		if alias, ok := archAliases[s]; ok {
			arch = alias
		}
		if checkPlatform("linux/"+arch) == nil && knownArch[strings.SplitN(arch, "/", 2)[0]] {
			return fmt.Errorf("platform %q is not os/arch or os/arch/variant: it names an architecture alone; write %q", s, "linux/"+arch)
		}
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("platform %q is not os/arch or os/arch/variant; write it like linux/amd64 or linux/arm64/v8", s)
	}
	// An os.version, as containerd writes one (windows(10.0.20348)/amd64)
	// and platform_digests keys an index entry that says one: a Windows
	// image of that version.
	if os, version, ok := strings.Cut(parts[0], "("); ok {
		version, closed := strings.CutSuffix(version, ")")
		if !closed || !osVersion.MatchString(version) {
			return fmt.Errorf("platform %q has an OS version that is not one such as windows(10.0.20348)/amd64: write the version of dot-separated numbers in parentheses after the OS, or leave it out", s)
		}
		parts[0] = os
	}
	for _, p := range parts {
		if !platformPart.MatchString(p) {
			return fmt.Errorf("platform %q has an empty or malformed part %q; write one platform, like linux/amd64 or linux/arm64/v8, in lower case", s, p)
		}
	}
	// Names that match no image index entry, so that a platform
	// written so was "not published" by every image.
	os, arch := parts[0], parts[1]
	if os == "unknown" || arch == "unknown" {
		return fmt.Errorf("platform %q is how an image index marks attestation manifests, not a platform; write one such as linux/amd64", s)
	}
	if _, ok := archAliases[os]; ok {
		return fmt.Errorf("platform %q names an architecture where the OS goes; write os/arch, such as linux/amd64", s)
	}
	if _, ok := osAliases[arch]; ok {
		return fmt.Errorf("platform %q names an OS where the architecture goes; write os/arch, such as darwin/arm64", s)
	}
	// What to write instead, every part corrected at once: the advice
	// for one part must not be refused for another (macos/x86_64 is
	// darwin/amd64, not darwin/x86_64).
	fixed := os + "/" + strings.Join(parts[1:], "/")
	if alias, ok := archAliases[arch]; ok {
		fixed = os + "/" + alias
	} else if len(parts) == 3 && osVersion.MatchString(parts[2]) {
		fixed = os + "/" + arch
	}
	if alias, ok := osAliases[os]; ok {
		return fmt.Errorf("platform %q names its OS as uname does; an image index names it %s: write %s", s, alias, alias+strings.TrimPrefix(fixed, os))
	}
	if alias, ok := archAliases[arch]; ok {
		return fmt.Errorf("platform %q names its architecture as uname does; an image index names it %s: write %s", s, alias, fixed)
	}
	if len(parts) == 3 && osVersion.MatchString(parts[2]) {
		return fmt.Errorf("platform %q ends in what looks like an OS version, which goes in parentheses after the OS, as containerd writes it (%s alone is any version's image); for that version's: write %s(%s)/%s", s, fixed, os, parts[2], arch)
	}
	return nil
}

// quotedList is items trimmed and quoted, comma-separated, as HCL writes
// a list's elements.
func quotedList(items []string) string {
	quoted := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			quoted = append(quoted, strconv.Quote(it))
		}
	}
	return strings.Join(quoted, ", ")
}

// knownArch is the architectures an image index names (GOARCH's), for
// advice on one written alone.
var knownArch = map[string]bool{
	"amd64": true, "arm64": true, "arm": true, "386": true, "ppc64le": true, "s390x": true, "riscv64": true, "mips64le": true,
}

var (
	platformPart = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	// osVersion is a Windows os.version (10.0.17763), never a variant.
	osVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+){2,}$`)
	// osAliases and archAliases are names docker and containerd take
	// for an image index's own (containerd's platforms.Normalize); an
	// index never says them.
	osAliases   = map[string]string{"macos": "darwin"}
	archAliases = map[string]string{
		"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "i386": "386",
		"armhf": "arm/v7", "armel": "arm/v6",
	}
)

var tagValidator = stringCheck{
	description: "must be an image tag: letters, digits, _ . -, at most 128 characters, not starting with . or -",
	summary:     "Invalid Tag",
	check: func(s string) error {
		if registry.ValidateTag(s) != nil {
			if only := tagAlone(s); only != "" {
				return fmt.Errorf("tag %q is not an image tag: write the tag alone, %q, without a repository, a digest or white space around it", s, only)
			}
			return fmt.Errorf("tag %q is not an image tag: a tag is 1 to 128 letters, digits, '_', '.' or '-', and does not start with '.' or '-'; write only the tag (3-latest), not the repository or a digest", s)
		}
		return nil
	},
}

// tagAlone is the tag inside s, a reference or a tag with white space
// around it ("prefecthq/prefect:3.1.15-python3.12@sha256:…",
// " 3-latest"), when it differs from s and is a tag; "" otherwise.
func tagAlone(s string) string {
	t := strings.TrimSpace(s)
	t, _, _ = strings.Cut(t, "@")
	if i := strings.LastIndexByte(t, '/'); i >= 0 {
		t = t[i+1:]
		// A repository without a tag names none.
		if _, after, ok := strings.Cut(t, ":"); ok {
			t = after
		} else {
			return ""
		}
	} else if _, after, ok := strings.Cut(t, ":"); ok {
		// "registry.internal:5000" is a host and its port, not a tag.
		if strings.Trim(after, "0123456789") == "" {
			return ""
		}
		t = after
	}
	if t == s || registry.ValidateTag(t) != nil {
		return ""
	}
	return t
}

// maxMaxRetries is the most max_retries may be.
const maxMaxRetries = 10

// maxRetriesValidator refuses a max_retries that is not a whole number from
// 0 to maxMaxRetries, 1.5 among them, on the attribute.
type maxRetriesValidator struct{}

func (maxRetriesValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a whole number between 0 and %d", maxMaxRetries)
}

func (v maxRetriesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (maxRetriesValidator) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	if n, acc := f.Int64(); acc == big.Exact && n >= 0 && n <= maxMaxRetries {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
		fmt.Sprintf("max_retries is how many times a failed request is tried again: a whole number between 0 and %d, got: %s",
			maxMaxRetries, f.Text('g', -1)))
}

var durationValidator = stringCheck{
	description: "must be a positive Go duration such as 30s or 2m",
	summary:     "Invalid Duration",
	check: func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			// A number without a unit: seconds and minutes alike
			// are what it might have meant.
			if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && n > 0 {
				t := strings.TrimSpace(s)
				return fmt.Errorf("%q is not a positive duration: a duration needs a unit; write it like \"30s\" or \"2m\", here %q for seconds or %q for minutes", s, t+"s", t+"m")
			}
			if t := strings.Join(strings.Fields(s), ""); t != s {
				if d, err := time.ParseDuration(t); err == nil && d > 0 {
					return fmt.Errorf("%q is not a positive duration: a duration has no white space; write %q, like \"30s\" or \"2m\"", s, t)
				}
			}
			return fmt.Errorf("%q is not a positive duration; write it like \"30s\" or \"2m\"", s)
		}
		return nil
	},
}

var pemValidator = stringCheck{
	description: "must hold at least one PEM-encoded X.509 certificate",
	summary:     "Invalid CA Certificate",
	check: func(s string) error {
		rest, found, blocks := []byte(s), 0, 0
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			blocks++
			if block.Type != "CERTIFICATE" {
				continue
			}
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return fmt.Errorf("ca_certificate_pem holds a certificate that does not parse: %w", err)
			}
			found++
		}
		if found == 0 {
			return fmt.Errorf("ca_certificate_pem holds no PEM \"CERTIFICATE\" block; pass the CA's certificate, for example file(\"corp-ca.pem\")")
		}
		// pem.Decode passes over a block cut short or with damaged
		// base64, and so would the trust store: that CA would go
		// untrusted in silence.
		if begun := strings.Count(s, "-----BEGIN "); begun > blocks {
			return fmt.Errorf("ca_certificate_pem holds %d PEM blocks (-----BEGIN), of which %d can be read: one is cut short or damaged; pass each certificate whole, for example file(\"corp-ca.pem\")", begun, blocks)
		}
		return nil
	},
}

// credentialLineValidator refuses a registry_auth username or password
// that starts or ends in a line break: what file() reads from a token
// file, where docker login --password-stdin drops the last one. The value
// is never quoted.
func credentialLineValidator(attr string) stringCheck {
	return stringCheck{
		description: "must not start or end in a line break",
		summary:     "Invalid Registry Credentials",
		check: func(s string) error {
			if strings.Trim(s, "\r\n") != s {
				return fmt.Errorf("the registry_auth %s ends in a line break (or starts with one), which a registry takes as part of it and refuses; "+
					"file() keeps a file's last line break, so write trimspace(file(\"...\"))", attr)
			}
			return nil
		},
	}
}

var hostValidator = stringCheck{
	description: "must be a registry host such as ghcr.io or registry.internal:5000, without scheme or path",
	summary:     "Invalid Registry Host",
	check: func(s string) error {
		// validHost's advice for credentials is another block's: this
		// is a registry_auth block's address.
		if registry.HasCredentials(s) {
			return errors.New("the address holds credentials (user:password@ or token@ before the host); write the host alone in address, such as ghcr.io or registry.internal:5000, " +
				"and the user name and password in this registry_auth block's username and password")
		}
		return validHost(s)
	},
}

// validHost accepts host or host:port, without a scheme or path, as a
// repository can name it (or a bare IPv6 address, which the registry
// client reads as bracketed): any other string matches no registry.
func validHost(s string) error {
	if registry.HasCredentials(s) {
		return errors.New("the host holds credentials (user:password@ or token@ before it); write the host alone, such as ghcr.io or registry.internal:5000, and give the user name and password in a registry_auth block")
	}
	const advice = "write the host alone, such as registry-1.docker.io, ghcr.io or registry.internal:5000 (no https://, no path, no wildcard: one host each)"
	if _, _, err := net.ParseCIDR(s); err == nil {
		// docker's daemon.json takes ranges in insecure-registries.
		return fmt.Errorf("%q is a CIDR range, which docker's daemon.json takes but this provider does not: each entry is one registry host; %s", s, advice)
	}
	if s == "" || strings.ContainsAny(s, "/ @") {
		return fmt.Errorf("%q is not a registry host; %s", s, advice)
	}
	h := s
	if registry.IsBareIPv6(s) {
		// Read as bracketed, as the registry client reads it: one a
		// repository can name between brackets (not an IPv4-mapped one).
		h = "[" + s + "]"
	}
	if err := registry.CheckHost(h); err != nil {
		return fmt.Errorf("%q is not a registry host (%w); %s", s, err, advice)
	}
	// A repository's whole name, host included, is at most 255 characters:
	// a longer host could name none, so its entry would match nothing.
	if len(h) > maxHostLen {
		return fmt.Errorf("%q is %d characters long, and a repository's whole name, host included, is at most %d, so no repository can be on it; %s", s, len(h), registry.MaxRepositoryLen, advice)
	}
	return nil
}

// maxHostLen is the longest host a repository can name: a whole name,
// less a '/' and one character of path.
const maxHostLen = registry.MaxRepositoryLen - 2

type hostListValidator struct{}

func (hostListValidator) Description(context.Context) string {
	return "each element must be a registry host such as registry.internal:5000"
}
func (v hostListValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v hostListValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if err := validHost(s.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid Registry Host", err.Error())
		}
	}
}

// pythonWrittenAsNumber warns about python_version "3.1": what Terraform
// makes of 3.10 written without quotes, a number. No Prefect image is built
// for Python 3.1, so a pin fails to match and a releases listing is empty,
// silently, and a check block built on it would pass forever.
type pythonWrittenAsNumber struct{}

func (pythonWrittenAsNumber) Description(context.Context) string {
	return "warns about Python 3.1, which is 3.10 written without quotes"
}

func (v pythonWrittenAsNumber) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (pythonWrittenAsNumber) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	py, err := prefecttag.ParsePythonConstraint(req.ConfigValue.ValueString())
	if err != nil {
		return // the other validator says so
	}
	if exact, ok := py.Exact(); ok && exact == (prefecttag.Python{Major: 3, Minor: 1}) {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Python 3.1 Has No Prefect Image",
			`python_version is 3.1, and Prefect publishes no image for Python 3.1, so nothing will match. `+
				`Terraform reads python_version = 3.10 written without quotes as the number 3.1: write "3.10", in quotes.`)
	}
}

// majorOnlyPessimistic warns about prefect_version "~> 2": >= 2 in
// Terraform's reading (as its required_version reads it), so Prefect 3 and
// every later major release meet it. Users write it for "Prefect 2" and pin,
// or list, Prefect 3 without a word.
type majorOnlyPessimistic struct{ listing bool }

// majorOnlyPessimisticRE is one Terraform ~> clause of one number alone.
var majorOnlyPessimisticRE = regexp.MustCompile(`^\s*~>\s*v?([0-9]{1,6})\s*$`)

// admitsNextMajor reports whether c admits a release of a major version
// above major, probed at a few versions (3.0.0, 3.0.1, 3.1.0, … for 2), so
// that "~> 2, < 3" does not warn and "~> 2, != 3.0.0" does.
func admitsNextMajor(c prefecttag.Constraint, major int) bool {
	for _, m := range []int{major + 1, major + 2} {
		for _, minor := range []int{0, 1, 9, 99} {
			for _, patch := range []int{0, 1, 99} {
				if v, err := prefecttag.ParseVersion(fmt.Sprintf("%d.%d.%d", m, minor, patch)); err == nil && c.Allows(v, false) {
					return true
				}
			}
		}
	}
	return false
}

func (majorOnlyPessimistic) Description(context.Context) string {
	return `warns about "~> 2", which in Terraform's reading is ">= 2" and admits every later major release`
}

func (v majorOnlyPessimistic) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v majorOnlyPessimistic) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	c, err := prefecttag.ParseConstraint(s)
	if err != nil {
		return // the other validator says so
	}
	for _, clause := range strings.Split(s, ",") {
		m := majorOnlyPessimisticRE.FindStringSubmatch(clause)
		if m == nil {
			continue
		}
		major, err := strconv.Atoi(m[1])
		if err != nil || !admitsNextMajor(c, major) {
			return
		}
		what := fmt.Sprintf("prefect_version %q means >= %d", s, major)
		if clause = strings.TrimSpace(clause); clause != strings.TrimSpace(s) {
			what = fmt.Sprintf("In prefect_version %q, %q means >= %d", s, clause, major)
		}
		verb := "pins"
		if v.listing {
			verb = "lists"
		}
		resp.Diagnostics.AddAttributeWarning(req.Path, "Prefect Version Admits Later Major Releases",
			fmt.Sprintf("%s in Terraform's syntax, as Terraform's own required_version reads it: "+
				"Prefect %d and every later major release meet it, so this %s the newest of them as they come out, not Prefect %d alone. "+
				"For Prefect %d alone write %q (or %q) in its place.",
				what, major+1, verb, major, major, fmt.Sprintf("~> %d.0", major), fmt.Sprintf("==%d.*", major)))
		return
	}
}

// shortPrefectVersion warns about prefect_version "3.4": exactly 3.4.0 in
// Terraform's and PEP 440's reading alike, while Prefect's tag
// 3.4-python3.12 follows the newest 3.4.z. Users write the one meaning the
// other and silently pin an old release, or (listing, for the releases data
// source) list 3.4.0 alone.
type shortPrefectVersion struct{ listing bool }

func (shortPrefectVersion) Description(context.Context) string {
	return "warns about a version of fewer than three numbers (3.4), which means exactly 3.4.0, not the newest 3.4.z"
}

func (v shortPrefectVersion) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v shortPrefectVersion) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	c, err := prefecttag.ParseConstraint(req.ConfigValue.ValueString())
	if err != nil {
		return // the other validator says so
	}
	short, ok := c.ShortExact()
	if !ok {
		return
	}
	s := short.String()
	exact, newest, series := s+".0.0", "~> "+s+".0", s+".y.z"
	if strings.Contains(s, ".") {
		exact, newest, series = s+".0", "~> "+s+".0", s+".z"
	}
	moving, mine := movingTagFor(ctx, req, s)
	yours := ""
	if !mine {
		yours = " (with your Python and flavor)"
	}
	detail := fmt.Sprintf("prefect_version %q means exactly %s, in Terraform's and PEP 440's syntax alike: unlike Prefect's tag %s, "+
		"it does not move to the newest %s. For the newest %s write prefect_version = %q; to follow Prefect's moving tag "+
		"write tag = %q%s in place of prefect_version; to keep %s, write %q.",
		c.String(), exact, moving, series, series, newest, moving, yours, exact, exact)
	if v.listing {
		detail = fmt.Sprintf("prefect_version %q means exactly %s, in Terraform's and PEP 440's syntax alike, so only %s is listed, "+
			"not every %s. To list every %s write prefect_version = %q (or %q); to list %s alone, write %q.",
			c.String(), exact, exact, series, series, newest, "=="+s+".*", exact, exact)
	}
	if u, ok := c.UnquotedReading(); ok {
		detail += fmt.Sprintf(" If you wrote prefect_version = %s without quotes, Terraform read it as the number %s: quote it.", u, s)
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, "Prefect Version Names One Exact Release", detail)
}

// movingTagFor is Prefect's moving tag for the release series s ("3.4"),
// with the pin's own python_version and flavor when they name one Python
// and a flavor (mine), else for Python 3.12 and the standard flavor: a
// pin on Python 3.11 told to write tag = "3.4-python3.12" would move to
// another Python.
func movingTagFor(ctx context.Context, req validator.StringRequest, s string) (tag string, mine bool) {
	var py, flavor types.String
	if req.Config.Schema == nil {
		return s + "-python3.12", false
	}
	req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("python_version"), &py)
	req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("flavor"), &flavor)
	python, suffix, mine := "3.12", "", true
	if p, err := prefecttag.ParsePython(strings.TrimSpace(py.ValueString())); err == nil && !py.IsUnknown() {
		python = p.String()
	} else {
		mine = false
	}
	switch f, err := prefecttag.ParseFlavor(flavor.ValueString()); {
	case flavor.IsNull():
	case err == nil && !flavor.IsUnknown():
		if f != prefecttag.FlavorStandard {
			suffix = "-" + string(f)
		}
	default:
		mine = false
	}
	return s + "-python" + python + suffix, mine
}

// constraintMatchesNothing warns about a prefect_version or python_version
// that no version can meet (">= 3.4, < 3.1", "==3.1.*, ==3.2.*"), naming
// the clauses that exclude each other. It reads the constraint alone, at
// validate time. A pin would fail later with "nothing matches" after
// reading the tag list, and a releases listing would be empty without a
// word, so that a check block built on it passes whatever is published:
// a warning, not an error, since an empty listing is no error.
type constraintMatchesNothing struct{ python, listing bool }

func (v constraintMatchesNothing) Description(context.Context) string {
	if v.python {
		return "warns about a constraint no Python can meet, such as >= 3.12, < 3.10"
	}
	return "warns about a constraint no version can meet, such as >= 3.4, < 3.1"
}

func (v constraintMatchesNothing) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v constraintMatchesNothing) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	attr, what, summary := "prefect_version", "version", "Prefect Version Matches No Version"
	var clauses []string
	var empty bool
	var c prefecttag.Constraint
	if v.python {
		attr, what, summary = "python_version", "Python", "Python Version Matches No Python"
		p, err := prefecttag.ParsePythonConstraint(s)
		if err != nil {
			return // the other validator says so
		}
		clauses, empty = p.Conflict()
	} else {
		var err error
		if c, err = prefecttag.ParseConstraint(s); err != nil {
			return // the other validator says so
		}
		clauses, empty = c.Conflict()
	}
	if !empty {
		if !v.python && prereleasesLeftOut(ctx, req) {
			if c.OnlyPrereleases() {
				resp.Diagnostics.AddAttributeWarning(req.Path, "Prefect Version Matches Only Prereleases",
					fmt.Sprintf("prefect_version %q is met by prereleases alone (rc, a, b or .dev releases), and allow_prereleases is not true, "+
						"so it can match nothing. Set allow_prereleases = true, or name one prerelease exactly, such as \"3.0.0rc14\".", s))
			}
		}
		return
	}
	quoted := make([]string, len(clauses))
	for i, cl := range clauses {
		quoted[i] = strconv.Quote(cl)
	}
	var why string
	switch len(quoted) {
	case 1:
		why = fmt.Sprintf("%s admits no %s", quoted[0], what)
	case 2:
		why = fmt.Sprintf("%s and %s exclude each other: no %s meets both", quoted[0], quoted[1], what)
	default:
		why = fmt.Sprintf("%s and %s together exclude every %s", strings.Join(quoted[:len(quoted)-1], ", "), quoted[len(quoted)-1], what)
	}
	outcome := "so the pin can find no image, and the plan will fail with nothing matching once the tag list is read"
	if v.listing {
		outcome = "so versions will always be empty and latest null, and a check block on them passes whatever is published"
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, summary,
		fmt.Sprintf("%s %q can match no %s: %s, %s. Prereleases count too; no registry was asked. Keep the bounds you mean.",
			attr, s, what, why, outcome))
}

// prereleasesLeftOut reports whether allow_prereleases, beside the
// attribute validated, is known and not true (false or left out).
func prereleasesLeftOut(ctx context.Context, req validator.StringRequest) bool {
	if req.Config.Schema == nil {
		return false
	}
	var allow types.Bool
	if d := req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("allow_prereleases"), &allow); d.HasError() {
		return false
	}
	return !allow.IsUnknown() && !allow.ValueBool()
}
