package jobtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SetVariableDefaults returns template, the JSON text of a Prefect work pool
// base job template, with variables.properties.<name>.default set to
// defaults[name] for each name, and everything else as it was, in the form
// SetImageDefault describes. A nil value removes that variable's default.
//
// Values are what encoding/json decodes with UseNumber: nil, bool, string,
// json.Number, []any and map[string]any, and Unknown anywhere in them;
// numbers are written with their text as it is. Each value is checked
// against its variable's own schema in the template (see checker for the
// part of JSON Schema that is read), and a string for image must be an
// image reference with a tag or a digest, as for SetImageDefault.
//
// Errors come in this order: the template's (*TemplateError wrapping
// ErrInvalidJSON, ErrNotObject or ErrNoVariables), then names the template
// does not have (*VariableError wrapping ErrUnknownVariable, listing the
// template's variables), then the values in name order (*ImageError,
// *VariableError wrapping ErrValueRefused, or *TemplateError wrapping
// ErrInvalidSchema when the variable's schema cannot be read).
func SetVariableDefaults(template string, defaults map[string]any) (string, error) {
	return setDefaults(template, defaults, nil)
}

// unknown is the type of Unknown.
type unknown struct{}

// Unknown stands for a value not known yet, such as a Terraform value known
// only after apply, anywhere in a default given to SetVariableDefaults: it
// meets every schema, so that the values around it are checked all the
// same, and a call with one checks everything else and returns "" and no
// error, there being no template to return yet.
var Unknown any = unknown{}

// holdsUnknown reports whether v is or holds Unknown.
func holdsUnknown(v any) bool {
	switch v := v.(type) {
	case unknown:
		return true
	case []any:
		return slices.ContainsFunc(v, holdsUnknown)
	case map[string]any:
		for _, x := range v {
			if holdsUnknown(x) {
				return true
			}
		}
	}
	return false
}

// setDefaults is SetVariableDefaults; missing, when not nil, makes the error
// for a template without variables, variables.properties or one of the
// names (SetImageDefault's wording), given the dotted path that is missing.
func setDefaults(template string, defaults map[string]any, missing func(path string) error) (string, error) {
	doc, err := decode(template)
	if err != nil {
		return "", err
	}
	root, ok := doc.(map[string]any)
	if !ok {
		if text, isString := doc.(string); isString {
			if inner, err := decode(text); err == nil {
				if _, isObject := inner.(map[string]any); isObject {
					return "", &TemplateError{Err: ErrNotObject, Offset: -1, msg: "the base job template is a JSON " +
						"string, not an object, whose text is itself a JSON object: the template encoded twice; " +
						"drop the jsonencode around text that is JSON already (file(...), " +
						"prefect_work_pool.base_job_template), and jsonencode only an HCL object"}
				}
			}
		}
		return "", &TemplateError{Err: ErrNotObject, Offset: -1, msg: fmt.Sprintf(
			"the base job template is a JSON %s, not an object; pass the whole template, the object with "+
				"the job_configuration and variables keys", jsonKind(doc))}
	}

	// variables is the JSON schema whose properties are the job variables;
	// $refs in them point into it.
	variables, err := member(root, "variables", "variables", missing)
	if err != nil {
		return "", err
	}
	properties, err := member(variables, "properties", "variables.properties", missing)
	if err != nil {
		return "", err
	}

	names := slices.Sorted(maps.Keys(defaults))
	schemas := make(map[string]map[string]any, len(names))
	var unknown []string
	for _, name := range names {
		s, present := properties[name]
		if !present {
			unknown = append(unknown, name)
			continue
		}
		// A schema may be a boolean (JSON Schema draft 6 on): true takes
		// any value, as {} does; false takes none.
		if b, isBool := s.(bool); isBool {
			if !b || defaults[name] == nil {
				continue // nil in schemas: see below
			}
			// {} means what true does and can hold the default.
			properties[name] = map[string]any{}
		}
		if schemas[name], err = member(properties, name, "variables.properties."+name, nil); err != nil {
			return "", err
		}
	}
	if len(unknown) > 0 {
		if missing != nil {
			return "", missing("variables.properties." + unknown[0])
		}
		return "", unknownVariables(unknown, properties)
	}

	for _, name := range names {
		value := defaults[name]
		if schemas[name] == nil { // a boolean schema: no default to remove, or false
			if value != nil {
				return "", &VariableError{Err: ErrValueRefused, Variable: name, msg: fmt.Sprintf(
					"the base job template's schema for %s is false, which allows no value at all, so %s "+
						"can have no default; leave %s out of defaults, or fix the template", name, name, name)}
			}
			continue
		}
		if value == nil {
			delete(schemas[name], "default")
			continue
		}
		if image, ok := value.(string); ok && name == "image" {
			if err := ValidateImage(image); err != nil {
				return "", err
			}
		}
		if err := checkDefault(variables, name, schemas[name], value); err != nil {
			return "", err
		}
		schemas[name]["default"] = value
	}
	if slices.ContainsFunc(names, func(name string) bool { return holdsUnknown(defaults[name]) }) {
		return "", nil
	}
	return encode(root)
}

// member returns the object obj[key], whose dotted path is path; missing
// (or, when nil, ErrNoVariables) makes the error when there is none.
func member(obj map[string]any, key, path string, missing func(string) error) (map[string]any, error) {
	v, present := obj[key]
	if !present {
		if missing != nil {
			return nil, missing(path)
		}
		return nil, &TemplateError{Err: ErrNoVariables, Path: path, Offset: -1, msg: fmt.Sprintf(
			"the base job template has no %s, so it has no job variables to set; pass the whole template, "+
				"as `prefect work-pool get-default-base-job-template --type docker` prints it or "+
				"prefect_work_pool.base_job_template holds it", path)}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &TemplateError{Err: ErrNotObject, Path: path, Offset: -1, msg: fmt.Sprintf(
			"the base job template's %s is a JSON %s, not an object; %s holds a JSON schema object, "+
				"as `prefect work-pool get-default-base-job-template` prints it", path, jsonKind(v), path)}
	}
	return m, nil
}

// unknownVariables says which names the template lacks and which it has,
// with a guess where a name differs from one only in case, - or _
// (imagePullPolicy for image_pull_policy).
func unknownVariables(unknown []string, properties map[string]any) error {
	fold := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
	}
	have := slices.Sorted(maps.Keys(properties))
	quoted := make([]string, len(unknown))
	var guesses []string
	for i, name := range unknown {
		quoted[i] = fmt.Sprintf("%q", name)
		for _, h := range have {
			if fold(h) == fold(name) {
				guesses = append(guesses, fmt.Sprintf("%s for %s", h, name))
			}
		}
	}
	noun := "job variable"
	if len(unknown) > 1 {
		noun = "job variables"
	}
	msg := fmt.Sprintf("the base job template has no %s %s", noun, strings.Join(quoted, ", "))
	if len(guesses) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(guesses, ", "))
	}
	if len(have) == 0 {
		msg += "; its variables.properties is empty"
	} else {
		msg += "; its job variables are " + strings.Join(have, ", ")
	}
	msg += ". Set only those, or pass the template of the work pool type that has the variable"
	return &VariableError{Err: ErrUnknownVariable, Variable: unknown[0], msg: msg}
}

// encode writes doc as compact JSON with sorted keys and no HTML escaping.
func encode(doc any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		// Unreachable for values of the documented types.
		return "", fmt.Errorf("encoding the base job template: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
