package jobtemplate

import (
	"errors"
	"strings"
	"testing"
)

// closedTemplate has objects whose additionalProperties is false, as a
// pydantic model with extra="forbid" writes them or a template written by
// hand with jsonencode does: CapacityProvider named in camelCase, as ECS's
// API (and Prefect's ECS worker, by alias) spells its members.
const closedTemplate = `{
  "job_configuration": {"capacity_provider_strategy": "{{ capacity_provider_strategy }}", "options": "{{ options }}"},
  "variables": {
    "type": "object",
    "definitions": {
      "CapacityProvider": {
        "type": "object",
        "properties": {"capacityProvider": {"type": "string"}, "weight": {"type": "integer"}, "base": {"type": "integer"}},
        "required": ["capacityProvider", "weight", "base"],
        "additionalProperties": false
      }
    },
    "properties": {
      "capacity_provider_strategy": {"anyOf": [{"type": "array", "items": {"$ref": "#/definitions/CapacityProvider"}}, {"type": "null"}], "default": null},
      "options": {"type": "object", "additionalProperties": false},
      "labels": {"type": "object", "patternProperties": {"^[a-z]+$": {"type": "string"}}, "additionalProperties": false},
      "stream_output": {"type": "boolean", "default": true}
    }
  }
}`

// A member refused by additionalProperties false was "it allows no value
// there", which does not say that the name is what is wrong nor which
// names the object takes: the error now names them, and the one the name
// was meant to be.
func TestRedteam54fClosedObjectNamesItsMembers(t *testing.T) {
	tests := []struct {
		name     string
		defaults map[string]any
		want     []string
	}{
		{"snake case for camel case", map[string]any{"capacity_provider_strategy": []any{
			map[string]any{"capacity_provider": "FARGATE_SPOT", "weight": decodeValue(t, "1"), "base": decodeValue(t, "0")}}},
			[]string{`refuses capacity_provider_strategy[0].capacity_provider, a string of 12 characters: it allows no value there`,
				`capacity_provider_strategy[0] takes no member "capacity_provider" (its schema's additionalProperties is false): ` +
					`it takes only the members base, capacityProvider, weight (did you mean capacityProvider?)`}},
		{"no members at all", map[string]any{"options": map[string]any{"my-key": "x"}},
			[]string{`options["my-key"]`, `options takes no member "my-key" (its schema's additionalProperties is false): it takes no members at all`}},
		{"a name with a dot", map[string]any{"options": map[string]any{"a.b[0]": "x"}},
			[]string{`options["a.b[0]"]`, `options takes no member "a.b[0]" (its schema's additionalProperties is false)`}},
		{"patterns", map[string]any{"labels": map[string]any{"Team": "x"}},
			[]string{`labels takes no member "Team" (its schema's additionalProperties is false): it takes only members whose names match ^[a-z]+$`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SetVariableDefaults(closedTemplate, tt.defaults)
			if !errors.Is(err, ErrValueRefused) {
				t.Fatalf("err = %v, want ErrValueRefused", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks\n%s", err, w)
				}
			}
		})
	}
}

// An object schema whose additionalProperties is false was described as
// "an object whose values are each no value" when the value was not an
// object: it takes the members its properties name.
func TestRedteam54fClosedObjectDescribed(t *testing.T) {
	_, err := SetVariableDefaults(closedTemplate, map[string]any{
		"capacity_provider_strategy": []any{"FARGATE_SPOT"},
		"options":                    "x",
	})
	want := `refuses capacity_provider_strategy[0], a string of 12 characters: it allows an object with only the members ` +
		`base, capacityProvider, weight there`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error\n%v\nlacks\n%s", err, want)
	}
	_, err = SetVariableDefaults(closedTemplate, map[string]any{"options": "x"})
	if want := "it allows an empty object"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error\n%v\nlacks\n%s", err, want)
	}
}

// A bool in quotes, as a map(string) or tomap() makes of one, gets the
// advice to drop the quotes, as a number in quotes does.
func TestRedteam54fBoolInQuotesHint(t *testing.T) {
	for file, name := range map[string]string{"docker.json": "stream_output", "kubernetes.json": "stream_output",
		"azure-container-instance.json": "stream_output", "cloud-run.json": "keep_job", "ecs.json": "auto_deregister_task_definition"} {
		t.Run(file, func(t *testing.T) {
			_, err := SetVariableDefaults(readTestdata(t, file), map[string]any{name: "false"})
			want := `refuses the string "false": it allows a bool`
			if !errors.Is(err, ErrValueRefused) || !strings.Contains(err.Error(), want) ||
				!strings.HasSuffix(err.Error(), "; write it as a bool, false, without quotes") {
				t.Errorf("error\n%v\nwant %q and the advice to write it as a bool", err, want)
			}
		})
	}
	// Where a string is taken too, "true" is that string, not a mistake.
	if _, err := SetVariableDefaults(readTestdata(t, "docker.json"), map[string]any{"network_mode": "true"}); err != nil {
		t.Errorf("network_mode = \"true\": %v", err)
	}
}

