package cliapp

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// EnvName is the one environment variable of a flag: prefix, then the flag's name
// in upper case with dashes as underscores.
func EnvName(prefix, flag string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// EnvVars is a flag's EnvVars: its one variable, EnvName.
func EnvVars(prefix, flag string) []string { return []string{EnvName(prefix, flag)} }

// WithEnv returns flags, *cli.XxxFlag values, each given its one environment
// variable (EnvVars of prefix and its name), so that a command's definitions keep
// the rule by construction and never repeat the name. A flag that already has that
// variable (one picked from another command's definitions) is kept as it is; one
// naming any other variable is a mistake in the definitions, and WithEnv panics,
// as any test building them finds.
func WithEnv(prefix string, flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		want := EnvVars(prefix, f.Names()[0])
		if ev, ok := f.(interface{ GetEnvVars() []string }); ok && len(ev.GetEnvVars()) > 0 {
			if !slices.Equal(ev.GetEnvVars(), want) {
				panic(fmt.Sprintf("flag %s: environment variables %v, want %v", f.Names()[0], ev.GetEnvVars(), want))
			}
			out[i] = f
			continue
		}
		if out[i] = withField(f, "EnvVars", reflect.ValueOf(want)); out[i] == f {
			panic(fmt.Sprintf("flag %s (%T) takes no EnvVars", f.Names()[0], f))
		}
	}
	return out
}

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

// PickFlags returns the definitions of the flags named names in from, in from's
// order, each filed under category (WithCategory) unless it is "". It panics on a
// name that is not there, as PickFlag does.
func PickFlags(from []cli.Flag, category string, names ...string) []cli.Flag {
	var out []cli.Flag
	for _, f := range from {
		if slices.Contains(names, f.Names()[0]) {
			if category != "" {
				f = WithCategory(f, category)
			}
			out = append(out, f)
		}
	}
	if len(out) != len(names) {
		panic(fmt.Sprintf("flags %v: %d of them found", names, len(out)))
	}
	return out
}

// WithCategory returns a copy of f, a *cli.XxxFlag, shown under cat in help; a
// flag without its own Category field (e.g. altsrc's wrappers) comes back as is.
func WithCategory(f cli.Flag, cat string) cli.Flag {
	return withField(f, "Category", reflect.ValueOf(cat))
}

// WithDestination returns a copy of f, a *cli.XxxFlag, whose Destination is dest
// (a pointer to the flag's value type), so a flag several commands share binds
// into each one's configuration (Bind, BindOver). It panics when f has no such
// field: a mistake in the command definitions, which any test building them finds.
func WithDestination(f cli.Flag, dest any) cli.Flag {
	out := withField(f, "Destination", reflect.ValueOf(dest))
	if out == f {
		panic(fmt.Sprintf("flag %s (%T) takes no Destination %T", f.Names()[0], f, dest))
	}
	return out
}

// withField returns a copy of f, a pointer to a flag struct, with its field name
// set to v, or f itself when it has no such field of v's type.
func withField(f cli.Flag, name string, v reflect.Value) cli.Flag {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Pointer || fv.Elem().Kind() != reflect.Struct {
		return f
	}
	field, ok := fv.Elem().Type().FieldByName(name)
	if !ok || len(field.Index) != 1 || field.Type != v.Type() {
		return f
	}
	c := reflect.New(fv.Elem().Type())
	c.Elem().Set(fv.Elem())
	c.Elem().Field(field.Index[0]).Set(v)
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

// Bind sets each flag's Destination to the value c holds for it (given on the
// command line, by its variable or by a settings file, else its default), so a
// configuration struct is filled from the flag definitions that point into it:
// the binding is written once, in the definition. Flags without a Destination,
// and slice flags (whose Destination is urfave/cli's own type), are left alone.
func Bind(c *cli.Context, flags []cli.Flag) error {
	return bind(c, flags, func(string, reflect.Value) bool { return true })
}

// BindOver is Bind for a struct that already holds settings from elsewhere (a
// configuration file of the command's own format): a flag given on the command
// line or by its variable overrides its field, and a flag's default fills only a
// field still zero, so flags win over the file and the file over defaults.
func BindOver(c *cli.Context, flags []cli.Flag) error {
	return bind(c, flags, func(name string, dest reflect.Value) bool { return c.IsSet(name) || dest.IsZero() })
}

// bind sets the Destination of each flag for which set says so.
func bind(c *cli.Context, flags []cli.Flag, set func(name string, dest reflect.Value) bool) error {
	for _, f := range flags {
		v := reflect.ValueOf(f)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		d := v.Elem().FieldByName("Destination")
		if !d.IsValid() || d.Kind() != reflect.Pointer || d.IsNil() {
			continue
		}
		name := f.Names()[0]
		if !set(name, d.Elem()) {
			continue
		}
		val := reflect.ValueOf(c.Value(name))
		if !val.IsValid() || !val.Type().AssignableTo(d.Elem().Type()) {
			return fmt.Errorf("--%s: no %s value to bind (%T)", name, d.Elem().Type(), c.Value(name))
		}
		d.Elem().Set(val)
	}
	return nil
}

// Positive is a flag Action refusing a value below 1 (or a zero duration), naming
// the flag.
func Positive[T int | int64 | uint64 | float64 | time.Duration](flag string) func(*cli.Context, T) error {
	return func(_ *cli.Context, v T) error {
		if v <= 0 {
			return fmt.Errorf("--%s %v: must be positive", flag, v)
		}
		return nil
	}
}

// NotNegative is a flag Action refusing a negative value, naming the flag; what
// says what zero means, as the refusal explains it ("" for nothing).
func NotNegative[T int | int64 | time.Duration](flag, what string) func(*cli.Context, T) error {
	return func(_ *cli.Context, v T) error {
		if v < 0 {
			if what != "" {
				return fmt.Errorf("--%s %v: must not be negative (%s)", flag, v, what)
			}
			return fmt.Errorf("--%s %v: must not be negative", flag, v)
		}
		return nil
	}
}

// OneOf is a string flag Action refusing a value not among choices, naming the
// flag: "--format yaml: want text or json".
func OneOf(flag string, choices ...string) func(*cli.Context, string) error {
	return func(_ *cli.Context, v string) error {
		if slices.Contains(choices, v) {
			return nil
		}
		return fmt.Errorf("--%s %q: want %s or %s", flag, v, strings.Join(choices[:len(choices)-1], ", "), choices[len(choices)-1])
	}
}

// Between is an int flag Action refusing a value outside lo..hi, naming the flag.
func Between(flag string, lo, hi int) func(*cli.Context, int) error {
	return func(_ *cli.Context, v int) error {
		if v < lo || v > hi {
			return fmt.Errorf("--%s %d: want %d..%d", flag, v, lo, hi)
		}
		return nil
	}
}
