package jobtemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// decodeValue parses a JSON value the way the package does, for defaults
// written as JSON in tests.
func decodeValue(t testing.TB, s string) any {
	t.Helper()
	return decodeExact(t, s)
}

// properties returns the template's variables.properties.
func properties(t testing.TB, doc any) map[string]any {
	t.Helper()
	return doc.(map[string]any)["variables"].(map[string]any)["properties"].(map[string]any)
}

// withDefaults is the template decoded, with defaults applied as the
// function should: set, or removed for nil.
func withDefaults(t testing.TB, template string, defaults map[string]any) any {
	t.Helper()
	doc := decodeExact(t, template)
	props := properties(t, doc)
	for name, v := range defaults {
		if v == nil {
			delete(props[name].(map[string]any), "default")
		} else {
			props[name].(map[string]any)["default"] = v
		}
	}
	return doc
}

// Each worker type's template, as Prefect prints it, takes the defaults a
// platform team sets; reparsed, the result equals the template with exactly
// those defaults changed, and the numbers come out as written.
func TestSetVariableDefaults_WorkerTemplates(t *testing.T) {
	tests := []struct {
		file     string
		defaults string // JSON object of name → value
		contains []string
	}{
		{"docker.json", `{
			"image": "` + pinnedRef + `",
			"image_pull_policy": "IfNotPresent",
			"env": {"EXTRA_PIP_PACKAGES": "pandas==2.2.3 s3fs", "PREFECT_LOGGING_LEVEL": "DEBUG", "UNSET": null},
			"labels": {"team": "data"},
			"networks": ["flows", "monitoring"],
			"volumes": ["/srv/data:/data:ro"],
			"auto_remove": true,
			"mem_limit": "4g",
			"container_create_kwargs": {"shm_size": "1g", "ulimits": [{"name": "nofile", "soft": 65536}]}
		}`, []string{`"EXTRA_PIP_PACKAGES":"pandas==2.2.3 s3fs"`, `"soft":65536`}},
		{"kubernetes.json", `{
			"image": "` + taggedRef + `",
			"image_pull_policy": "Always",
			"namespace": "flows",
			"backoff_limit": 3,
			"finished_job_ttl": 600,
			"pod_watch_timeout_seconds": 300,
			"stream_output": false,
			"cluster_config": null,
			"service_account_name": "prefect-flows"
		}`, []string{`"default":600`, `"default":3,`}},
		{"kubernetes-enum-refs.json", `{
			"image_pull_policy": "Never",
			"restart_policy": "OnFailure",
			"env": {"EXTRA_PIP_PACKAGES": "scikit-learn"}
		}`, []string{`"allOf":[{"$ref":"#/definitions/KubernetesImagePullPolicy"}],"default":"Never"`}},
		{"ecs.json", `{
			"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows@` + testDigest + `",
			"cpu": 2048,
			"memory": 16384,
			"launch_type": "FARGATE_SPOT",
			"capacity_provider_strategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}],
			"task_watch_poll_interval": 2.50,
			"task_start_timeout_seconds": 600,
			"aws_credentials": {"$ref": {"block_document_id": "7d3c1b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}},
			"network_configuration": {"subnets": ["subnet-0a1b2c"], "assignPublicIp": "DISABLED"},
			"configure_cloudwatch_logs": true,
			"cloudwatch_logs_options": {"awslogs-retention-in-days": "14"}
		}`, []string{`"default":2.50`, `"default":16384`, `"softLimit":65536`}},
		{"cloud-run.json", `{
			"image": "us-docker.pkg.dev/acme/flows/etl@` + testDigest + `",
			"cpu": "2000m",
			"memory": "4Gi",
			"timeout": 3600,
			"keep_job": true,
			"region": "europe-west1"
		}`, []string{`"default":3600`}},
		// The next three are the collection registry's (what
		// prefect_worker_metadata serves), pydantic v1's JSON Schema: an
		// anyOf of two block $refs without null, credentials as allOf of a
		// block $ref, Optional fields as their type alone.
		{"azure-container-instance.json", `{
			"image": "acmeflows.azurecr.io/etl@` + testDigest + `",
			"resource_group_name": "rg-flows",
			"subscription_id": "{{ prefect.blocks.secret.azure-subscription-id }}",
			"identities": ["/subscriptions/0000/resourceGroups/rg-flows/providers/Microsoft.ManagedIdentity/userAssignedIdentities/flows"],
			"image_registry": {"registry_url": "acmeflows.azurecr.io", "identity": "/subscriptions/0000/resourceGroups/rg-flows/providers/Microsoft.ManagedIdentity/userAssignedIdentities/flows"},
			"aci_credentials": {"$ref": {"block_document_id": "7d3c1b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}},
			"cpu": 2,
			"memory": 3.5,
			"gpu_count": 1,
			"subnet_ids": ["/subscriptions/0000/resourceGroups/rg-flows/providers/Microsoft.Network/virtualNetworks/v/subnets/flows"]
		}`, []string{`"default":3.5`, `"default":5.0`}},
		{"cloud-run-v2.json", `{
			"image": "europe-docker.pkg.dev/acme/flows/etl:3.1.15-python3.12@` + testDigest + `",
			"region": "europe-west1",
			"credentials": {"project": "acme-flows", "service_account_file": null},
			"launch_stage": "GA",
			"max_retries": 2,
			"cpu": "2",
			"memory": "4Gi",
			"timeout": 3600,
			"args": ["--log-level", "INFO"],
			"service_account_name": "flows@acme-flows.iam.gserviceaccount.com"
		}`, []string{`"default":"GA"`}},
		{"vertex-ai.json", `{
			"image": "us-docker.pkg.dev/acme/flows/train@` + testDigest + `",
			"region": "us-central1",
			"machine_type": "n1-highmem-8",
			"accelerator_type": "NVIDIA_TESLA_T4",
			"accelerator_count": 1,
			"boot_disk_size_gb": 200,
			"maximum_run_time_hours": 4,
			"reserved_ip_ranges": ["flows-range"],
			"job_watch_poll_interval": 10.0
		}`, []string{`"default":10.0`, `"default":"n1-highmem-8"`}},
		{"process.json", `{
			"working_dir": "/opt/flows",
			"stream_output": false,
			"env": {"PREFECT_LOGGING_LEVEL": "INFO"},
			"command": null
		}`, []string{`"default":"/opt/flows"`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readTestdata(t, tt.file)
			defaults := decodeValue(t, tt.defaults).(map[string]any)
			out, err := SetVariableDefaults(in, defaults)
			if err != nil {
				t.Fatalf("SetVariableDefaults: %v", err)
			}
			if got, want := decodeExact(t, out), withDefaults(t, in, defaults); !reflect.DeepEqual(got, want) {
				t.Errorf("result differs from the template in more than the defaults:\n got %s", out)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %s", s)
				}
			}
			if want, _ := encode(decodeExact(t, out)); out != want {
				t.Error("output is not compact JSON with sorted keys")
			}
			again, err := SetVariableDefaults(out, defaults)
			if err != nil || again != out {
				t.Errorf("second application changed the output (err %v)", err)
			}
		})
	}
}

