package cliapp

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"
)

// FieldFlag returns the name of the flag among flags whose Destination is the
// field of cfg (a pointer to a struct) named field, by its Go name or its JSON key,
// so an error a configuration type's Check reports by field names the flag that
// sets it; "" when no flag binds that field.
func FieldFlag(flags []cli.Flag, cfg any, field string) string {
	s := reflect.ValueOf(cfg).Elem()
	for i := range s.NumField() {
		sf := s.Type().Field(i)
		if sf.Name != field && strings.Split(sf.Tag.Get("json"), ",")[0] != field {
			continue
		}
		addr := s.Field(i).Addr().Pointer()
		for _, f := range flags {
			v := reflect.ValueOf(f)
			if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
				continue
			}
			if d := v.Elem().FieldByName("Destination"); d.IsValid() && d.Kind() == reflect.Pointer && d.Pointer() == addr {
				return f.Names()[0]
			}
		}
	}
	return ""
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
