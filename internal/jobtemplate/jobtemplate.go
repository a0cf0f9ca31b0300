// Package jobtemplate edits Prefect work pool base job templates: the JSON
// documents that `prefect work-pool get-default-base-job-template` prints and
// that the prefect provider's `prefect_work_pool.base_job_template` holds.
//
// It is pure: no I/O, no network, nothing from Terraform.
package jobtemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Every error SetImageDefault and SetVariableDefaults return
// wraps exactly one of them, so that callers can tell the cases apart with
// errors.Is; the concrete types (*TemplateError, *ImageError, *VariableError)
// carry the details. Problems of the template are *TemplateError, problems of
// the values asked for the others.
var (
	// ErrInvalidJSON: the template is not one well-formed JSON value.
	ErrInvalidJSON = errors.New("base job template is not valid JSON")
	// ErrNotObject: the template, or its variables, variables.properties or
	// variables.properties.<name> member, is not a JSON object.
	ErrNotObject = errors.New("base job template member is not a JSON object")
	// ErrNoImageVariable: the template lacks variables,
	// variables.properties or variables.properties.image (SetImageDefault).
	ErrNoImageVariable = errors.New("base job template has no image variable")
	// ErrNoVariables: the template lacks variables or variables.properties
	// (SetVariableDefaults).
	ErrNoVariables = errors.New("base job template has no job variables")
	// ErrInvalidSchema: a job variable's schema in the template cannot be
	// read: a $ref that does not resolve, a keyword of the wrong shape.
	ErrInvalidSchema = errors.New("base job template has an invalid variable schema")
	// ErrInvalidImage: the image is not a pinned image reference.
	ErrInvalidImage = errors.New("invalid image reference")
	// ErrUnknownVariable: a name given is not a job variable of the template.
	ErrUnknownVariable = errors.New("unknown job variable")
	// ErrValueRefused: a value is refused by its variable's schema.
	ErrValueRefused = errors.New("value refused by the job variable's schema")
)

// TemplateError is a problem with the base job template argument.
type TemplateError struct {
	// Err is ErrInvalidJSON, ErrNotObject, ErrNoImageVariable, ErrNoVariables
	// or ErrInvalidSchema.
	Err error
	// Path is the dotted path of the offending member ("" for the whole
	// template, "variables.properties" and so on).
	Path string
	// Offset is the byte offset of a JSON syntax error: of the byte at
	// fault, counted from 0, or the template's length when it ends too
	// soon; -1 when unknown or not applicable.
	Offset int64
	msg    string
}

func (e *TemplateError) Error() string { return e.msg }

// Unwrap returns the sentinel.
func (e *TemplateError) Unwrap() error { return e.Err }

// ImageError is a problem with the image argument.
type ImageError struct {
	// Image is the argument as given.
	Image string
	msg   string
}

func (e *ImageError) Error() string { return e.msg }

// Unwrap returns ErrInvalidImage.
func (e *ImageError) Unwrap() error { return ErrInvalidImage }

// VariableError is a problem with the defaults asked for: a name the
// template does not have, or a value its schema refuses.
type VariableError struct {
	// Err is ErrUnknownVariable or ErrValueRefused.
	Err error
	// Variable is the job variable's name; for ErrUnknownVariable the first
	// unknown one in name order.
	Variable string
	msg      string
}

func (e *VariableError) Error() string { return e.msg }

// Unwrap returns the sentinel.
func (e *VariableError) Unwrap() error { return e.Err }

// templateHint ends every "no image variable" message.
const templateHint = "this work pool type has no image variable; pass the base job template of a docker, " +
	"kubernetes, ecs or cloud-run work pool, as `prefect work-pool get-default-base-job-template --type docker` " +
	"prints it, or add an image property to variables.properties"

// SetImageDefault returns template, the JSON text of a Prefect work pool base
// job template, with variables.properties.image.default set to image. It is
// SetVariableDefaults with the one variable image, except that a template
// without it is ErrNoImageVariable.
//
// Every other value is kept exactly: numbers keep their literal text (no
// float64 round trip), strings their content. Object keys come out sorted and
// the output is compact JSON without a trailing newline, as Terraform's
// jsonencode writes it, except that <, > and & are not escaped.
//
// image must be an image reference with an explicit tag, digest or both:
// prefecthq/prefect:3.1.15-python3.12, prefecthq/prefect@sha256:…, or
// prefecthq/prefect:3.1.15-python3.12@sha256:…. The template is checked
// first, so when both arguments are wrong the error is about the template.
func SetImageDefault(template string, image string) (string, error) {
	return setDefaults(template, map[string]any{"image": image}, func(path string) error {
		return &TemplateError{Err: ErrNoImageVariable, Path: path, Offset: -1, msg: fmt.Sprintf(
			"the base job template has no %s; %s", path, templateHint)}
	})
}

// decode parses exactly one JSON value, numbers as json.Number. A leading
// UTF-8 byte order mark is skipped, as RFC 8259 allows: Windows PowerShell 5
// writes one (Out-File -Encoding utf8), and file() keeps it. Offsets in
// errors count from after it, as an editor, which hides it, shows the text.
func decode(template string) (any, error) {
	template = strings.TrimPrefix(template, "\ufeff")
	if strings.TrimSpace(template) == "" {
		return nil, &TemplateError{Err: ErrInvalidJSON, Offset: 0, msg: "the base job template is empty; pass " +
			"the work pool's base job template as JSON text, for example file(\"base-job-template.json\") or " +
			"the output of `prefect work-pool get-default-base-job-template --type docker`"}
	}
	dec := json.NewDecoder(strings.NewReader(template))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, syntaxError(template, err)
	}
	// Exactly one value: anything but white space after it is an error.
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		off := end
		rest := strings.TrimLeft(template[off:], " \t\r\n")
		off = int64(len(template) - len(rest))
		return nil, &TemplateError{Err: ErrInvalidJSON, Offset: off, msg: fmt.Sprintf(
			"the base job template is not valid JSON: unexpected data after the top-level value at byte offset %d "+
				"(%s); pass exactly one JSON object", off, position(template, off))}
	}
	return doc, nil
}

func syntaxError(template string, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// encoding/json counts the byte at fault as read: "x" in `{x}`
		// is at offset 1, not 2, column 2, not 3.
		off = max(se.Offset-1, 0)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		off = int64(len(template))
		err = errors.New("unexpected end of JSON input")
	}
	where := ""
	if off >= 0 {
		where = fmt.Sprintf(" at byte offset %d (%s)", off, position(template, off))
	}
	return &TemplateError{Err: ErrInvalidJSON, Offset: off, msg: fmt.Sprintf(
		"the base job template is not valid JSON: %s%s; pass the work pool's base job template as JSON text, "+
			"for example file(\"base-job-template.json\") or jsonencode({...})", err, where)}
}

// position turns a byte offset into "line L, column C", 1-based, the
// column in characters, as an editor counts them ("é" is one, not two).
func position(s string, off int64) string {
	if off > int64(len(s)) {
		off = int64(len(s))
	}
	before := s[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}