// Property: setting each variable's current default gives back the same
// JSON, to the byte (numbers exact: ECS's 5.0 stays 5.0). A null default is
// the one exception: null asks for the default to be removed.
func TestSetVariableDefaults_CurrentDefaultsRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) < 6 {
		t.Fatalf("testdata: %v %v", files, err)
	}
	files = append(files, filepath.Join("..", "..", "examples", "functions", "set_image_default", "docker-base-job-template.json"))
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := readFile(t, file)
			current := map[string]any{}
			var nulls []string
			for name, v := range properties(t, decodeExact(t, in)) {
				d, has := v.(map[string]any)["default"]
				switch {
				case !has:
				case d == nil:
					nulls = append(nulls, name)
				default:
					current[name] = d
				}
			}
			if len(current) == 0 {
				t.Fatal("no variable has a default")
			}
			out, err := SetVariableDefaults(in, current)
			if err != nil {
				t.Fatalf("SetVariableDefaults(current defaults): %v", err)
			}
			if want, _ := encode(decodeExact(t, in)); out != want {
				t.Errorf("setting the current defaults changed the template:\n got %s\nwant %s", out, want)
			}

			if len(nulls) == 0 {
				return
			}
			removal := map[string]any{}
			for _, name := range nulls {
				removal[name] = nil
			}
			out, err = SetVariableDefaults(in, removal)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := decodeExact(t, out), withDefaults(t, in, removal); !reflect.DeepEqual(got, want) {
				t.Errorf("null did not remove exactly the null defaults of %v", nulls)
			}
		})
	}
}

// Property: any JSON number, as Terraform or a template writes it, comes out
// as the same text, and is an integer exactly when its value has no
// fractional part.
func TestSetVariableDefaults_NumbersExact(t *testing.T) {
	const template = `{"variables":{"properties":{"n":{"type":"number"},"i":{"type":"integer"}}}}`
	rng := rand.New(rand.NewPCG(11, 17))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return strings.TrimLeft(string(b), "0")
	}
	fixed := []string{"0", "-0", "3", "5.0", "0.1", "1e400", "1E+2", "2.50", "12345678901234567890",
		"1.000000000000000000000000000001", "1e-7", "-1.5E-7", "123456789012345678901234567890.5", "0.0"}
	for i := 0; i < 2000; i++ {
		n := digits(1 + rng.IntN(40))
		if n == "" {
			n = "0"
		}
		if rng.IntN(2) == 0 {
			n += "." + digits(1+rng.IntN(20)) + "0"
		}
		if rng.IntN(3) == 0 {
			n += fmt.Sprintf("e%d", rng.IntN(61)-30)
		}
		if rng.IntN(4) == 0 {
			n = "-" + n
		}
		fixed = append(fixed, n)
	}
	for _, n := range fixed {
		if !json.Valid([]byte(n)) {
			t.Fatalf("the generator made %q, which is not JSON", n)
		}
		out, err := SetVariableDefaults(template, map[string]any{"n": json.Number(n)})
		if err != nil {
			t.Fatalf("%s as a number: %v", n, err)
		}
		if !strings.Contains(out, `"n":{"default":`+n+`,`) {
			t.Fatalf("%s came out as %s", n, out)
		}

		r, ok := new(big.Rat).SetString(n)
		if !ok {
			t.Fatalf("big.Rat cannot read %s", n)
		}
		_, err = SetVariableDefaults(template, map[string]any{"i": json.Number(n)})
		if (err == nil) != r.IsInt() {
			t.Fatalf("%s as an integer: err %v, but its value is an integer: %v", n, err, r.IsInt())
		}
	}
}

