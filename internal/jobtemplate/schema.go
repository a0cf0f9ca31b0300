package jobtemplate

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checker checks a default value against its job variable's schema, reading
// the part of JSON Schema that Prefect's base job templates use (pydantic
// writes them): type (a name or a list of names), enum, const, properties,
// patternProperties, additionalProperties, items, prefixItems, $ref into the
// variables schema (definitions, $defs), allOf, anyOf, oneOf (read as anyOf:
// see check), and the true and false
// schemas: what decides a value's shape; a null member is taken where
// Prefect takes it (see optionalMember). Other keywords (pattern, format, minimum, required, …) are
// not checked: the worker's own model checks them when it builds a flow
// run's job, pattern is written in Python's regex dialect, and required
// would refuse Prefect's block references ({"$ref": {"block_document_id":
// …}}), which stand in for a whole block object.
type checker struct {
	root     map[string]any // the variables schema, which $refs point into
	variable string         // the job variable, for messages
	budget   int            // schema steps left: anyOf over $refs can branch exponentially
}

// maxSteps bounds the work one value costs; Prefect's templates need a few
// dozen steps.
const maxSteps = 100_000

// mismatch is where a value departs from its schema.
type mismatch struct {
	at     string // the value's path from the variable: "", ".PORT", "[0].weight"
	value  any
	allows func() string // what the schema allows there, for people; only a refusal that is reported needs it
	schema any           // the schema that refused value, for hint
	// closed, when set, is the object schema whose additionalProperties
	// is false and that refused member key of the object at parent.
	closed      map[string]any
	key, parent string
	advice      string // said after what the schema allows, as "; …"
}

// checkDefault checks value against the schema of job variable name;
// variables is the template's variables object. It returns a
// *VariableError wrapping ErrValueRefused, a *TemplateError wrapping
// ErrInvalidSchema, or nil.
func checkDefault(variables map[string]any, name string, schema map[string]any, value any) error {
	c := &checker{root: variables, variable: name, budget: maxSteps}
	m, err := c.check(schema, value, "", nil)
	if err != nil || m == nil {
		return err
	}
	allows := m.allows()
	msg := fmt.Sprintf("the base job template's schema for %s refuses ", name)
	if m.at == "" {
		msg += describeValue(m.value, allows)
	} else {
		msg += fmt.Sprintf("%s%s, %s", name, m.at, describeValue(m.value, allows))
	}
	msg += ": it allows " + allows
	if m.at != "" {
		msg += " there"
	}
	msg += c.hint(m) + m.advice + c.guessListed(m)
	if m.closed != nil {
		msg += closedAdvice(name, m)
	}
	return &VariableError{Err: ErrValueRefused, Variable: name, msg: msg}
}

// hint says how to write a value that is refused only for its quotes: a
// number or bool as a string, or a number in quotes as a number, where the
// schema that refused the value takes it so written.
func (c *checker) hint(m *mismatch) string {
	var alt any
	var advice string
	switch v := m.value.(type) {
	case json.Number, bool:
		alt, advice = fmt.Sprint(v), fmt.Sprintf("; write it as a string, \"%v\"", v)
	case string:
		switch {
		case v == "true" || v == "false":
			// A map(string) or tomap() turns a bool into such a string.
			alt, advice = v == "true", fmt.Sprintf("; write it as a bool, %s, without quotes", v)
		case numberRE.MatchString(v):
			alt, advice = json.Number(v), fmt.Sprintf("; write it as a number, %s, without quotes", v)
		case strings.HasPrefix(strings.TrimSpace(v), "{") || strings.HasPrefix(strings.TrimSpace(v), "["):
			// jsonencode({ A = "1" }) where { A = "1" } belongs, as
			// job_variables of a deployment, which is JSON text, takes it.
			decoded, err := decode(v)
			if err != nil {
				return ""
			}
			// Said where the schema takes an object (or list) at all, so
			// that a wrong member inside is the next error, not this one.
			switch decoded.(type) {
			case map[string]any:
				alt, advice = map[string]any{}, "; it is the JSON text of an object: pass the object itself, without jsonencode"
			case []any:
				alt, advice = []any{}, "; it is the JSON text of a list: pass the list itself, without jsonencode"
			default:
				return ""
			}
		default:
			return ""
		}
	default:
		return ""
	}
	again := &checker{root: c.root, variable: c.variable, budget: maxSteps}
	if still, err := again.check(m.schema, alt, "", nil); still != nil || err != nil {
		return ""
	}
	return advice
}

