package jobtemplate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	testDigest = "sha256:9f2d3c1b8e7a6f5d4c3b2a19087f6e5d4c3b2a19087f6e5d4c3b2a19087f6e5d"
	pinnedRef  = "prefecthq/prefect@" + testDigest
	taggedRef  = "prefecthq/prefect:3.1.15-python3.12@" + testDigest
)

// decodeExact parses JSON the way the package does: numbers keep their text.
func decodeExact(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %.80q: %v", s, err)
	}
	return v
}

func imageVariable(t testing.TB, doc any) map[string]any {
	t.Helper()
	v := doc.(map[string]any)["variables"].(map[string]any)["properties"].(map[string]any)["image"]
	return v.(map[string]any)
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Each worker type's template gets the image; reparsed, the result equals the
// original but for variables.properties.image.default, numbers compared by
// their literal text.
func TestSetImageDefault_WorkerTemplates(t *testing.T) {
	for _, file := range []string{"docker.json", "kubernetes.json", "ecs.json", "cloud-run.json"} {
		for _, image := range []string{pinnedRef, taggedRef, "prefecthq/prefect:3.1.15-python3.12-kubernetes"} {
			t.Run(file+"/"+image, func(t *testing.T) {
				in := readTestdata(t, file)
				out, err := SetImageDefault(in, image)
				if err != nil {
					t.Fatalf("SetImageDefault: %v", err)
				}

				want := decodeExact(t, in)
				imageVariable(t, want)["default"] = image
				got := decodeExact(t, out)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("result differs from the template in more than the image default:\n got %s", out)
				}

				if strings.HasSuffix(out, "\n") {
					t.Error("output ends with a newline")
				}
				if strings.ContainsAny(out, "\n\t") || strings.Contains(out, "\": ") {
					t.Error("output is not compact")
				}
				// The job configuration still refers to the variable.
				if !strings.Contains(out, `"image":"{{ image }}"`) {
					t.Error(`output lost "image":"{{ image }}" in job_configuration`)
				}
				// Applying it twice changes nothing more.
				again, err := SetImageDefault(out, image)
				if err != nil || again != out {
					t.Errorf("second application changed the output (err %v)", err)
				}
			})
		}
	}
}

// A default the image variable already has is replaced; the rest of the
// variable (title, description, anyOf, examples) is kept.
func TestSetImageDefault_ReplacesExistingDefault(t *testing.T) {
	for file, old := range map[string]any{
		"cloud-run.json":  "docker.io/prefecthq/prefect:3-latest",
		"kubernetes.json": nil,
		"ecs.json":        nil,
	} {
		t.Run(file, func(t *testing.T) {
			in := readTestdata(t, file)
			before := imageVariable(t, decodeExact(t, in))
			if d, ok := before["default"]; !ok || d != old {
				t.Fatalf("testdata %s: image default is %v, want %v", file, d, old)
			}
			out, err := SetImageDefault(in, taggedRef)
			if err != nil {
				t.Fatal(err)
			}
			after := imageVariable(t, decodeExact(t, out))
			if after["default"] != taggedRef {
				t.Errorf("default = %v, want %s", after["default"], taggedRef)
			}
			for k, v := range before {
				if k != "default" && !reflect.DeepEqual(after[k], v) {
					t.Errorf("image.%s changed: %v -> %v", k, v, after[k])
				}
			}
			if len(after) != len(before) {
				t.Errorf("image variable has %d keys, had %d", len(after), len(before))
			}
		})
	}
}