// A null value removes the default; on a variable without one it changes
// nothing; no defaults at all gives the template back, re-encoded.
func TestSetVariableDefaults_NullAndEmpty(t *testing.T) {
	in := readTestdata(t, "kubernetes.json")
	out, err := SetVariableDefaults(in, map[string]any{"namespace": nil, "env": nil})
	if err != nil {
		t.Fatal(err)
	}
	props := properties(t, decodeExact(t, out))
	if _, has := props["namespace"].(map[string]any)["default"]; has {
		t.Error("namespace still has a default")
	}
	if got, want := props["env"], properties(t, decodeExact(t, in))["env"]; !reflect.DeepEqual(got, want) {
		t.Error("env changed")
	}
	for _, defaults := range []map[string]any{nil, {}} {
		out, err := SetVariableDefaults(in, defaults)
		if want, _ := encode(decodeExact(t, in)); err != nil || out != want {
			t.Errorf("SetVariableDefaults(%v) = %v, changed the template", defaults, err)
		}
	}
}

// Pydantic v1 wrote an optional member of a block (GcpCredentials.project,
// Optional[str] = None) as its type alone, with no default and out of
// required; Prefect reads such a member as nullable when it validates a work
// pool's defaults, and the worker's model takes None for it. A Terraform
// object with optional() attributes, or "x = cond ? v : null", fills in that
// null: it is taken. A null where the member is required, has a default of
// its own, or is an additionalProperties value is still refused, as Prefect
// refuses it.
func TestSetVariableDefaults_NullForOptionalMember(t *testing.T) {
	cloudRun := readTestdata(t, "cloud-run.json")
	defaults := decodeValue(t, `{"credentials": {"project": "acme-flows", "service_account_file": null, "service_account_info": null}}`).(map[string]any)
	out, err := SetVariableDefaults(cloudRun, defaults)
	if err != nil {
		t.Fatalf("SetVariableDefaults: %v", err)
	}
	if got, want := decodeExact(t, out), withDefaults(t, cloudRun, defaults); !reflect.DeepEqual(got, want) {
		t.Errorf("result differs from the template in more than the defaults:\n got %s", out)
	}

	for _, tt := range []struct{ file, defaults, want string }{
		{"docker.json", `{"registry_credentials": {"username": null, "password": "p", "registry_url": "r"}}`,
			"refuses registry_credentials.username, null: it allows a string there"},
		{"docker.json", `{"registry_credentials": {"username": "u", "password": "p", "registry_url": "r", "reauth": null}}`,
			"refuses registry_credentials.reauth, null: it allows a bool there"},
		{"cloud-run.json", `{"env": {"PREFECT_LOGGING_LEVEL": null}}`,
			"refuses env.PREFECT_LOGGING_LEVEL, null: it allows a string there"},
	} {
		_, err := SetVariableDefaults(readTestdata(t, tt.file), decodeValue(t, tt.defaults).(map[string]any))
		if !errors.Is(err, ErrValueRefused) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s: got %v, want an error containing %q", tt.file, tt.defaults, err, tt.want)
		}
	}
}

