package cliapp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/fielderr"
)

// fieldFlag returns the name of the flag among flags whose Destination is the
// field of cfg (a pointer to a struct) named field, by its Go name or its JSON key,
// a promoted field of an embedded struct too, and "Key.File" for a field of a
// nested struct; so an error a configuration type's Check reports by field names
// the flag that sets it. "" when no flag binds that field.
func fieldFlag(flags []cli.Flag, cfg any, field string) string {
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

// FlagNames returns err, when it is (or wraps) a *fielderr.Error about fields of
// cfg, told with each field as the flag that sets it, "--db" in place of "DB": the
// flag among flags whose Destination the field is (fieldFlag), else the flag opts
// name for it (ByTable); a field no flag sets keeps its name. errors.Is and
// errors.As still see err. Any other error is returned as it is.
func FlagNames(err error, cfg any, flags []cli.Flag, opts ...NameOption) error {
	var fe *fielderr.Error
	if !errors.As(err, &fe) {
		return err
	}
	var n namer
	for _, o := range opts {
		o(&n)
	}
	return &flagError{msg: fe.Describe(func(field string) string {
		flag := fieldFlag(flags, cfg, field)
		if flag == "" {
			flag = n.table[field]
		}
		switch {
		case flag == "" && n.file != "":
			return "--" + n.file + ": " + field
		case flag == "":
			return field
		case n.file != "":
			return fmt.Sprintf("--%s (or %s in --%s)", flag, field, n.file)
		case n.values != nil:
			return fmt.Sprintf("--%s %v", flag, n.values.Value(flag))
		}
		return "--" + flag
	}), err: err}
}

// A NameOption changes how FlagNames names a field.
type NameOption func(*namer)

type namer struct {
	values *cli.Context
	table  map[string]string
	file   string
}

// WithValues shows each flag with its value in c: "--oracles 2".
func WithValues(c *cli.Context) NameOption { return func(n *namer) { n.values = c } }

// ByTable names the flags of fields that no flag binds through Destination (a
// list of addresses, an integer of a narrower type, a value a file may give
// instead): field name to flag name.
func ByTable(flags map[string]string) NameOption { return func(n *namer) { n.table = flags } }

// InFile says the fields are keys of the settings file given by flag, which the
// flags override: "--oracle-url (or oracle_url in --agent-config)", and
// "--agent-config: workload" for a key no flag sets.
func InFile(flag string) NameOption { return func(n *namer) { n.file = flag } }

type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }
