// Package strictjson decodes JSON whose object keys must be the exact names of the
// target's fields, each at most once. encoding/json with DisallowUnknownFields
// still matches keys case-insensitively and lets a repeated key replace the first:
// {"tee":1,"TEE":2} reads as tee 2, so one value had many encodings, and a reader
// that compared or hashed the bytes saw another value than the decoder.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Decode reads data, one JSON value and nothing after it, into v (a pointer) with
// unknown fields refused, after checking that every object key is a field's exact
// JSON name (or any key, for a map) and appears once in its object. Values of types
// with their own UnmarshalJSON are left to it.
func Decode(data []byte, v any) error {
	if err := CheckKeys(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// CheckKeys checks the object keys of data, one JSON value, against type t: each
// a field's exact JSON name, once per object.
func CheckKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walk(dec, t, "")
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

func walk(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		if t.Implements(unmarshaler) {
			break
		}
		t = t.Elem()
	}
	if t == nil || t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) || t.Kind() == reflect.Interface {
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		fields, err := objectFields(t, path)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if seen[key] {
				return fmt.Errorf("%s: key %q appears twice", where(path), key)
			}
			seen[key] = true
			elem := t.Elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					return fmt.Errorf("%s: unknown key %q (keys are case-sensitive)", where(path), key)
				}
				elem = func() reflect.Type { return ft }
			}
			if err := walk(dec, elem(), path+"."+key); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		var elem reflect.Type
		if k := t.Kind(); k == reflect.Slice || k == reflect.Array {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walk(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}

func where(path string) string {
	if path == "" {
		return "top level"
	}
	return strings.TrimPrefix(path, ".")
}

// structFields maps the JSON names of t's fields (embedded structs' fields
// included, as encoding/json promotes them) to their types.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// objectFields returns the fields a JSON object decoded into t may name: a struct's
// (structFields), or nil for a map, whose keys are its own; any other t takes no
// object. CheckKeys and CheckValidKeys share it.
func objectFields(t reflect.Type, path string) (map[string]reflect.Type, error) {
	switch t.Kind() {
	case reflect.Struct:
		return structFields(t), nil
	case reflect.Map:
		return nil, nil
	default:
		return nil, fmt.Errorf("%s: an object where %s was expected", where(path), t)
	}
}