// schemaTemplate has one variable per schema rule; its definitions and $defs
// are what the $refs point at.
const schemaTemplate = `{
  "job_configuration": {"command": "{{ command }}"},
  "variables": {
    "type": "object",
    "properties": {
      "any": {"title": "no keywords: anything"},
      "str": {"type": "string"},
      "int": {"type": "integer"},
      "num": {"type": "number"},
      "bool": {"type": "boolean"},
      "obj": {"type": "object"},
      "arr": {"type": "array"},
      "nul": {"type": "null"},
      "str_or_null": {"type": ["string", "null"]},
      "any_of": {"anyOf": [{"type": "string"}, {"type": "null"}]},
      "enum": {"enum": ["IfNotPresent", "Always", "Never"], "type": "string"},
      "enum_mixed": {"enum": [1, "one", true, null, {"k": [1]}]},
      "env": {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
      "closed": {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false},
      "open": {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": true},
      "props": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}},
      "items": {"type": "array", "items": {"type": "string"}},
      "tuple": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
      "ref": {"$ref": "#/definitions/Policy"},
      "ref_defs": {"$ref": "#/$defs/Policy", "default": "Always"},
      "ref_siblings": {"$ref": "#/definitions/Policy", "enum": ["Always"]},
      "all_of_ref": {"allOf": [{"$ref": "#/definitions/Policy"}]},
      "all_of_two": {"allOf": [{"type": "integer"}, {"enum": [1, 2, 3]}]},
      "any_of_ref": {"anyOf": [{"$ref": "#/definitions/Policy"}, {"type": "null"}]},
      "strategy": {"anyOf": [{"type": "array", "items": {"$ref": "#/definitions/Provider"}}, {"type": "null"}]},
      "block": {"anyOf": [{"$ref": "#/definitions/Block"}, {"type": "null"}]},
      "escaped": {"$ref": "#/definitions/a~1b~0c"},
      "by_index": {"$ref": "#/properties/any_of/anyOf/0"},
      "tree": {"$ref": "#/definitions/Tree"},
      "yes": {"type": "array", "items": true},
      "no": {"type": "array", "items": false},
      "const": {"const": "FARGATE", "type": "string"},
      "const_or_null": {"anyOf": [{"const": 1}, {"type": "null"}]},
      "prefix": {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
      "prefix_only": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
      "patterns": {"type": "object", "patternProperties": {"^[a-z]+$": {"type": "integer"}},
        "properties": {"Named": {"type": "string"}}, "additionalProperties": false},
      "lookbehind": {"type": "object", "patternProperties": {"(?<=x)": {"type": "string"}}, "additionalProperties": false},
      "enum_html": {"enum": ["<none>", "a&b"]}
    },
    "definitions": {
      "Policy": {"title": "Policy", "description": "An enumeration.", "enum": ["IfNotPresent", "Always", "Never"]},
      "Provider": {"type": "object", "properties": {"capacityProvider": {"type": "string"}, "weight": {"type": "integer"}},
        "required": ["capacityProvider", "weight"]},
      "Block": {"type": "object", "properties": {"config": {"type": "object"}, "context_name": {"type": "string"}},
        "required": ["config", "context_name"]},
      "a/b~c": {"type": "boolean"},
      "Tree": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Tree"}}
    },
    "$defs": {
      "Policy": {"enum": ["IfNotPresent", "Always", "Never"], "title": "Policy", "type": "string"}
    }
  }
}`

