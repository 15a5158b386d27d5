package strictjson

import (
	"reflect"
	"strings"
	"testing"
)

// nested is key: depth arrays nested in each other, n times side by side in an
// array ({"key":[[[...]],[[...]],...]}), with inner as the innermost value.
func nested(key string, n, depth int, inner string) []byte {
	one := strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
	return []byte(`{"` + key + `":[` + strings.TrimSuffix(strings.Repeat(one+",", n), ",") + `]}`)
}

// TestCheckValidKeysDeepNesting: nesting around the depth encoding/json accepts
// (10,000) is accepted and refused by CheckValidKeys exactly as by CheckKeys, in
// values whose keys are skipped (an interface, a json.RawMessage, a field whose type
// wants no array) and in values whose keys are checked, and a refused key deep in
// a checked value is still found.
func TestCheckValidKeysDeepNesting(t *testing.T) {
	typ := reflect.TypeFor[keyed]()
	for _, key := range []string{"any", "raw", "name", "items", "arr", "bs"} {
		for _, depth := range []int{maxDepth - 3, maxDepth - 2, maxDepth - 1, maxDepth, maxDepth + 1, 3 * maxDepth} {
			for _, inner := range []string{"1", `{"a":1,"A":2}`, `{"a":1,"a":2}`, `{}`, `"x"`} {
				in := nested(key, 2, depth, inner)
				old, fast := CheckKeys(in, typ), CheckValidKeys(in, typ)
				if (old == nil) != (fast == nil) || (old != nil && old.Error() != fast.Error()) {
					t.Errorf("%s nested %d deep around %s: CheckKeys %v, CheckValidKeys %v", key, depth, inner, old, fast)
				}
			}
		}
	}
	// A typed field: a refused key at depth 3 is found past deep siblings.
	in := []byte(`{"any":` + string(nested("x", 1, maxDepth-2, "0")) + `,"items":[{"a":1},{"A":2}]}`)
	if err := CheckValidKeys(in, typ); err == nil || err.Error() != CheckKeys(in, typ).Error() {
		t.Errorf("key after deep nesting: %v, CheckKeys %v", err, CheckKeys(in, typ))
	}
}

// BenchmarkDeepNesting: six arrays nested 9,998 deep in one field (120 KB, which
// encoding/json accepts), checked by CheckKeys and by CheckValidKeys, each check in
// a new goroutine as a request's handler runs (so a check that recurses per level
// pays for growing its stack); their ratio shows what skipping a deeply nested
// value costs CheckValidKeys against the decoder's tokens.
func BenchmarkDeepNesting(b *testing.B) {
	typ := reflect.TypeFor[keyed]()
	in := nested("any", 6, maxDepth-2, "0")
	for _, c := range []struct {
		name  string
		check func([]byte, reflect.Type) error
	}{{"CheckKeys", CheckKeys}, {"CheckValidKeys", CheckValidKeys}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				errc := make(chan error)
				go func() { errc <- c.check(in, typ) }()
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
