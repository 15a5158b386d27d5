package cliapp

import (
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"
)

// EnvName is the one environment variable of a flag: prefix, then the flag's name
// in upper case with dashes as underscores.
func EnvName(prefix, flag string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// EnvVars is a flag's EnvVars: its one variable, EnvName.
func EnvVars(prefix, flag string) []string { return []string{EnvName(prefix, flag)} }

// PickFlag returns the definition of the flag named name in from, so a flag that
// several commands share keeps one meaning and one wording. It panics on a name
// that is not there: a typo in the command definitions, which any test building
// the app finds.
func PickFlag(from []cli.Flag, name string) cli.Flag {
	for _, f := range from {
		if f.Names()[0] == name {
			return f
		}
	}
	panic("no flag " + name)
}

// WithCategory returns a copy of f, a *cli.XxxFlag, shown under cat in help; a
// flag without its own Category field (e.g. altsrc's wrappers) comes back as is.
func WithCategory(f cli.Flag, cat string) cli.Flag {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return f
	}
	field, ok := v.Elem().Type().FieldByName("Category")
	if !ok || len(field.Index) != 1 || field.Type.Kind() != reflect.String {
		return f
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	c.Elem().Field(field.Index[0]).SetString(cat)
	return c.Interface().(cli.Flag)
}

// CategoriseFlags files the flags of commands that name no category under
// "Flags:", so every command's help is rendered by urfave/cli's category layout,
// which FlagHelp is written for (its flat layout indents each flag's lines a second
// time).
func CategoriseFlags(cmds []*cli.Command) {
	for _, cmd := range cmds {
		CategoriseFlags(cmd.Subcommands)
		categorised := false
		for _, f := range cmd.Flags {
			if cf, ok := f.(cli.CategorizableFlag); ok && cf.GetCategory() != "" {
				categorised = true
			}
		}
		if categorised {
			continue
		}
		for i, f := range cmd.Flags {
			cmd.Flags[i] = WithCategory(f, "Flags:")
		}
	}
}
