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
// characters) may pass it, and the decoding that follows refuses them.
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
		var fields map[string]reflect.Type
		switch t.Kind() {
		case reflect.Struct:
			fields = structFields(t)
		case reflect.Map:
		default:
			return fmt.Errorf("%s: an object where %s was expected", where(path), t)
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
	s.i++ // '{'
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
	s.i++ // '['
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

// skip moves past the value at s.i, whatever it holds (no keys are checked in it).
func (s *keyScan) skip() error {
	s.ws()
	if s.i >= len(s.data) {
		return errSyntax
	}
	switch s.data[s.i] {
	case '"':
		return s.skipString()
	case '{':
		return s.skipObject()
	case '[':
		return s.array(func(int) error { return s.skip() })
	}
	for s.i < len(s.data) && bytes.IndexByte([]byte(",]} \t\r\n"), s.data[s.i]) < 0 {
		s.i++
	}
	return nil
}

// skipObject moves past the object at s.i, its keys unchecked (as a
// json.RawMessage takes it).
func (s *keyScan) skipObject() error {
	s.i++ // '{'
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
		if err := s.skipString(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return errSyntax
		}
		s.i++
		if err := s.skip(); err != nil {
			return err
		}
	}
}
