package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// errSyntax: CheckValidKeys met bytes that are not JSON.
var errSyntax = errors.New("not valid JSON")

// CheckValidKeys is CheckKeys for a caller that decodes data with encoding/json
// afterwards, which refuses what is not valid JSON: on valid JSON it refuses
// exactly what CheckKeys refuses, with the same error (FuzzCheckValidKeys), in one
// pass over the bytes without a json.Decoder's tokens (values are skipped, not
// decoded). Where it finds the bytes are not JSON it answers as CheckKeys; bytes
// that are not JSON in a way it does not look for (a literal, a number, a string's
// characters) may pass it, and the decoding that follows refuses them. Values whose
// keys are not checked are skipped without recursion, and nesting deeper than
// encoding/json accepts (maxDepth) is left to CheckKeys, so deep nesting costs
// neither more time nor more goroutine stack than CheckKeys.
func CheckValidKeys(data []byte, t reflect.Type) error {
	s := &keyScan{data: data}
	err := s.value(t, "")
	if errors.Is(err, errSyntax) {
		return CheckKeys(data, t)
	}
	return err
}

type keyScan struct {
	data []byte
	i    int
	// depth is how many objects and arrays whose keys or elements are checked
	// s.i is inside of.
	depth int
}

func (s *keyScan) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value checks the value at s.i against t, as walk does, and moves past it.
func (s *keyScan) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		if t.Implements(unmarshaler) {
			break
		}
		t = t.Elem()
	}
	if t == nil || t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) || t.Kind() == reflect.Interface {
		return s.skip()
	}
	s.ws()
	if s.i >= len(s.data) {
		return errSyntax
	}
	switch s.data[s.i] {
	case '{':
		fields, err := objectFields(t, path)
		if err != nil {
			return err
		}
		return s.object(t, fields, path)
	case '[':
		var elem reflect.Type
		if k := t.Kind(); k == reflect.Slice || k == reflect.Array {
			elem = t.Elem()
		}
		return s.array(func(i int) error { return s.value(elem, fmt.Sprintf("%s[%d]", path, i)) })
	}
	return s.skip()
}

// object checks an object's keys against fields (nil: a map's, any key) and its
// values against their types.
func (s *keyScan) object(t reflect.Type, fields map[string]reflect.Type, path string) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	seen := map[string]bool{}
	for first := true; ; first = false {
		s.ws()
		if s.i >= len(s.data) {
			return errSyntax
		}
		if s.data[s.i] == '}' {
			s.i++
			return nil
		}
		if !first {
			if s.data[s.i] != ',' {
				return errSyntax
			}
			s.i++
			s.ws()
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("%s: key %q appears twice", where(path), key)
		}
		seen[key] = true
		var elem reflect.Type
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				return fmt.Errorf("%s: unknown key %q (keys are case-sensitive)", where(path), key)
			}
			elem = ft
		} else {
			elem = t.Elem()
		}
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return errSyntax
		}
		s.i++
		if err := s.value(elem, path+"."+key); err != nil {
			return err
		}
	}
}

// array calls elem for each element of the array at s.i.
func (s *keyScan) array(elem func(int) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	for n := 0; ; n++ {
		s.ws()
		if s.i >= len(s.data) {
			return errSyntax
		}
		if s.data[s.i] == ']' {
			s.i++
			return nil
		}
		if n > 0 {
			if s.data[s.i] != ',' {
				return errSyntax
			}
			s.i++
		}
		if err := elem(n); err != nil {
			return err
		}
	}
}

// enter moves past the '{' or '[' at s.i, into an object or array whose keys or
// elements are checked.
func (s *keyScan) enter() error {
	if s.depth >= maxDepth {
		return errSyntax
	}
	s.depth++
	s.i++
	return nil
}

func (s *keyScan) leave() { s.depth-- }

// key reads an object key as encoding/json reads it (escapes and invalid UTF-8
// as json.Unmarshal into a string has them).
func (s *keyScan) key() (string, error) {
	start := s.i
	if err := s.skipString(); err != nil {
		return "", err
	}
	raw := s.data[start:s.i]
	plain := bytes.IndexByte(raw, '\\') < 0
	for _, c := range raw {
		if c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(raw[1 : len(raw)-1]), nil
	}
	var k string
	if json.Unmarshal(raw, &k) != nil {
		return "", errSyntax
	}
	return k, nil
}

// skipString moves past the string at s.i.
func (s *keyScan) skipString() error {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return errSyntax
	}
	for j := s.i + 1; j < len(s.data); {
		k := bytes.IndexAny(s.data[j:], `"\`)
		if k < 0 {
			break
		}
		j += k
		if s.data[j] == '\\' {
			j += 2
			continue
		}
		s.i = j + 1
		return nil
	}
	return errSyntax
}

// maxDepth is the deepest nesting of objects and arrays encoding/json accepts
// (its scanner's limit): deeper input is not JSON to it, so CheckValidKeys leaves
// it to CheckKeys, which answers as the decoder does.
const maxDepth = 10000

// skip moves past the value at s.i, whatever it holds (no keys are checked in it;
// an object's are taken as a json.RawMessage takes them). It keeps the objects and
// arrays it is inside of on a stack of their closing bytes, not on the goroutine's
// stack, so deep nesting costs one byte a level.
func (s *keyScan) skip() error {
	var open []byte // closing bytes of the objects and arrays s.i is inside of
	for {
		// A value starts at s.i.
		s.ws()
		if s.i >= len(s.data) {
			return errSyntax
		}
		switch c := s.data[s.i]; c {
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case '{', '[':
			if s.depth+len(open)+1 > maxDepth {
				return errSyntax
			}
			s.i++
			s.ws()
			if c == '{' {
				open = append(open, '}')
				if s.i < len(s.data) && s.data[s.i] != '}' {
					if err := s.skipKey(); err != nil {
						return err
					}
					continue
				}
			} else {
				open = append(open, ']')
				if s.i >= len(s.data) || s.data[s.i] != ']' {
					continue
				}
			}
		default:
			for s.i < len(s.data) && bytes.IndexByte([]byte(",]} \t\r\n"), s.data[s.i]) < 0 {
				s.i++
			}
		}
		// After a value: close what ends here, then go on to the next value.
		var err error
		if open, err = s.skipClose(open); err != nil || len(open) == 0 {
			return err
		}
	}
}

// skipClose moves past the closing bytes after a value that end the objects and
// arrays in open, and past the separator (and, in an object, the key) before the
// next value; it returns what is still open.
func (s *keyScan) skipClose(open []byte) ([]byte, error) {
	for len(open) > 0 {
		s.ws()
		if s.i >= len(s.data) {
			return nil, errSyntax
		}
		switch s.data[s.i] {
		case open[len(open)-1]:
			s.i++
			open = open[:len(open)-1]
			continue
		case ',':
			s.i++
			if open[len(open)-1] == '}' {
				s.ws()
				return open, s.skipKey()
			}
			return open, nil
		}
		return nil, errSyntax
	}
	return open, nil
}

// skipKey moves past an object's key and the colon after it.
func (s *keyScan) skipKey() error {
	if err := s.skipString(); err != nil {
		return err
	}
	s.ws()
	if s.i >= len(s.data) || s.data[s.i] != ':' {
		return errSyntax
	}
	s.i++
	return nil
}
