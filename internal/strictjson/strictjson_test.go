package strictjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type inner struct {
	A int `json:"a"`
}

type outer struct {
	Name  string           `json:"name"`
	Items []inner          `json:"items"`
	Tags  map[string]inner `json:"tags,omitempty"`
	Raw   json.RawMessage  `json:"raw,omitempty"`
}

func TestDecodeExactKeysOnce(t *testing.T) {
	var o outer
	if err := Decode([]byte(`{"name":"x","items":[{"a":1}],"tags":{"T":{"a":2},"t":{"a":3}},"raw":{"ANY":1,"ANY":2}}`), &o); err != nil {
		t.Fatalf("exact keys: %v", err)
	}
	if o.Name != "x" || len(o.Items) != 1 || o.Items[0].A != 1 || o.Tags["T"].A != 2 || o.Tags["t"].A != 3 {
		t.Fatalf("decoded %+v", o)
	}
	for name, in := range map[string]string{
		"key case":           `{"Name":"x","items":[]}`,
		"key case nested":    `{"name":"x","items":[{"A":1}]}`,
		"key case in map":    `{"name":"x","tags":{"t":{"A":1}}}`,
		"repeated key":       `{"name":"x","name":"y"}`,
		"repeated in nested": `{"items":[{"a":1,"a":2}]}`,
		"repeated map key":   `{"tags":{"t":{"a":1},"t":{"a":2}}}`,
		"unknown key":        `{"name":"x","other":1}`,
		"trailing data":      `{"name":"x"} {}`,
	} {
		var o outer
		if err := Decode([]byte(in), &o); err == nil {
			t.Errorf("%s: %s accepted as %+v", name, in, o)
		}
	}
	err := Decode([]byte(`{"items":[{"a":1},{"A":2}]}`), &o)
	if err == nil || !strings.Contains(err.Error(), `items[1]: unknown key "A"`) {
		t.Errorf("error %v does not name the key and where it is", err)
	}
}

// FuzzDecode: what Decode accepts has each key spelt as its field's JSON name,
// once, so it decodes to the same with and without the key check, and re-encodes
// to something Decode accepts as the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"x","items":[{"a":1}],"tags":{"t":{"a":2}}}`))
	f.Add([]byte(`{"NAME":"x","name":"y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o outer
		if err := Decode(data, &o); err != nil {
			return
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back outer
		if err := Decode(b, &back); err != nil {
			t.Fatalf("re-encoding %s of accepted %q refused: %v", b, data, err)
		}
		if b2, _ := json.Marshal(back); string(b2) != string(b) {
			t.Fatalf("re-decode changed %s to %s", b, b2)
		}
	})
}

// keyed has what CheckKeys treats specially: a pointer, a map of structs, a
// json.Unmarshaler whose keys are not checked, an interface, arrays.
type keyed struct {
	outer
	P   *inner            `json:"p,omitempty"`
	M   map[string]*inner `json:"m,omitempty"`
	Any any               `json:"any,omitempty"`
	Arr [2]inner          `json:"arr"`
	Bs  []byte            `json:"bs,omitempty"`
}

// TestCheckValidKeys: CheckValidKeys refuses what CheckKeys refuses, naming the
// same key and place.
func TestCheckValidKeys(t *testing.T) {
	typ := reflect.TypeFor[keyed]()
	for _, in := range []string{
		`{"name":"x","items":[{"a":1}],"tags":{"T":{"a":2},"t":{"a":3}},"raw":{"ANY":1,"ANY":2}}`,
		`{"Name":"x"}`, `{"name":"x","name":"y"}`, `{"items":[{"a":1},{"A":2}]}`,
		`{"tags":{"t":{"a":1},"t":{"a":2}}}`, `{"n\u0061me":"x","name":"y"}`, `{"p":{"a":1,"b":2}}`,
		`{"m":{"k":{"a":1},"k":null}}`, `{"any":{"x":1,"x":2}}`, `{"arr":[{"a":1},{"a":2,"a":3}]}`,
		`{"bs":{"a":1}}`, `{"name":{"a":1}}`, `{"items":{"a":1}}`, `[{"a":1}]`, `"x"`, ` {"name" : "a\"}" } `,
		"{\"\xff\":1,\"\xfe\":2}", `{"raw":[{"A":1,"A":1}],"name":"x","NAME":1}`,
	} {
		old, fast := CheckKeys([]byte(in), typ), CheckValidKeys([]byte(in), typ)
		if (old == nil) != (fast == nil) || (old != nil && old.Error() != fast.Error()) {
			t.Errorf("%s: CheckKeys %v, CheckValidKeys %v", in, old, fast)
		}
	}
}

// FuzzCheckValidKeys: on valid JSON, CheckValidKeys refuses exactly what CheckKeys
// refuses, with the same error.
func FuzzCheckValidKeys(f *testing.F) {
	f.Add([]byte(`{"name":"x","items":[{"a":1}],"tags":{"t":{"a":2}},"raw":{"A":1,"A":2}}`))
	f.Add([]byte(`{"NAME":"x","name":"y","p":{"a":1},"m":{"k":{"A":1}},"arr":[{},{"a":1}]}`))
	f.Add([]byte(`{"any":{"x":[1,{"y":2}]},"bs":"AAEC","items":[[1],{"a":"\u0041"}]}`))
	typ := reflect.TypeFor[keyed]()
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		old, fast := CheckKeys(data, typ), CheckValidKeys(data, typ)
		if (old == nil) != (fast == nil) || (old != nil && old.Error() != fast.Error()) {
			t.Fatalf("%q: CheckKeys %v, CheckValidKeys %v", data, old, fast)
		}
	})
}