// guessListed says which value m's schema lists that a refused string
// differs from only in case, - or _ ("beta" for "BETA", "ifNotPresent"
// for "IfNotPresent"), looking through $ref, allOf, anyOf and oneOf for
// enum and const.
func (c *checker) guessListed(m *mismatch) string {
	v, isString := m.value.(string)
	if !isString {
		return ""
	}
	fold := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	var guess string
	seen := map[string]bool{}
	var walk func(s any, depth int)
	walk = func(s any, depth int) {
		schema, ok := s.(map[string]any)
		if !ok || depth > 8 || guess != "" {
			return
		}
		listed, _ := schema["enum"].([]any)
		if x, ok := schema["const"]; ok {
			listed = append(slices.Clip(listed), x)
		}
		for _, x := range listed {
			if text, ok := x.(string); ok && text != v && fold(text) == fold(v) {
				guess = text
				return
			}
		}
		if ref, ok := schema["$ref"].(string); ok && !seen[ref] {
			seen[ref] = true
			if target, _, err := c.resolve(ref, nil); err == nil {
				walk(target, depth+1)
			}
		}
		for _, keyword := range []string{"allOf", "anyOf", "oneOf"} {
			subs, _ := schema[keyword].([]any)
			for _, sub := range subs {
				walk(sub, depth+1)
			}
		}
	}
	walk(m.schema, 0)
	if guess == "" {
		return ""
	}
	text, _ := encode(guess)
	return fmt.Sprintf(" (did you mean %s?)", text)
}

var numberRE = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