// The output is exactly what jsonencode would write for the same value (keys
// sorted, compact), except that numbers keep their text and <, > and & stay
// as they are.
func TestSetImageDefault_ExactOutput(t *testing.T) {
	in := `{
	  "job_configuration": {
	    "image": "{{ image }}",
	    "note": "a<b && c>d",
	    "unicode": "caf\u00e9 \u2603",
	    "big": 12345678901234567890,
	    "huge": 1e400,
	    "tenth": 0.1,
	    "float": 5.0,
	    "exp": -1.5E-7,
	    "zero": -0,
	    "nested": [1, 2.50, {"k": null, "t": true, "f": false}]
	  },
	  "variables": {
	    "type": "object",
	    "properties": {"image": {"type": "string", "title": "Image"}}
	  }
	}`
	want := `{"job_configuration":{"big":12345678901234567890,"exp":-1.5E-7,"float":5.0,"huge":1e400,` +
		`"image":"{{ image }}","nested":[1,2.50,{"f":false,"k":null,"t":true}],"note":"a<b && c>d",` +
		`"tenth":0.1,"unicode":"café ☃","zero":-0},` +
		`"variables":{"properties":{"image":{"default":"` + taggedRef + `","title":"Image","type":"string"}},"type":"object"}}`
	got, err := SetImageDefault(in, taggedRef)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Numbers in a real template keep their literal text: ECS's 5.0 poll
// interval does not become 5, the 1024/2048 CPU and memory stay integers.
func TestSetImageDefault_ECSNumbers(t *testing.T) {
	out, err := SetImageDefault(readTestdata(t, "ecs.json"), pinnedRef)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"default":5.0,`, `"default":1024,`, `"default":2048,`, `"sizeInGiB":21`,
		`"hardLimit":1048576`, `prefect-logs_<work_pool_name>_<deployment_id>`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s", s)
		}
	}
	out, err = SetImageDefault(readTestdata(t, "cloud-run.json"), pinnedRef)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"pattern":"^\\d+(?:G|Gi|M|Mi)$"`) {
		t.Error("cloud-run memory pattern was not kept as written")
	}
}

// A template saved with a UTF-8 byte order mark (Windows PowerShell 5's
// Out-File -Encoding utf8; file() keeps it) is read as the same template.
func TestSetImageDefault_ByteOrderMark(t *testing.T) {
	for _, file := range []string{"docker.json", "kubernetes.json"} {
		in := readTestdata(t, file)
		want, err := SetImageDefault(in, pinnedRef)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SetImageDefault("\ufeff"+in, pinnedRef)
		if err != nil || got != want {
			t.Errorf("%s with a byte order mark: %v\n%.200s", file, err, got)
		}
	}
}