// A Prefect template placeholder, which the worker fills in for each flow
// run ({{ prefect.variables.flow_image }}), was refused for its white space
// or as an invalid repository, which does not say what is wrong: it is no
// pinned image.
func TestRedteam54fImagePlaceholder(t *testing.T) {
	for _, image := range []string{
		"{{ prefect.variables.flow_image }}",
		"{{prefect.variables.flow_image}}",
		"ghcr.io/acme/flows:{{ prefect.variables.tag }}",
		"{{ image }}",
	} {
		t.Run(image, func(t *testing.T) {
			_, err := SetVariableDefaults(readTestdata(t, "kubernetes.json"), map[string]any{"image": image})
			want := "is, or holds, a Prefect template placeholder ({{ … }}), which the worker fills in for each flow run, " +
				"so the work pool's default would not be pinned"
			if !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\nlacks\n%s", err, want)
			}
		})
	}
}

// Unknown, a value not known yet, meets every schema, so that what is
// known around it is checked: env's PORT below was not checked while TOKEN
// was unknown, and a plan with it went through to fail at apply.
func TestRedteam54fUnknownInsideAValue(t *testing.T) {
	kubernetes := readTestdata(t, "kubernetes.json")
	tests := []struct {
		name     string
		defaults map[string]any
		want     string // "" for no error
	}{
		{"known member refused beside an unknown one",
			map[string]any{"env": map[string]any{"PORT": decodeValue(t, "8080"), "TOKEN": Unknown}},
			"refuses env.PORT, the number 8080: it allows a string or null there"},
		{"known item refused beside an unknown one", map[string]any{"cluster_config": map[string]any{"config": Unknown, "context_name": decodeValue(t, "1")}},
			"refuses cluster_config.context_name, the number 1: it allows a string there"},
		{"wrong shape around an unknown", map[string]any{"env": []any{Unknown}},
			"refuses a list of 1 item: it allows an object"},
		{"unknown member of a known object", map[string]any{"env": map[string]any{"A": "x", "TOKEN": Unknown}}, ""},
		{"unknown value", map[string]any{"image_pull_policy": Unknown, "image": Unknown}, ""},
		{"unknown beside a known refused value", map[string]any{"image": Unknown, "image_pull_policy": "Sometimes"},
			`refuses the string "Sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetVariableDefaults(kubernetes, tt.defaults)
			if tt.want == "" {
				if err != nil || out != "" {
					t.Errorf("got %.80q, %v; want \"\" and no error: no template to return before the value is known", out, err)
				}
				return
			}
			if !errors.Is(err, ErrValueRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%v\nlacks\n%s", err, tt.want)
			}
		})
	}
}

// A JSON syntax error's place was one byte past the character at fault
// (encoding/json counts it as read), and its column counted bytes: "x"
// after "Délai d’exécution" was at column 43, not 38, where an editor
// shows it. Data after the value, found by this package, was right.
func TestRedteam54fSyntaxErrorPlace(t *testing.T) {
	tests := []struct {
		template string
		offset   int64
		where    string
	}{
		{`{"description": "Délai d’exécution", x}`, 41, "at byte offset 41 (line 1, column 38)"},
		{"{\n  \"a\": \"日本語\",\n  \"b\": 1,,\n}", 31, "at byte offset 31 (line 3, column 10)"},
		{"\ufeff{\"é\": 1 2}", 9, "at byte offset 9 (line 1, column 9)"},
		{"{\"variables\": nope}", 15, "at byte offset 15 (line 1, column 16)"},
		{"{}\n  x", 5, "at byte offset 5 (line 2, column 3)"},
		{`{"variables": {`, 15, "at byte offset 15 (line 1, column 16)"},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			_, err := SetVariableDefaults(tt.template, map[string]any{})
			var te *TemplateError
			if !errors.As(err, &te) || !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("err = %v, want ErrInvalidJSON", err)
			}
			if te.Offset != tt.offset || !strings.Contains(err.Error(), tt.where) {
				t.Errorf("Offset = %d, error\n%s\nwant Offset %d and %q", te.Offset, err, tt.offset, tt.where)
			}
		})
	}
}

// A value given as JSON text (jsonencode, as a deployment's job_variables
// takes it) where the schema takes an object or a list got no word that it
// was JSON text; the error says so now, wherever the schema takes an
// object (a list) at all.
func TestRedteam54fJSONTextForAnObject(t *testing.T) {
	tests := []struct {
		file, variable, value, want string
	}{
		{"kubernetes.json", "env", `{"EXTRA_PIP_PACKAGES":"pandas==2.2.3"}`,
			"; it is the JSON text of an object: pass the object itself, without jsonencode"},
		{"kubernetes.json", "env", `{"PORT":8080}`, "; it is the JSON text of an object: pass the object itself, without jsonencode"},
		{"ecs.json", "capacity_provider_strategy", `[{"capacityProvider":"FARGATE_SPOT","weight":1,"base":0}]`,
			"; it is the JSON text of a list: pass the list itself, without jsonencode"},
		{"ecs.json", "network_configuration", `{"awsvpcConfiguration":{"subnets":["subnet-1"]}}`,
			"; it is the JSON text of an object: pass the object itself, without jsonencode"},
		{"kubernetes.json", "env", `[1]`, ""},   // a list where an object belongs: no such word
		{"kubernetes.json", "env", `{"A":`, ""}, // not JSON
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.value, func(t *testing.T) {
			_, err := SetVariableDefaults(readTestdata(t, tt.file), map[string]any{tt.variable: tt.value})
			if !errors.Is(err, ErrValueRefused) {
				t.Fatalf("err = %v, want ErrValueRefused", err)
			}
			if tt.want == "" {
				if strings.Contains(err.Error(), "JSON text") {
					t.Errorf("error\n%s\nsays JSON text", err)
				}
				return
			}
			if !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("error\n%s\nwant it to end %q", err, tt.want)
			}
		})
	}
}