// Every schema rule, accepting and refusing; a refusal names the variable,
// where in the value, and what the schema allows.
func TestSetVariableDefaults_SchemaRules(t *testing.T) {
	tests := []struct {
		variable string
		value    string // JSON
		refused  []string
	}{
		{"any", `{"x": [1, "a", null]}`, nil},
		{"any", `null`, nil}, // removes the default: never refused
		{"str", `"x"`, nil},
		{"str", `""`, nil},
		{"str", `5`, []string{"schema for str refuses the number 5: it allows a string", `write it as a string, "5"`}},
		{"str", `true`, []string{"the bool true", `write it as a string, "true"`}},
		{"int", `3`, nil},
		{"int", `-12345678901234567890`, nil},
		{"int", `3.0`, nil}, // JSON Schema: 3.0 is an integer
		{"int", `1e3`, nil},
		{"int", `3.5`, []string{"the number 3.5: it allows an integer"}},
		{"int", `"3"`, []string{`the string "3": it allows an integer`, "write it as a number, 3, without quotes"}},
		{"num", `0.1`, nil},
		{"num", `1e400`, nil},
		{"num", `"1.5"`, []string{"it allows a number", "write it as a number, 1.5"}},
		{"num", `"many"`, []string{`a string of 4 characters: it allows a number`}},
		{"bool", `false`, nil},
		{"bool", `"false"`, []string{`the string "false": it allows a bool`}},
		{"obj", `{}`, nil},
		{"obj", `["a"]`, []string{"a list of 1 item: it allows an object"}},
		{"obj", `["a", "b"]`, []string{"a list of 2 items: it allows an object"}},
		{"arr", `[]`, nil},
		{"arr", `{"a": 1}`, []string{"an object: it allows a list"}},
		{"nul", `"x"`, []string{"it allows null"}},
		{"str_or_null", `"x"`, nil},
		{"str_or_null", `1`, []string{"it allows a string or null"}},
		{"any_of", `"x"`, nil},
		{"any_of", `[]`, []string{"it allows a string or null"}},
		{"enum", `"Always"`, nil},
		{"enum", `"always"`, []string{`the string "always": it allows one of "IfNotPresent", "Always", "Never"`}},
		{"enum", `1`, []string{`it allows one of "IfNotPresent", "Always", "Never"`}},
		{"enum_mixed", `1.0`, nil}, // numbers compare by value
		{"enum_mixed", `"one"`, nil},
		{"enum_mixed", `true`, nil},
		{"enum_mixed", `{"k": [1.00]}`, nil},
		{"enum_mixed", `{"k": [2]}`, []string{`it allows one of 1, "one", true, null, {"k":[1]}`}},
		{"enum_mixed", `false`, []string{"the bool false"}},
		{"env", `{"EXTRA_PIP_PACKAGES": "pandas==2.2.3", "UNSET": null}`, nil},
		{"env", `{"PORT": 8080}`, []string{"refuses env.PORT, the number 8080: it allows a string or null there",
			`write it as a string, "8080"`}},
		{"env", `{"MY-VAR": true}`, []string{`env["MY-VAR"], the bool true`}},
		{"env", `"PORT=8080"`, []string{"it allows an object whose values are each a string or null"}},
		{"closed", `{"a": 1}`, nil},
		{"closed", `{"a": 1, "b": 2}`, []string{"closed.b, the number 2: it allows no value there"}},
		{"open", `{"a": 1, "b": [2]}`, nil},
		{"open", `{"a": "1"}`, []string{"open.a", "it allows an integer there"}},
		{"props", `{"b": "x", "c": {"anything": true}}`, nil}, // required is not checked
		{"props", `{"a": 1, "b": 2}`, []string{"props.b, the number 2: it allows a string there"}},
		{"items", `["a", "b"]`, nil},
		{"items", `["a", 2]`, []string{"items[1], the number 2: it allows a string there"}},
		{"tuple", `["a", 1, {"extra": true}]`, nil},
		{"tuple", `[1, 1]`, []string{"tuple[0], the number 1: it allows a string"}},
		{"ref", `"Never"`, nil},
		{"ref", `"Sometimes"`, []string{`schema for ref refuses the string "Sometimes": it allows one of "IfNotPresent", "Always", "Never"`}},
		{"ref_defs", `"IfNotPresent"`, nil},
		{"ref_defs", `"Sometimes"`, []string{`one of "IfNotPresent", "Always", "Never"`}},
		{"ref_siblings", `"Always"`, nil},
		{"ref_siblings", `"Never"`, []string{`it allows one of "Always"`}}, // the $ref allows it, the sibling enum not
		{"all_of_ref", `"IfNotPresent"`, nil},
		{"all_of_ref", `"Sometimes"`, []string{`it allows one of "IfNotPresent", "Always", "Never"`}},
		{"all_of_two", `2`, nil},
		{"all_of_two", `2.5`, []string{"it allows an integer"}},
		{"all_of_two", `4`, []string{"it allows one of 1, 2, 3"}},
		{"any_of_ref", `"Always"`, nil},
		{"any_of_ref", `"Sometimes"`, []string{`it allows one of "IfNotPresent", "Always", "Never" or null`}},
		{"strategy", `[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]`, nil},
		{"strategy", `[{"capacityProvider": "FARGATE_SPOT", "weight": "1"}]`,
			[]string{`refuses strategy[0].weight, the string "1": it allows an integer there`}},
		{"strategy", `"FARGATE"`, []string{"it allows a list whose items are each an object or null"}},
		{"block", `{"$ref": {"block_document_id": "7d3c1b4a-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}}`, nil},
		{"block", `{"config": {}, "context_name": "kind-kind"}`, nil},
		{"block", `{"context_name": 1}`, []string{"block.context_name, the number 1: it allows a string there"}},
		{"escaped", `true`, nil},
		{"escaped", `"true"`, []string{"it allows a bool"}},
		{"by_index", `"x"`, nil},
		{"by_index", `1`, []string{"it allows a string"}},
		{"tree", `{"a": {"b": {"c": {}}}}`, nil},
		{"tree", `{"a": {"b": 1}}`, []string{"tree.a.b, the number 1: it allows an object"}},
		{"yes", `[1]`, nil},
		{"no", `[]`, nil},
		{"no", `["x"]`, []string{`no[0], a string of 1 character: it allows no value there`}},
		// const is a one-value enum (pydantic's Literal["FARGATE"]), said as such: "exactly", not "one of".
		{"const", `"FARGATE"`, nil},
		{"const", `"EC2"`, []string{`the string "EC2": it allows exactly "FARGATE"`}},
		{"const_or_null", `1.0`, nil},
		{"const_or_null", `2`, []string{`the number 2: it allows exactly 1 or null`}},
		// prefixItems (draft 2020-12, pydantic's tuples) takes the first
		// items; items only those after them.
		{"prefix", `["a", 1, 2]`, nil},
		{"prefix", `[1]`, []string{"prefix[0], the number 1: it allows a string there"}},
		{"prefix", `["a", "b"]`, []string{`prefix[1], a string of 1 character: it allows an integer there`}},
		{"prefix_only", `["a", 1, {"extra": true}]`, nil},
		{"prefix_only", `["a", "1"]`, []string{`prefix_only[1], the string "1": it allows an integer there`}},
		// A member a patternProperties pattern matches is not additional;
		// a pattern Go cannot read is taken to match.
		{"patterns", `{"abc": 1, "Named": "x"}`, nil},
		{"patterns", `{"abc": "1"}`, []string{`patterns.abc, the string "1": it allows an integer there`}},
		{"patterns", `{"ABC": 1}`, []string{"patterns.ABC, the number 1: it allows no value there"}},
		{"lookbehind", `{"ABC": 1}`, nil},
		// What the schema allows is quoted as the template writes it.
		{"enum_html", `"none"`, []string{`it allows one of "<none>", "a&b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.value, func(t *testing.T) {
			value := decodeValue(t, tt.value)
			out, err := SetVariableDefaults(schemaTemplate, map[string]any{tt.variable: value})
			if tt.refused == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got, want := decodeExact(t, out), withDefaults(t, schemaTemplate, map[string]any{tt.variable: value}); !reflect.DeepEqual(got, want) {
					t.Errorf("got %s", out)
				}
				return
			}
			var ve *VariableError
			if !errors.As(err, &ve) || !errors.Is(err, ErrValueRefused) || ve.Variable != tt.variable {
				t.Fatalf("want a *VariableError wrapping ErrValueRefused for %s, got %T %v", tt.variable, err, err)
			}
			if out != "" {
				t.Errorf("output alongside an error: %.80s", out)
			}
			for _, s := range tt.refused {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// A number written in quotes is told to drop them only where the number is
// then taken: "0.5" for ECS's cpu, an integer, would only be refused again,
// as the number 0.5.
func TestSetVariableDefaults_QuotedNumberHint(t *testing.T) {
	ecs := readTestdata(t, "ecs.json")
	for _, tt := range []struct {
		template, variable, value string
		hint                      bool
	}{
		{ecs, "cpu", "1024", true},
		{ecs, "cpu", "1e3", true},
		{ecs, "cpu", "0.5", false},
		{ecs, "memory", "1.5e3", true},
		{ecs, "memory", "2.25", false},
		{schemaTemplate, "num", "0.5", true},
	} {
		_, err := SetVariableDefaults(tt.template, map[string]any{tt.variable: tt.value})
		if !errors.Is(err, ErrValueRefused) {
			t.Fatalf("%s = %q: got %v, want a refusal", tt.variable, tt.value, err)
		}
		if got := strings.Contains(err.Error(), "write it as a number, "+tt.value+", without quotes"); got != tt.hint {
			t.Errorf("%s = %q: hint %v, want %v: %v", tt.variable, tt.value, got, tt.hint, err)
		}
	}
}

// A number or bool is told to be written as a string only where a string is
// then taken: env wants an object of strings and volumes a list of them, so
// env = true and volumes = 5 are not told to become "true" and "5", which
// would be refused in turn.
func TestSetVariableDefaults_StringHint(t *testing.T) {
	kubernetes := readTestdata(t, "kubernetes.json")
	docker := readTestdata(t, "docker.json")
	for _, tt := range []struct {
		template, variable, value, hint string
	}{
		{kubernetes, "env", `{"PORT": 8080}`, `write it as a string, "8080"`},
		{kubernetes, "namespace", `5`, `write it as a string, "5"`},
		{kubernetes, "env", `true`, ""},
		{kubernetes, "labels", `5`, ""},
		{docker, "volumes", `5`, ""},
		{docker, "volumes", `[5]`, `write it as a string, "5"`},
	} {
		_, err := SetVariableDefaults(tt.template, map[string]any{tt.variable: decodeValue(t, tt.value)})
		if !errors.Is(err, ErrValueRefused) {
			t.Fatalf("%s = %s: got %v, want a refusal", tt.variable, tt.value, err)
		}
		if tt.hint == "" && strings.Contains(err.Error(), "write it as") {
			t.Errorf("%s = %s: advice that would be refused too: %v", tt.variable, tt.value, err)
		}
		if tt.hint != "" && !strings.Contains(err.Error(), tt.hint) {
			t.Errorf("%s = %s: error lacks %q: %v", tt.variable, tt.value, tt.hint, err)
		}
	}
}

// Every error of SetVariableDefaults: its sentinel, its type, the path or
// variable it names, and what it says.
func TestSetVariableDefaults_Errors(t *testing.T) {
	docker := readTestdata(t, "docker.json")
	tests := []struct {
		name     string
		template string
		defaults string // JSON object
		sentinel error
		path     string // *TemplateError's Path, or *VariableError's Variable
		contains []string
	}{
		{"empty template", "", `{"image": "` + pinnedRef + `"}`, ErrInvalidJSON, "", []string{"empty"}},
		{"truncated", `{"variables": {`, `{}`, ErrInvalidJSON, "", []string{"offset 15", "line 1, column 16"}},
		{"trailing data", `{} {}`, `{}`, ErrInvalidJSON, "", []string{"after the top-level value"}},
		{"array", `[{"variables": {}}]`, `{}`, ErrNotObject, "", []string{"JSON array, not an object"}},
		{"no variables", `{"job_configuration": {}}`, `{"env": {}}`, ErrNoVariables, "variables",
			[]string{"has no variables, so it has no job variables to set", "get-default-base-job-template"}},
		{"no properties", `{"variables": {"type": "object"}}`, `{}`, ErrNoVariables, "variables.properties",
			[]string{"has no variables.properties"}},
		{"variables array", `{"variables": []}`, `{}`, ErrNotObject, "variables", []string{"variables is a JSON array"}},
		{"variable a string", `{"variables": {"properties": {"env": "x"}}}`, `{"env": {}}`, ErrNotObject,
			"variables.properties.env", []string{"variables.properties.env is a JSON string"}},
		{"template first", `{"variables": {"properties": {"env": "x"}}}`, `{"env": {}, "nope": 1}`, ErrNotObject,
			"variables.properties.env", nil},

		{"unknown", docker, `{"imagePullPolicy": "Always"}`, ErrUnknownVariable, "imagePullPolicy",
			[]string{`has no job variable "imagePullPolicy" (did you mean image_pull_policy for imagePullPolicy?)`,
				"its job variables are auto_remove, command, container_create_kwargs, env, image, image_pull_policy, " +
					"labels, mem_limit, memswap_limit, name, network_mode, networks, privileged, registry_credentials, " +
					"stream_output, volumes."}},
		{"unknown two", docker, `{"zeta": 1, "alpha": 2, "env": {}}`, ErrUnknownVariable, "alpha",
			[]string{`has no job variables "alpha", "zeta";`}},
		{"image on a process pool", readTestdata(t, "process.json"), `{"image": "` + pinnedRef + `"}`,
			ErrUnknownVariable, "image", []string{`no job variable "image"`, "command, env, labels, name, stream_output, working_dir"}},
		{"no variables at all", `{"variables": {"properties": {}}}`, `{"env": {}}`, ErrUnknownVariable, "env",
			[]string{"its variables.properties is empty"}},

		{"untagged image", docker, `{"image": "prefecthq/prefect"}`, ErrInvalidImage, "", []string{"neither a tag nor a digest"}},
		{"image not a string", docker, `{"image": 3}`, ErrValueRefused, "image", []string{"the number 3: it allows a string"}},
		{"refused", docker, `{"image_pull_policy": "Sometimes"}`, ErrValueRefused, "image_pull_policy",
			[]string{`schema for image_pull_policy refuses the string "Sometimes": it allows one of "IfNotPresent", "Always", "Never" or null`}},
		{"first refusal in name order", docker, `{"stream_output": "yes", "auto_remove": "no"}`, ErrValueRefused, "auto_remove", nil},
		{"long value cut", docker, `{"image_pull_policy": "` + strings.Repeat("n", 100) + `"}`, ErrValueRefused, "image_pull_policy",
			[]string{`the string "` + strings.Repeat("n", 60) + `…"`}},
		// A function is not told which arguments are sensitive: a string
		// refused where no listed value or number was wanted is not quoted.
		{"token in the wrong variable", docker, `{"networks": "ghp_s3cr3tT0ken"}`, ErrValueRefused, "networks",
			[]string{`refuses a string of 15 characters: it allows a list`}},
		{"token in the wrong place", docker, `{"env": {"TOKEN": ["ghp_s3cr3tT0ken"]}}`, ErrValueRefused, "env",
			[]string{`env.TOKEN, a list of 1 item:`}},

		{"dangling ref", `{"variables": {"properties": {"p": {"$ref": "#/definitions/Gone"}}}}`, `{"p": 1}`,
			ErrInvalidSchema, "variables.properties.p", []string{`$ref "#/definitions/Gone" that does not resolve`}},
		{"ref into a string", `{"variables": {"title": "x", "properties": {"p": {"$ref": "#/title/x"}}}}`, `{"p": 1}`,
			ErrInvalidSchema, "variables.properties.p", []string{"does not resolve"}},
		{"ref bad index", `{"variables": {"properties": {"p": {"$ref": "#/properties/q/anyOf/2"}, "q": {"anyOf": [{}]}}}}`,
			`{"p": 1}`, ErrInvalidSchema, "variables.properties.p", []string{"does not resolve"}},
		{"remote ref", `{"variables": {"properties": {"p": {"$ref": "https://example.com/s.json"}}}}`, `{"p": 1}`,
			ErrInvalidSchema, "variables.properties.p", []string{"outside the template", "without a network"}},
		{"ref not a string", `{"variables": {"properties": {"p": {"$ref": 1}}}}`, `{"p": 1}`,
			ErrInvalidSchema, "variables.properties.p", []string{"$ref that is a JSON number"}},
		{"ref cycle", `{"variables": {"properties": {"p": {"$ref": "#/definitions/A"}}, "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"allOf": [{"$ref": "#/definitions/A"}]}}}}`,
			`{"p": 1}`, ErrInvalidSchema, "variables.properties.p", []string{`$ref "#/definitions/A" that leads back to itself`}},
		{"ref to itself", `{"variables": {"properties": {"p": {"$ref": "#/properties/p"}}}}`, `{"p": 1}`,
			ErrInvalidSchema, "variables.properties.p", []string{`$ref "#/properties/p" that leads back to itself`}},
		{"ref to the root", `{"variables": {"properties": {"p": {"$ref": "#"}}, "type": "object"}}`, `{"p": 1}`,
			ErrValueRefused, "p", []string{"the number 1: it allows an object"}},
		{"enum not an array", `{"variables": {"properties": {"p": {"enum": "a"}}}}`, `{"p": "a"}`,
			ErrInvalidSchema, "variables.properties.p", []string{"enum that is a JSON string, not an array"}},
		{"anyOf not an array", `{"variables": {"properties": {"p": {"anyOf": {}}}}}`, `{"p": "a"}`,
			ErrInvalidSchema, "variables.properties.p", []string{"anyOf that is not a non-empty array"}},
		{"empty allOf", `{"variables": {"properties": {"p": {"allOf": []}}}}`, `{"p": "a"}`,
			ErrInvalidSchema, "variables.properties.p", []string{"allOf that is not a non-empty array"}},
		{"unknown type", `{"variables": {"properties": {"p": {"type": "str"}}}}`, `{"p": "a"}`,
			ErrInvalidSchema, "variables.properties.p", []string{`type "str", which is not a JSON Schema type`}},
		{"type of the wrong shape", `{"variables": {"properties": {"p": {"type": 1}}}}`, `{"p": "a"}`,
			ErrInvalidSchema, "variables.properties.p", []string{"type that is neither a type name nor a list"}},
		{"subschema a number", `{"variables": {"properties": {"p": {"items": 5}}}}`, `{"p": [1]}`,
			ErrInvalidSchema, "variables.properties.p", []string{"schema that is a JSON number"}},
		{"too complex", branching(20), `{"p": "x"}`, ErrInvalidSchema, "variables.properties.p", []string{"too complex to check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetVariableDefaults(tt.template, decodeValue(t, tt.defaults).(map[string]any))
			if err == nil || out != "" {
				t.Fatalf("error %v, output %.100s", err, out)
			}
			if got := sentinelsOf(err); !slices.Equal(got, []error{tt.sentinel}) || !typed(err) {
				t.Errorf("%T wraps %v, want %v: %v", err, got, tt.sentinel, err)
			}
			var te *TemplateError
			var ve *VariableError
			switch {
			case errors.As(err, &te) && te.Path != tt.path:
				t.Errorf("Path = %q, want %q", te.Path, tt.path)
			case errors.As(err, &ve) && ve.Variable != tt.path:
				t.Errorf("Variable = %q, want %q", ve.Variable, tt.path)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// branching is a template whose variable p has n levels of anyOf, each with
// two choices that refer to the next: 2^n paths, none of which takes a
// string.
func branching(n int) string {
	defs := map[string]any{fmt.Sprintf("D%d", n): map[string]any{"type": "integer"}}
	for i := 0; i < n; i++ {
		next := map[string]any{"$ref": fmt.Sprintf("#/definitions/D%d", i+1)}
		defs[fmt.Sprintf("D%d", i)] = map[string]any{"anyOf": []any{next, next}}
	}
	b, _ := json.Marshal(map[string]any{"variables": map[string]any{
		"properties":  map[string]any{"p": map[string]any{"$ref": "#/definitions/D0"}},
		"definitions": defs,
	}})
	return string(b)
}

// SetImageDefault is SetVariableDefaults with the one variable image, but
// for the error when the template lacks it.
// A Terraform function is not told which of its arguments are sensitive,
// so a refusal repeats no string but a typo of a listed value or a number,
// bool or null written in quotes: a token passed into the wrong variable,
// whole or nested, stays out of the error.
func TestSetVariableDefaults_RefusalRepeatsNoToken(t *testing.T) {
	const token = "ghp_s3cr3tT0kenV4lue"
	docker := readTestdata(t, "docker.json")
	for _, defaults := range []string{
		`{"networks": "` + token + `"}`,
		`{"env": "` + token + `"}`,
		`{"env": {"TOKEN": ["` + token + `"]}}`,
		`{"mem_limit": {"k": "` + token + `"}}`,
		`{"privileged": "` + token + `"}`,
		`{"volumes": ["` + token + `", 1]}`,
	} {
		_, err := SetVariableDefaults(docker, decodeValue(t, defaults).(map[string]any))
		if !errors.Is(err, ErrValueRefused) {
			t.Fatalf("%s: error %v, want a refusal", defaults, err)
		}
		if strings.Contains(err.Error(), token[:8]) {
			t.Errorf("%s: the refusal repeats the string: %v", defaults, err)
		}
	}
}

func TestSetImageDefault_IsSetVariableDefaults(t *testing.T) {
	for _, file := range []string{"docker.json", "kubernetes.json", "kubernetes-enum-refs.json", "ecs.json", "cloud-run.json"} {
		in := readTestdata(t, file)
		a, errA := SetImageDefault(in, taggedRef)
		b, errB := SetVariableDefaults(in, map[string]any{"image": taggedRef})
		if errA != nil || errB != nil || a != b {
			t.Errorf("%s: set_image_default and set_variable_defaults differ (%v, %v)", file, errA, errB)
		}
	}
	_, err := SetImageDefault(readTestdata(t, "process.json"), pinnedRef)
	if !errors.Is(err, ErrNoImageVariable) {
		t.Errorf("process template: %v", err)
	}
	_, err = SetVariableDefaults(readTestdata(t, "process.json"), map[string]any{"image": pinnedRef})
	if !errors.Is(err, ErrUnknownVariable) {
		t.Errorf("process template: %v", err)
	}
}

// isInteger agrees with big.Rat on the texts JSON allows, including
// exponents too large for an int.
func TestIsInteger(t *testing.T) {
	for n, want := range map[string]bool{
		"0": true, "-0": true, "3": true, "3.0": true, "3.50": false, "0.5e1": true, "1.25e1": false,
		"1.25e2": true, "1e-1": false, "0e-5": true, "0.000": true, "1E+2": true, "12.5E-1": false,
		"1.5e99999999999999999999": true, "1.5e-99999999999999999999": false, "1e-7": false, "100e-2": true,
		"100e-3": false, "-0.0e-9": true, "120.0": true, "1.20e1": true, "1.21e1": false,
	} {
		if got := isInteger(n); got != want {
			t.Errorf("isInteger(%s) = %v, want %v", n, got, want)
		}
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
