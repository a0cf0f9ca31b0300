package jobtemplate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
	} {
		f.Add(seed[0], seed[1])
	}

	f.Fuzz(func(t *testing.T, template, image string) {
		out, err := SetImageDefault(template, image)
		if err != nil {
			var te *TemplateError
			var ie *ImageError
			if !errors.As(err, &te) && !errors.As(err, &ie) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			n := 0
			for _, s := range []error{ErrInvalidJSON, ErrNotObject, ErrNoImageVariable, ErrInvalidImage} {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
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