func TestSetImageDefault_Errors(t *testing.T) {
	valid := readTestdata(t, "docker.json")
	tests := []struct {
		name     string
		template string
		image    string
		sentinel error
		path     string // for *TemplateError
		offset   int64  // for *TemplateError; -2 means do not check
		contains []string
	}{
		{"empty template", "", pinnedRef, ErrInvalidJSON, "", 0, []string{"empty"}},
		{"blank template", " \n\t", pinnedRef, ErrInvalidJSON, "", 0, []string{"empty"}},
		{"truncated", `{"variables": {`, pinnedRef, ErrInvalidJSON, "", 15, []string{"not valid JSON", "offset 15", "line 1, column 16"}},
		{"bad token", "{\n  \"variables\": nope\n}", pinnedRef, ErrInvalidJSON, "", -2, []string{"invalid character 'o'", "line 2"}},
		{"hcl not json", `variables = {}`, pinnedRef, ErrInvalidJSON, "", 0, []string{"not valid JSON", "offset 0", "line 1, column 1"}},
		{"trailing data", `{} {}`, pinnedRef, ErrInvalidJSON, "", 3, []string{"after the top-level value", "offset 3"}},
		{"trailing garbage", "{}\n  x", pinnedRef, ErrInvalidJSON, "", 5, []string{"after the top-level value", "line 2, column 3"}},
		// After a byte order mark, offsets count from the text an editor shows.
		{"byte order mark only", "\ufeff", pinnedRef, ErrInvalidJSON, "", 0, []string{"empty"}},
		{"byte order mark, truncated", "\ufeff{\"variables\": {", pinnedRef, ErrInvalidJSON, "", 15, []string{"offset 15", "line 1, column 16"}},
		{"array", `[{"variables": {}}]`, pinnedRef, ErrNotObject, "", -1, []string{"JSON array, not an object"}},
		{"string", `"{}"`, pinnedRef, ErrNotObject, "", -1, []string{"JSON string, not an object"}},
		// jsonencode(file("t.json")): the template's text encoded once more.
		{"encoded twice", `"{\"variables\": {\"properties\": {\"image\": {}}}}"`, pinnedRef, ErrNotObject, "", -1,
			[]string{"JSON string, not an object", "whose text is itself a JSON object", "encoded twice", "drop the jsonencode"}},
		{"null", `null`, pinnedRef, ErrNotObject, "", -1, []string{"JSON null"}},
		{"number", `42`, pinnedRef, ErrNotObject, "", -1, []string{"JSON number"}},
		{"no variables", `{"job_configuration": {"image": "{{ image }}"}}`, pinnedRef, ErrNoImageVariable, "variables", -1,
			[]string{"has no variables;", "docker, kubernetes, ecs or cloud-run"}},
		{"no properties", `{"variables": {"type": "object"}}`, pinnedRef, ErrNoImageVariable, "variables.properties", -1,
			[]string{"has no variables.properties;"}},
		{"no image", `{"variables": {"properties": {"env": {}}}}`, pinnedRef, ErrNoImageVariable, "variables.properties.image", -1,
			[]string{"has no variables.properties.image;", "this work pool type has no image variable"}},
		{"process pool", readTestdata(t, "process.json"), pinnedRef, ErrNoImageVariable, "variables.properties.image", -1,
			[]string{"this work pool type has no image variable"}},
		{"variables array", `{"variables": []}`, pinnedRef, ErrNotObject, "variables", -1, []string{"variables is a JSON array"}},
		{"properties null", `{"variables": {"properties": null}}`, pinnedRef, ErrNotObject, "variables.properties", -1,
			[]string{"variables.properties is a JSON null"}},
		{"image string", `{"variables": {"properties": {"image": "prefecthq/prefect:3-latest"}}}`, pinnedRef, ErrNotObject,
			"variables.properties.image", -1, []string{"variables.properties.image is a JSON string", "JSON schema object"}},
		{"template error before image error", `[]`, "", ErrNotObject, "", -1, nil},

		{"empty image", valid, "", ErrInvalidImage, "", -2, []string{"the image is empty", "prefecthq/prefect@sha256:"}},
		{"untagged", valid, "prefecthq/prefect", ErrInvalidImage, "", -2, []string{"neither a tag nor a digest", "prefecthq/prefect:3.1.15-python3.12"}},
		{"empty tag", valid, "prefecthq/prefect:", ErrInvalidImage, "", -2, []string{`invalid tag ""`}},
		{"bad tag", valid, "prefecthq/prefect:.3", ErrInvalidImage, "", -2, []string{`invalid tag ".3"`}},
		{"long tag", valid, "prefecthq/prefect:" + strings.Repeat("a", 129), ErrInvalidImage, "", -2, []string{"1 to 128"}},
		{"upper-case repository", valid, "PrefectHQ/prefect:3-latest", ErrInvalidImage, "", -2, []string{`invalid repository "PrefectHQ/prefect"`, "lower-case"}},
		{"empty path component", valid, "prefecthq//prefect:3", ErrInvalidImage, "", -2, []string{"invalid repository"}},
		{"no repository", valid, ":3-latest", ErrInvalidImage, "", -2, []string{"no repository"}},
		{"scheme", valid, "https://ghcr.io/acme/prefect:3", ErrInvalidImage, "", -2, []string{"URL scheme (https://)"}},
		{"white space", valid, " prefecthq/prefect:3-latest", ErrInvalidImage, "", -2, []string{"white space"}},
		{"short digest", valid, "prefecthq/prefect@sha256:9f2d", ErrInvalidImage, "", -2, []string{"64 hex digits, this one 4"}},
		{"upper-case digest", valid, "prefecthq/prefect@" + strings.ToUpper(testDigest), ErrInvalidImage, "", -2, []string{"not one of sha256"}},
		{"upper-case hex", valid, "prefecthq/prefect@sha256:" + strings.ToUpper(testDigest[7:]), ErrInvalidImage, "", -2, []string{"lower-case hex"}},
		{"unknown algorithm", valid, "prefecthq/prefect@md5:d41d8cd98f00b204e9800998ecf8427e", ErrInvalidImage, "", -2, []string{`"md5" is not one of`}},
		{"digest without algorithm", valid, "prefecthq/prefect@" + testDigest[7:], ErrInvalidImage, "", -2, []string{"algorithm:hex"}},
		{"two digests", valid, pinnedRef + "@" + testDigest, ErrInvalidImage, "", -2, []string{"more than one @"}},
		{"tag after digest", valid, pinnedRef + ":3", ErrInvalidImage, "", -2, []string{"invalid digest"}},
		{"bad port", valid, "registry.internal:http/prefect:3", ErrInvalidImage, "", -2, []string{`invalid registry host "registry.internal:http"`, "not a number"}},
		{"bad host", valid, "-bad-.example.com/prefect:3", ErrInvalidImage, "", -2, []string{"invalid registry host"}},
		{"name too long", valid, "prefecthq/" + strings.Repeat("p", 250) + ":3", ErrInvalidImage, "", -2, []string{"at most 255"}},
		// The pin's digest attribute where its ref belongs: Docker and
		// Kubernetes would read it as the repository "sha256" (docker.io/library/sha256)
		// tagged with the hex, a pull that fails on every flow run.
		{"bare digest", valid, testDigest, ErrInvalidImage, "", -2, []string{"is a digest alone", "no repository", "prefecthq/prefect@" + testDigest, "ref attribute"}},
		{"bare sha512 digest", valid, "sha512:" + strings.Repeat("0a", 64), ErrInvalidImage, "", -2, []string{"is a digest alone"}},
		// The pin's tag attribute where its ref belongs.
		{"bare tag", valid, "3.1.15-python3.12", ErrInvalidImage, "", -2, []string{"neither a tag nor a digest", "prefecthq/prefect:3.1.15-python3.12"}},
	}
	sentinels := []error{ErrInvalidJSON, ErrNotObject, ErrNoImageVariable, ErrInvalidImage}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetImageDefault(tt.template, tt.image)
			if err == nil {
				t.Fatalf("no error; output %.100s", out)
			}
			if out != "" {
				t.Errorf("output %q alongside an error", out)
			}
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v; err: %v", s, errors.Is(err, s), err)
				}
			}
			var te *TemplateError
			var ie *ImageError
			switch {
			case tt.sentinel == ErrInvalidImage:
				if !errors.As(err, &ie) || ie.Image != tt.image {
					t.Errorf("want *ImageError for %q, got %T %v", tt.image, err, err)
				}
			case errors.As(err, &te):
				if te.Path != tt.path {
					t.Errorf("Path = %q, want %q", te.Path, tt.path)
				}
				if tt.offset != -2 && te.Offset != tt.offset {
					t.Errorf("Offset = %d, want %d", te.Offset, tt.offset)
				}
			default:
				t.Errorf("want *TemplateError, got %T", err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestValidateImage_Accepts(t *testing.T) {
	for _, image := range []string{
		"prefecthq/prefect:3.1.15-python3.12",
		"prefecthq/prefect:3.0.0rc14-python3.11-conda",
		"prefecthq/prefect:3-latest",
		"prefecthq/prefect:sha-1da1544-python3.12-conda",
		pinnedRef,
		taggedRef,
		"prefecthq/prefect@sha512:" + strings.Repeat("0a", 64),
		"prefecthq/prefect@sha384:" + strings.Repeat("b", 96),
		"docker.io/prefecthq/prefect:3-latest",
		"index.docker.io/prefecthq/prefect-client:3.2.15-python3.12",
		"ghcr.io/acme/prefect:3.1.15-python3.12@" + testDigest,
		"127.0.0.1:5000/prefecthq/prefect:3-latest",
		"localhost/prefect:dev",
		"localhost:5000/prefect@" + testDigest,
		"[::1]:5000/prefecthq/prefect:3",
		"Registry.Example.com/team/flows:1",
		"ubuntu:22.04",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/prefect-flows:2024.06.01",
		"us-docker.pkg.dev/acme-prod/flows/etl__v2:build_1-2",
		"registry.internal:5000/a.b/c--d/e_f:A_tag.with-Chars",
	} {
		if err := ValidateImage(image); err != nil {
			t.Errorf("ValidateImage(%q): %v", image, err)
		}
	}
}

// A registry host between brackets is an IPv6 address as the distribution
// grammar (and so Docker, containerd and Kubernetes) writes one: hex
// digits and colons. "[1.2.3.4]:5000/p:1", "[::ffff:1.2.3.4]:5000/p:1"
// and "[:]:5000/p:1" were taken, an image default no worker can pull
// ("invalid reference format"). Found by FuzzValidateImage.
func TestValidateImage_RefusesBracketsWithoutIPv6(t *testing.T) {
	for _, image := range []string{"[1.2.3.4]:5000/p:1", "[::ffff:1.2.3.4]:5000/p:1", "[:]:5000/p:1", "[.]:5000/p:1", "[::1::2]/p:1"} {
		err := ValidateImage(image)
		if err == nil || !strings.Contains(err.Error(), "invalid registry host") || !strings.Contains(err.Error(), "IPv6 address") {
			t.Errorf("ValidateImage(%q) = %v, want an invalid registry host error about its IPv6 address", image, err)
		}
	}
	for _, image := range []string{"[::1]/p:1", "[fe80::abcd]:5000/p:1", "[::ffff:102:304]:5000/p:1", "[2001:DB8::1]/p:1"} {
		if err := ValidateImage(image); err != nil {
			t.Errorf("ValidateImage(%q): %v", image, err)
		}
	}
}
