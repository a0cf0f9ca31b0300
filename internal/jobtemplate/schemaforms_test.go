package jobtemplate

import (
	"errors"
	"strings"
	"testing"
)

// Schema forms that JSON Schema allows and Prefect's templates can hold,
// each with the defaults they take and the errors they give.

// refusal sets defaults (JSON) on template and returns the error, failing
// the test when there is none or it is not a refusal of a value.
func refusal(t *testing.T, template, defaults string) string {
	t.Helper()
	out, err := SetVariableDefaults(template, decodeValue(t, defaults).(map[string]any))
	if err == nil {
		t.Fatalf("%s: no error; result %s", defaults, out)
	}
	if !errors.Is(err, ErrValueRefused) {
		t.Fatalf("%s: error %v is not ErrValueRefused", defaults, err)
	}
	return err.Error()
}

// accepted sets defaults (JSON) on template and returns the result.
func accepted(t *testing.T, template, defaults string) string {
	t.Helper()
	out, err := SetVariableDefaults(template, decodeValue(t, defaults).(map[string]any))
	if err != nil {
		t.Fatalf("%s: %v", defaults, err)
	}
	return out
}

func wantAll(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q lacks %q", msg, p)
		}
	}
}

// A job variable's schema may be true (any value) or false (none), as JSON
// Schema allows any schema to be: true and {} take any default; false
// refuses every default, saying so, and a null (no default) is no change.
// Both were refused as "not an object".
func TestSetVariableDefaults_BooleanSchemas(t *testing.T) {
	const tmpl = `{"variables": {"properties": {"any": true, "empty": {}, "none": false, "env": {"type": "object"}}}}`
	out := accepted(t, tmpl, `{"any": {"a": [1, "x"]}, "empty": 3}`)
	want := `{"variables":{"properties":{"any":{"default":{"a":[1,"x"]}},"empty":{"default":3},"env":{"type":"object"},"none":false}}}`
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if out := accepted(t, tmpl, `{"any": null, "none": null}`); out != `{"variables":{"properties":{"any":true,"empty":{},"env":{"type":"object"},"none":false}}}` {
		t.Errorf("a null default changed a boolean schema: %s", out)
	}
	msg := refusal(t, tmpl, `{"none": "x"}`)
	wantAll(t, msg, "schema for none is false, which allows no value at all", "none can have no default",
		"leave none out of defaults")
	// Errors keep their order: names the template lacks come first.
	if _, err := SetVariableDefaults(tmpl, map[string]any{"none": "x", "nope": "y"}); !errors.Is(err, ErrUnknownVariable) {
		t.Errorf("unknown variable beside a false schema: %v", err)
	}
	// A value not known yet is refused by false all the same.
	if _, err := SetVariableDefaults(tmpl, map[string]any{"none": Unknown}); !errors.Is(err, ErrValueRefused) {
		t.Errorf("Unknown for a false schema: %v", err)
	}
}

// A schema with only const allows one value: "exactly", not "one of".
func TestSetVariableDefaults_ConstSaysExactly(t *testing.T) {
	const tmpl = `{"variables": {"properties": {
	  "launch_type": {"const": "FARGATE"},
	  "n": {"anyOf": [{"const": 1}, {"type": "null"}]}}}}`
	msg := refusal(t, tmpl, `{"launch_type": "EC2"}`)
	wantAll(t, msg, `refuses the string "EC2": it allows exactly "FARGATE"`)
	if strings.Contains(msg, "one of") {
		t.Errorf("error %q says one of for a const", msg)
	}
	wantAll(t, refusal(t, tmpl, `{"n": 2}`), `the number 2: it allows exactly 1 or null`)
}

// anyOf (and oneOf) over closed objects: a member name that no choice
// takes lists every choice, not the first choice's members as if they were
// all the object may have; a right name with a wrong value says the value.
func TestSetVariableDefaults_AnyOfClosedObjects(t *testing.T) {
	for _, keyword := range []string{"anyOf", "oneOf"} {
		tmpl := `{"variables": {"properties": {"auth": {"` + keyword + `": [
		  {"type": "object", "properties": {"token": {"type": "string"}}, "additionalProperties": false},
		  {"type": "object", "properties": {"username": {"type": "string"}, "password": {"type": "string"}}, "additionalProperties": false},
		  {"type": "null"}]}}}}`
		all := "it allows an object with only the member token or an object with only the members password, username or null"
		t.Run(keyword, func(t *testing.T) {
			wantAll(t, refusal(t, tmpl, `{"auth": {"user": "x"}}`), "refuses an object: "+all)
			wantAll(t, refusal(t, tmpl, `{"auth": {"token": "t", "username": "u"}}`), "refuses an object: "+all)
			// The second choice names password; its value is what is wrong.
			wantAll(t, refusal(t, tmpl, `{"auth": {"password": 5}}`), "auth.password, the number 5: it allows a string there")
			accepted(t, tmpl, `{"auth": {"username": "u", "password": "p"}}`)
		})
	}
	// One closed choice: its members are what the object may have.
	const one = `{"variables": {"properties": {"p": {"anyOf": [
	  {"type": "object", "properties": {"capacityProvider": {"type": "string"}}, "additionalProperties": false},
	  {"type": "null"}]}}}}`
	wantAll(t, refusal(t, one, `{"p": {"capacity_provider": "x"}}`),
		`p takes no member "capacity_provider"`, "(did you mean capacityProvider?)")
}