// check returns the first place where v departs from schema s, or nil. at is
// v's path; refs are the $refs followed to reach s without descending into
// v, so that a $ref that leads back to itself is an error, not a loop.
func (c *checker) check(s any, v any, at string, refs []string) (*mismatch, error) {
	if c.budget--; c.budget < 0 {
		return nil, c.invalid("is too complex to check (more than %d steps)", maxSteps)
	}
	if _, later := v.(unknown); later {
		return nil, nil // checked when it is known
	}
	if m := checkBlockReference(v, at); m != nil {
		return m, nil
	}
	schema, ok := s.(map[string]any)
	if !ok {
		if b, isBool := s.(bool); isBool {
			if b {
				return nil, nil
			}
			return &mismatch{at, v, func() string { return "no value" }, s, nil, "", "", ""}, nil
		}
		return nil, c.invalid("has a schema that is a JSON %s, not an object or a boolean", jsonKind(s))
	}

	if ref, ok := schema["$ref"]; ok {
		target, key, err := c.resolve(ref, refs)
		if err != nil {
			return nil, err
		}
		if !isBlockReference(target, v) {
			if m, err := c.check(target, v, at, append(slices.Clip(refs), key)); m != nil || err != nil {
				return m, err
			}
		}
	}
	all, err := c.subschemas(schema, "allOf")
	if err != nil {
		return nil, err
	}
	for _, sub := range all {
		if m, err := c.check(sub, v, at, refs); m != nil || err != nil {
			return m, err
		}
	}
	// oneOf is read as anyOf: a value no choice takes is refused; one that
	// more than one choice takes is left to the worker, as with keywords
	// that are not read.
	for _, keyword := range []string{"anyOf", "oneOf"} {
		if m, err := c.checkAnyOf(schema, keyword, v, at, refs); m != nil || err != nil {
			return m, err
		}
	}

	if t, ok := schema["type"]; ok {
		names, err := c.typeNames(t)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(names, func(n string) bool { return hasType(v, n) }) {
			return &mismatch{at, v, func() string { return c.describe(schema, 0) }, schema, nil, "", "", ""}, nil
		}
	}
	if e, ok := schema["enum"]; ok {
		values, isArray := e.([]any)
		if !isArray {
			return nil, c.invalid("has an enum that is a JSON %s, not an array", jsonKind(e))
		}
		if !slices.ContainsFunc(values, func(x any) bool { return jsonEqual(x, v) }) {
			return &mismatch{at, v, func() string { return describeEnum(values) }, schema, nil, "", "", ""}, nil
		}
	}
	// const is an enum of one value: pydantic writes Literal["FARGATE"] so.
	if x, ok := schema["const"]; ok && !jsonEqual(x, v) {
		return &mismatch{at, v, func() string { return describeConst(x) }, schema, nil, "", "", ""}, nil
	}

	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		patterns, _ := schema["patternProperties"].(map[string]any)
		extra, hasExtra := schema["additionalProperties"]
		for _, k := range slices.Sorted(maps.Keys(v)) {
			// additionalProperties is for members that neither properties
			// nor a patternProperties pattern names.
			matched, subs := matchPatterns(patterns, k)
			if sub, named := props[k]; named {
				if v[k] != nil || !optionalMember(schema, k, sub) {
					subs = append(subs, sub)
				}
			} else if !matched && hasExtra {
				if extra == false {
					// Said apart: "it allows no value there" alone does
					// not tell that the name is what is wrong.
					return &mismatch{at + keyPath(k), v[k], func() string { return "no value" }, extra, schema, k, at, ""}, nil
				}
				subs = append(subs, extra)
			}
			for _, sub := range subs {
				if m, err := c.check(sub, v[k], at+keyPath(k), nil); m != nil || err != nil {
					return m, err
				}
			}
		}
	case []any:
		// prefixItems (draft 2020-12, which Prefect validates with) or the
		// older items list take the first items, one schema each; an items
		// schema takes the items after them.
		prefix, _ := schema["prefixItems"].([]any)
		items, hasItems := schema["items"]
		if tuple, positional := items.([]any); positional {
			if prefix == nil {
				prefix = tuple
			}
			hasItems = false
		}
		for i, x := range v {
			sub := items
			if i < len(prefix) {
				sub = prefix[i]
			} else if !hasItems {
				break
			}
			if m, err := c.check(sub, x, fmt.Sprintf("%s[%d]", at, i), nil); m != nil || err != nil {
				return m, err
			}
		}
	}
	return nil, nil
}

// blockRefExample is how Prefect writes a reference to a block document.
const blockRefExample = `{"$ref": {"block_document_id": "<id>"}}`

// isBlockReference reports whether v is an object with a "$ref" member and
// s is the schema of a block (it has a block_type_slug: AwsCredentials,
// GcpCredentials, KubernetesClusterConfig). Prefect takes such a reference
// in place of the block's fields (preprocess_schema in
// prefect.utilities.schema_tools.validation), and the server and the worker
// read the block document it names; checkBlockReference has checked its
// shape.
func isBlockReference(s any, v any) bool {
	schema, isSchema := s.(map[string]any)
	obj, isObject := v.(map[string]any)
	if !isSchema || !isObject {
		return false
	}
	_, isBlock := schema["block_type_slug"]
	_, isRef := obj["$ref"]
	return isBlock && isRef
}

