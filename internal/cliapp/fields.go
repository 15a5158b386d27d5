package cliapp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"
)

// FieldFlag returns the name of the flag among flags whose Destination is the
// field of cfg (a pointer to a struct) named field, by its Go name or its JSON key,
// a promoted field of an embedded struct too, and "Key.File" for a field of a
// nested struct; so an error a configuration type's Check reports by field names
// the flag that sets it. "" when no flag binds that field.
func FieldFlag(flags []cli.Flag, cfg any, field string) string {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer {
		return ""
	}
	v = v.Elem()
	for _, name := range strings.Split(field, ".") {
		if v = fieldNamed(v, name); !v.IsValid() {
			return ""
		}
	}
	for _, f := range flags {
		fv := reflect.ValueOf(f)
		if fv.Kind() != reflect.Pointer || fv.Elem().Kind() != reflect.Struct {
			continue
		}
		d := fv.Elem().FieldByName("Destination")
		if d.IsValid() && d.Kind() == reflect.Pointer && !d.IsNil() && d.Pointer() == v.Addr().Pointer() && d.Elem().Type() == v.Type() {
			return f.Names()[0]
		}
	}
	return ""
}

// fieldNamed is the field of s (a promoted one too) that Go or its JSON key names
// name, or the zero Value.
func fieldNamed(s reflect.Value, name string) reflect.Value {
	if s.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	if f := s.FieldByName(name); f.IsValid() {
		return f
	}
	for i := range s.NumField() {
		if strings.Split(s.Type().Field(i).Tag.Get("json"), ",")[0] == name {
			return s.Field(i)
		}
	}
	return reflect.Value{}
}

// FieldsError is err, refused by a configuration type's Check for the fields of
// cfg named, prefixed with the flags that set those fields and their values:
// "--oracles 2 --threshold 3: ...". A field no flag binds is named as is.
func FieldsError(c *cli.Context, flags []cli.Flag, cfg any, fields []string, err error) error {
	named := make([]string, len(fields))
	for i, field := range fields {
		if flag := FieldFlag(flags, cfg, field); flag != "" {
			named[i] = fmt.Sprintf("--%s %v", flag, c.Value(flag))
		} else {
			named[i] = field
		}
	}
	return fmt.Errorf("%s: %w", strings.Join(named, " "), err)
}

// FieldError is an error about fields of a configuration struct, which it names as
// FieldFlag takes them; Describe is the error with each field shown as name(field).
type FieldError interface {
	error
	Describe(name func(field string) string) string
}

// NameFlags returns err, when it is (or wraps) a FieldError about fields of cfg,
// as that FieldError with each field shown as the flag that sets it (FieldFlag),
// "--db" in place of "DB"; a field no flag sets keeps its name. errors.Is and
// errors.As still see err. Any other error is returned as it is.
func NameFlags(err error, cfg any, flags []cli.Flag) error {
	var fe FieldError
	if !errors.As(err, &fe) {
		return err
	}
	return &flagError{msg: fe.Describe(func(field string) string {
		if name := FieldFlag(flags, cfg, field); name != "" {
			return "--" + name
		}
		return field
	}), err: err}
}

type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }
