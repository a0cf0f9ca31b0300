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

// FuzzSetImageDefault: no input panics; every error is one of the typed
// errors; on success the output is valid JSON whose image default is the
// image, and applying the function again is a no-op.
func FuzzSetImageDefault(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), taggedRef)
	}
	for _, seed := range [][2]string{
		{`{"variables":{"properties":{"image":{}}}}`, pinnedRef},
		{`{"variables":{"properties":{"image":{"default":1e400,"x":[0.1,12345678901234567890]}}}}`, "ubuntu:22.04"},
		{`{"variables":{"properties":{"image":{}}}} x`, pinnedRef},
		{`{"variables":{"properties":{"image":"x"}}}`, pinnedRef},
		{`{"a":"<&>\u2028"}`, "localhost:5000/p:1"},
		{`[`, ""},
		{`{"variables":{"properties":{"image":{}}}}`, "[::1]:5000/p@" + testDigest},
		{`{"variables":{"properties":{"image":{"type":"integer"}}}}`, pinnedRef},
		{`{"variables":{"properties":{"image":{"$ref":"#/definitions/Nope"}}}}`, pinnedRef},
	} {
		f.Add(seed[0], seed[1])
	}

	f.Fuzz(func(t *testing.T, template, image string) {
		out, err := SetImageDefault(template, image)
		if err != nil {
			// The image is checked against the image variable's schema
			// too, which a fuzzed template may make refuse it or unreadable.
			if !typed(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if n := len(sentinelsOf(err)); n != 1 {
				t.Fatalf("error wraps %d sentinels: %v", n, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if ValidateImage(image) != nil {
			t.Fatalf("accepted image %q that ValidateImage refuses", image)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		if strings.HasSuffix(out, "\n") {
			t.Fatal("output ends with a newline")
		}
		doc := decodeExact(t, out)
		if got := imageVariable(t, doc)["default"]; got != image {
			t.Fatalf("image default = %#v, want %q", got, image)
		}
		again, err := SetImageDefault(out, image)
		if err != nil || again != out {
			t.Fatalf("second application: %v, %q != %q", err, again, out)
		}
	})
}

// fuzzDefaults are the defaults FuzzSetVariableDefaults sets, by index.
var fuzzDefaults = []string{
	`{"image": "` + pinnedRef + `", "image_pull_policy": "IfNotPresent", "env": {"EXTRA_PIP_PACKAGES": "pandas==2.2.3"}}`,
	`{"cpu": 2048, "memory": 4096.50, "task_watch_poll_interval": 5.0, "capacity_provider_strategy": [{"capacityProvider": "FARGATE", "weight": 1}]}`,
	`{"cluster_config": null, "name": null, "labels": {"team": "data"}, "stream_output": false}`,
	`{"p": "x", "q": 1e400, "r": [true, null, {"k": "v"}]}`,
}

// FuzzSetVariableDefaults, on the template: no input panics or hangs; every
// error is typed and wraps exactly one sentinel; on success the output is
// compact JSON equal to the template with exactly the named defaults set (or
// removed, for null), and applying the function again is a no-op.
func FuzzSetVariableDefaults(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i := range fuzzDefaults {
			f.Add(string(b), uint8(i))
		}
	}
	f.Add(schemaTemplate, uint8(0))
	f.Add(branching(12), uint8(3))
	for _, seed := range []string{
		`{"variables":{"properties":{"p":{},"q":{"type":"number"},"r":{"type":"array","items":{"anyOf":[{"type":"boolean"},{"type":"null"},{"$ref":"#/$defs/O"}]}}},"$defs":{"O":{"additionalProperties":{"type":"string"}}}}}`,
		`{"variables":{"properties":{"p":{"$ref":"#/properties/p"},"q":{},"r":{}}}}`,
		`{"variables":{"properties":{"p":{"$ref":"#/definitions/a~1b"},"q":{},"r":{}},"definitions":{"a/b":{"enum":["x"]}}}}`,
		`{"variables":{"properties":{"cpu":{"type":"integer"},"memory":{"type":"integer"},"task_watch_poll_interval":{},"capacity_provider_strategy":{}}}}`,
	} {
		f.Add(seed, uint8(3))
		f.Add(seed, uint8(1))
	}

	f.Fuzz(func(t *testing.T, template string, pick uint8) {
		defaults := decodeExact(t, fuzzDefaults[int(pick)%len(fuzzDefaults)]).(map[string]any)
		out, err := SetVariableDefaults(template, defaults)
		if err != nil {
			if !typed(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			n := len(sentinelsOf(err))
			if n != 1 || err.Error() == "" || out != "" {
				t.Fatalf("error wraps %d sentinels, or is empty, or comes with output: %v", n, err)
			}
			return
		}
		if want, _ := encode(decodeExact(t, out)); out != want {
			t.Fatalf("output is not compact JSON with sorted keys: %q", out)
		}
		if got, want := decodeExact(t, out), withDefaults(t, template, defaults); !reflect.DeepEqual(got, want) {
			t.Fatalf("output differs from the template in more than the defaults:\n%s", out)
		}
		again, err := SetVariableDefaults(out, defaults)
		if err != nil || again != out {
			t.Fatalf("second application: %v, %q != %q", err, again, out)
		}
	})
}

// allSentinels are the package's sentinel errors.
var allSentinels = []error{ErrInvalidJSON, ErrNotObject, ErrNoImageVariable, ErrNoVariables, ErrInvalidSchema,
	ErrInvalidImage, ErrUnknownVariable, ErrValueRefused}

// sentinelsOf lists the sentinels err wraps; there should be one.
func sentinelsOf(err error) []error {
	var found []error
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			found = append(found, s)
		}
	}
	return found
}

// typed reports whether err is one of the package's error types.
func typed(err error) bool {
	var te *TemplateError
	var ie *ImageError
	var ve *VariableError
	return errors.As(err, &te) || errors.As(err, &ie) || errors.As(err, &ve)
}