// checkBlockReference checks an object with a "$ref" member, wherever it is
// in a value: Prefect reads every such object as a reference to a block
// document. The server, resolving a work pool's defaults, and the worker
// (resolve_block_document_references) both read $ref.block_document_id and
// replace the whole object with the block's fields, so that only
// {"$ref": {"block_document_id": "<uuid>"}} works: a $ref that is a string
// breaks both (a str has no .get), an id that is not a UUID is "Block not
// found", a $ref without block_document_id is not resolved at all, and
// members beside $ref are dropped.
func checkBlockReference(v any, at string) *mismatch {
	obj, isObject := v.(map[string]any)
	if !isObject {
		return nil
	}
	ref, isRef := obj["$ref"]
	if !isRef {
		return nil
	}
	refAt := at + keyPath("$ref")
	refused := func(at string, v any, allows, advice string) *mismatch {
		return &mismatch{at: at, value: v, allows: func() string { return allows }, schema: false,
			advice: "; an object with a $ref is a block reference to Prefect, written " + blockRefExample + advice}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if k != "$ref" {
			return refused(at+keyPath(k), obj[k], "no value",
				", which Prefect replaces whole with the block document's fields: set the block's fields, or $ref alone")
		}
	}
	switch ref := ref.(type) {
	case unknown:
		return nil
	case map[string]any:
		id, hasID := ref["block_document_id"]
		if !hasID {
			return refused(refAt, ref, "an object with a block_document_id", "")
		}
		switch id := id.(type) {
		case unknown:
			return nil
		case string:
			if isUUID(id) {
				return nil
			}
		}
		return refused(refAt+".block_document_id", id, "the id of a block document, a UUID",
			", its id the block document's (prefect_block.<name>.id)")
	default:
		return refused(refAt, ref, "an object with a block_document_id", "")
	}
}

// isUUID reports whether s reads as a UUID as Python's uuid.UUID reads one:
// 32 hex digits after "urn:", "uuid:", braces and hyphens are taken out.
func isUUID(s string) bool {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "urn:", ""), "uuid:", "")
	s = strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// optionalMember reports whether member k of the object schema parent,
// whose schema is sub, takes null as Prefect reads a template: when k is not
// in parent's required and sub has a type other than null and no default.
// That is how pydantic v1 wrote an Optional field (GcpCredentials.project,
// Optional[str] = None, is {"type": "string"}), and Prefect, validating a
// work pool's defaults, lets such a member be null
// (prefect.utilities.schema_tools.validation._fix_null_typing), as the
// worker's model does.
func optionalMember(parent map[string]any, k string, sub any) bool {
	s, ok := sub.(map[string]any)
	if !ok {
		return false
	}
	t, typed := s["type"]
	if _, hasDefault := s["default"]; !typed || t == "null" || hasDefault {
		return false
	}
	required, _ := parent["required"].([]any)
	return !slices.Contains(required, any(k))
}

// matchPatterns returns whether a patternProperties pattern matches the
// member name k, and the schemas of those that do. A pattern Go's regexp
// cannot read (a lookaround of Python's or ECMAScript's dialect) is taken
// to match, unchecked: the worker checks it, and k is not refused as an
// additional member.
func matchPatterns(patterns map[string]any, k string) (bool, []any) {
	matched := false
	var subs []any
	for _, p := range slices.Sorted(maps.Keys(patterns)) {
		re, err := regexp.Compile(p)
		switch {
		case err != nil:
			matched = true
		case re.MatchString(k):
			matched = true
			subs = append(subs, patterns[p])
		}
	}
	return matched, subs
}