// oneOf is read: a value that no choice takes is refused (it was taken
// unchecked); one that two choices take is left to the worker.
func TestSetVariableDefaults_OneOf(t *testing.T) {
	const tmpl = `{"variables": {"properties": {"size": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}`
	wantAll(t, refusal(t, tmpl, `{"size": true}`), "refuses the bool true: it allows a string or an integer")
	accepted(t, tmpl, `{"size": "1Gi"}`)
	accepted(t, tmpl, `{"size": 3}`)
}

const blockID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

// A block variable, as the ECS template's aws_credentials ($ref to a block
// definition through allOf) and the Docker template's registry_credentials
// (anyOf of the $ref and null, with required fields) write it, takes a
// block reference, {"$ref": {"block_document_id": "<uuid>"}}, as Prefect's
// server and worker read one. Other shapes of $ref, which both break on or
// ignore, are refused wherever they are, saying how a reference is written.
func TestSetVariableDefaults_BlockReferences(t *testing.T) {
	ecs := readTestdata(t, "ecs.json")
	docker := readTestdata(t, "docker.json")
	ref := `{"$ref": {"block_document_id": "` + blockID + `"}}`
	out := accepted(t, ecs, `{"aws_credentials": `+ref+`}`)
	if !strings.Contains(out, `"default":{"$ref":{"block_document_id":"`+blockID+`"}}`) {
		t.Errorf("the reference is not the default: %s", out)
	}
	accepted(t, docker, `{"registry_credentials": `+ref+`}`)
	accepted(t, docker, `{"registry_credentials": {"$ref": {"block_document_id": "{`+strings.ToUpper(blockID)+`}"}}}`)
	// The block's own fields still work.
	accepted(t, ecs, `{"aws_credentials": {"region_name": "eu-west-1"}}`)
	// An id known only after apply is checked when it is known.
	if _, err := SetVariableDefaults(ecs, map[string]any{"aws_credentials": map[string]any{
		"$ref": map[string]any{"block_document_id": Unknown}}}); err != nil {
		t.Errorf("unknown block id: %v", err)
	}

	const how = `an object with a $ref is a block reference to Prefect, written {"$ref": {"block_document_id": "<id>"}}`
	tests := []struct {
		defaults string
		contains []string
	}{
		{`{"aws_credentials": {"$ref": "` + blockID + `"}}`,
			[]string{`refuses aws_credentials["$ref"], a string of 36 characters: it allows an object with a block_document_id there`, how}},
		{`{"aws_credentials": {"$ref": {"block_document_id": 7}}}`,
			[]string{`aws_credentials["$ref"].block_document_id, the number 7: it allows the id of a block document, a UUID there`, how}},
		{`{"aws_credentials": {"$ref": {"block_document_id": "my-creds"}}}`,
			[]string{`block_document_id, a string of 8 characters: it allows the id of a block document, a UUID`}},
		{`{"aws_credentials": {"$ref": {"block_document_name": "my-creds"}}}`,
			[]string{`aws_credentials["$ref"], an object: it allows an object with a block_document_id there`}},
		{`{"registry_credentials": {"$ref": {"block_document_id": "` + blockID + `"}, "username": "u"}}`,
			[]string{`refuses registry_credentials.username, a string of 1 character: it allows no value there`,
				"which Prefect replaces whole with the block document's fields"}},
		// Anywhere in a value, not only where a block goes.
		{`{"container_create_kwargs": {"auth": {"$ref": "x"}}}`,
			[]string{`container_create_kwargs.auth["$ref"], a string of 1 character`, how}},
	}
	for _, tt := range tests {
		template := ecs
		if strings.Contains(tt.defaults, "registry_credentials") || strings.Contains(tt.defaults, "container_create_kwargs") {
			template = docker
		}
		wantAll(t, refusal(t, template, tt.defaults), tt.contains...)
	}
	// A string for a block variable says a reference is an object.
	wantAll(t, refusal(t, docker, `{"registry_credentials": "`+blockID+`"}`),
		`it allows an object (the block's fields) or a block reference, {"$ref": {"block_document_id": "<id>"}} or null`)
}

// A string refused where the schema lists values (enum or const, through
// $ref, allOf and anyOf, as Prefect's templates write them) that one of them
// matches but for case, - or _ gets that value as a guess.
func TestSetVariableDefaults_ListedValueGuess(t *testing.T) {
	tests := []struct{ file, defaults, guess string }{
		{"docker.json", `{"image_pull_policy": "ifNotPresent"}`, `(did you mean "IfNotPresent"?)`},
		{"kubernetes-enum-refs.json", `{"image_pull_policy": "always"}`, `(did you mean "Always"?)`},
		{"ecs.json", `{"launch_type": "fargate-spot"}`, `(did you mean "FARGATE_SPOT"?)`},
	}
	for _, tt := range tests {
		wantAll(t, refusal(t, readTestdata(t, tt.file), tt.defaults), tt.guess)
	}
	wantAll(t, refusal(t, `{"variables": {"properties": {"x": {"const": "FARGATE"}}}}`, `{"x": "Fargate"}`),
		`it allows exactly "FARGATE" (did you mean "FARGATE"?)`)
	if msg := refusal(t, readTestdata(t, "ecs.json"), `{"launch_type": "Fargate2"}`); strings.Contains(msg, "did you mean") {
		t.Errorf("a guess for a value that matches none: %s", msg)
	}
}