// checkAnyOf: v must meet one of the schemas of keyword (anyOf, or oneOf).
// When none takes it, the mismatch that got deepest into v says most (a
// list of the right shape with one wrong item), and of those at one depth, a
// member of the right name with a wrong value says more than a member name
// one closed object does not take. When all fail at v itself, or more than
// one closed object choice refuses a member name of v (an anyOf over closed
// objects, none of which takes all of v's members), the message lists every
// choice: the first choice's members alone would read as all v may have.
func (c *checker) checkAnyOf(schema map[string]any, keyword string, v any, at string, refs []string) (*mismatch, error) {
	choices, err := c.subschemas(schema, keyword)
	if err != nil || choices == nil {
		return nil, err
	}
	// One choice at least, so deepest is set after the loop.
	var deepest *mismatch
	closedAtV := 0 // choices refused by a member name of v itself
	for _, sub := range choices {
		m, err := c.check(sub, v, at, refs)
		if err != nil {
			return nil, err
		}
		if m == nil {
			return nil, nil
		}
		if m.closed != nil && m.parent == at {
			closedAtV++
		}
		if deepest == nil || len(m.at) > len(deepest.at) ||
			len(m.at) == len(deepest.at) && deepest.closed != nil && m.closed == nil {
			deepest = m
		}
	}
	if deepest.at == at || deepest.closed != nil && deepest.parent == at && closedAtV > 1 {
		return &mismatch{at, v, func() string { return c.describeAny(choices, 0) }, schema, nil, "", "", ""}, nil
	}
	return deepest, nil
}

func (c *checker) subschemas(schema map[string]any, keyword string) ([]any, error) {
	x, ok := schema[keyword]
	if !ok {
		return nil, nil
	}
	list, isArray := x.([]any)
	if !isArray || len(list) == 0 {
		return nil, c.invalid("has an %s that is not a non-empty array of schemas", keyword)
	}
	return list, nil
}

// resolve follows a $ref, a JSON pointer into the variables schema such as
// #/definitions/KubernetesClusterConfig or #/$defs/ImagePullPolicy.
func (c *checker) resolve(ref any, refs []string) (any, string, error) {
	s, ok := ref.(string)
	if !ok {
		return nil, "", c.invalid("has a $ref that is a JSON %s, not a string", jsonKind(ref))
	}
	if slices.Contains(refs, s) {
		return nil, "", c.invalid("has a $ref %q that leads back to itself", s)
	}
	if s != "#" && !strings.HasPrefix(s, "#/") {
		return nil, "", c.invalid("has a $ref %q outside the template; only references into the template's "+
			"variables, such as #/definitions/Name, can be followed without a network", s)
	}
	var cur any = c.root
	for _, tok := range strings.Split(s, "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch node := cur.(type) {
		case map[string]any:
			cur, ok = node[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			ok = err == nil && i >= 0 && i < len(node)
			if ok {
				cur = node[i]
			}
		default:
			ok = false
		}
		if !ok {
			return nil, "", c.invalid("has a $ref %q that does not resolve within the template's variables "+
				"(it looks there for definitions and $defs)", s)
		}
	}
	return cur, s, nil
}

var typeWords = map[string]string{
	"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a bool",
	"object": "an object", "array": "a list", "null": "null",
}

// typeNames reads a type keyword: one name or a list of names.
func (c *checker) typeNames(t any) ([]string, error) {
	var names []string
	switch t := t.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return nil, c.invalid("has a type that is neither a type name nor a list of them")
	}
	for _, n := range names {
		if _, known := typeWords[n]; !known {
			return nil, c.invalid("has type %q, which is not a JSON Schema type (string, integer, number, "+
				"boolean, object, array, null)", n)
		}
	}
	return names, nil
}

func (c *checker) invalid(format string, args ...any) error {
	path := "variables.properties." + c.variable
	return &TemplateError{Err: ErrInvalidSchema, Path: path, Offset: -1, msg: fmt.Sprintf(
		"the base job template's schema for %s (%s) ", c.variable, path) + fmt.Sprintf(format, args...) +
		"; fix the template, or take it as `prefect work-pool get-default-base-job-template` prints it"}
}

// hasType reports whether v, as encoding/json decodes it, is of JSON Schema
// type name.
func hasType(v any, name string) bool {
	switch v := v.(type) {
	case nil:
		return name == "null"
	case bool:
		return name == "boolean"
	case string:
		return name == "string"
	case json.Number:
		return name == "number" || name == "integer" && isInteger(string(v))
	case []any:
		return name == "array"
	case map[string]any:
		return name == "object"
	}
	return false
}

// isInteger reports whether the JSON number text n has no fractional part
// (1.0 and 1e3 do not, as JSON Schema counts them), from its digits alone:
// a float64 or a big.Float of bounded precision would round 1e30+0.5.
func isInteger(n string) bool {
	mantissa, exp, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(n, "-")), "e")
	whole, frac, _ := strings.Cut(mantissa, ".")
	// The value is digits × 10^(point - len(digits)): an integer when no
	// significant digit falls after the point.
	digits := strings.TrimRight(whole+frac, "0")
	if digits == "" {
		return true // zero
	}
	e, err := strconv.Atoi(exp)
	if err != nil && exp != "" { // too many digits for an int: the sign says all
		return !strings.HasPrefix(exp, "-")
	}
	return len(digits) <= len(whole)+e
}

// jsonEqual is equality of JSON values, numbers by value (1 and 1.0 are one).
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, _, errA := big.ParseFloat(string(a), 10, 1024, big.ToNearestEven)
		y, _, errB := big.ParseFloat(string(bn), 10, 1024, big.ToNearestEven)
		return errA == nil && errB == nil && x.Cmp(y) == 0
	case []any:
		bl, ok := b.([]any)
		return ok && slices.EqualFunc(a, bl, jsonEqual)
	case map[string]any:
		bm, ok := b.(map[string]any)
		return ok && maps.EqualFunc(a, bm, jsonEqual)
	default:
		return a == b
	}
}

// maxDescribeDepth keeps descriptions of nested schemas readable.
const maxDescribeDepth = 3

// describe says what schema s allows, for people: "a string or null",
// `one of "IfNotPresent", "Always", "Never"`, "an object whose values are
// each a string".
func (c *checker) describe(s any, depth int) string {
	schema, ok := s.(map[string]any)
	if !ok {
		if b, _ := s.(bool); !b {
			return "no value"
		}
		return "any value"
	}
	if depth > maxDescribeDepth {
		return "a value its schema describes"
	}
	if _, isBlock := schema["block_type_slug"]; isBlock {
		fields := maps.Clone(schema)
		delete(fields, "block_type_slug")
		return c.describe(fields, depth) + " (the block's fields) or a block reference, " + blockRefExample
	}
	if e, ok := schema["enum"].([]any); ok {
		return describeEnum(e)
	}
	if x, ok := schema["const"]; ok {
		return describeConst(x)
	}
	if ref, ok := schema["$ref"]; ok {
		if target, _, err := c.resolve(ref, nil); err == nil {
			return c.describe(target, depth+1)
		}
	}
	if all, ok := schema["allOf"].([]any); ok && len(all) > 0 {
		parts := make([]string, len(all))
		for i, sub := range all {
			parts[i] = c.describe(sub, depth+1)
		}
		return strings.Join(slices.Compact(parts), " and ")
	}
	for _, keyword := range []string{"anyOf", "oneOf"} {
		if choices, ok := schema[keyword].([]any); ok && len(choices) > 0 {
			return c.describeAny(choices, depth)
		}
	}
	names, err := c.typeNames(schema["type"])
	if err != nil {
		return "any value"
	}
	words := make([]string, len(names))
	for i, n := range names {
		words[i] = typeWords[n]
		if extra, ok := schema["additionalProperties"]; ok && n == "object" && extra == false {
			words[i] = describeClosed(schema)
		} else if ok && n == "object" && extra != true {
			words[i] += " whose values are each " + c.describe(extra, depth+1)
		}
		if items, ok := schema["items"].(map[string]any); ok && n == "array" {
			words[i] += " whose items are each " + c.describe(items, depth+1)
		}
	}
	return strings.Join(words, " or ")
}

// memberNames are the members an object schema names in properties, and
// the patternProperties patterns, each sorted.
func memberNames(schema map[string]any) (names, patterns []string) {
	props, _ := schema["properties"].(map[string]any)
	pats, _ := schema["patternProperties"].(map[string]any)
	return slices.Sorted(maps.Keys(props)), slices.Sorted(maps.Keys(pats))
}

// describeClosed says which members an object schema whose
// additionalProperties is false takes: "an object with only the members a,
// b", "an empty object".
func describeClosed(schema map[string]any) string {
	names, patterns := memberNames(schema)
	var parts []string
	if len(names) > 0 {
		noun := "member"
		if len(names) > 1 {
			noun = "members"
		}
		parts = append(parts, fmt.Sprintf("the %s %s", noun, strings.Join(names, ", ")))
	}
	if len(patterns) > 0 {
		parts = append(parts, "members whose names match "+strings.Join(patterns, " or "))
	}
	if len(parts) == 0 {
		return "an empty object"
	}
	return "an object with only " + strings.Join(parts, " and ")
}

// closedAdvice is what to do about a member an object schema refuses by
// its additionalProperties false: the members it takes, and a guess where
// the name differs from one of them only in case, - or _
// (capacity_provider for capacityProvider).
func closedAdvice(variable string, m *mismatch) string {
	key, parent := m.key, m.parent
	advice := fmt.Sprintf("; %s%s takes no member %q (its schema's additionalProperties is false): ", variable, parent, key)
	names, patterns := memberNames(m.closed)
	if len(names) == 0 && len(patterns) == 0 {
		return advice + "it takes no members at all"
	}
	advice += "it takes " + strings.TrimPrefix(describeClosed(m.closed), "an object with ")
	fold := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, n := range names {
		if fold(n) == fold(key) {
			advice += fmt.Sprintf(" (did you mean %s?)", n)
			break
		}
	}
	return advice
}

func (c *checker) describeAny(choices []any, depth int) string {
	parts := make([]string, 0, len(choices))
	for _, sub := range choices {
		if d := c.describe(sub, depth+1); !slices.Contains(parts, d) {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, " or ")
}

// describeConst says what a const allows: `exactly "FARGATE"`.
func describeConst(x any) string {
	text, _ := encode(x)
	return "exactly " + text
}

func describeEnum(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		// As the template writes it: "<none>", not "\u003cnone\u003e".
		parts[i], _ = encode(v)
	}
	return "one of " + strings.Join(parts, ", ")
}

// describeValue names a value in a message: `the string "Sometimes"`,
// "the number 8080", "an object", "a string of 40 characters". A string
// is quoted only where the schema lists the values it allows (a typo of
// one of them) or where it reads as a number, bool or null (written with
// quotes by mistake): a Terraform function is not told which of its
// arguments are sensitive, so any other string, a token passed into the
// wrong variable say, is not repeated in the error.
func describeValue(v any, allows string) string {
	const maxLen = 60
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("the bool %t", v)
	case json.Number:
		return "the number " + truncate(string(v), maxLen)
	case string:
		if !strings.HasPrefix(allows, "one of ") && !strings.HasPrefix(allows, "exactly ") && !numberRE.MatchString(v) && v != "true" && v != "false" && v != "null" {
			if n := utf8.RuneCountInString(v); n != 1 {
				return fmt.Sprintf("a string of %d characters", n)
			}
			return "a string of 1 character"
		}
		return fmt.Sprintf("the string %q", truncate(v, maxLen))
	case []any:
		if len(v) == 1 {
			return "a list of 1 item"
		}
		return fmt.Sprintf("a list of %d items", len(v))
	default:
		return "an object"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// keyPath is the path step to an object member, as HCL would write it.
func keyPath(k string) string {
	if identRE.MatchString(k) {
		return "." + k
	}
	return fmt.Sprintf("[%q]", k)
}
