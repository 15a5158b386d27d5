package cliapp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/urfave/cli/v2/altsrc"
)

// WithEnv gives each flag its one variable on a copy, keeps a flag that has it
// already, and refuses (panics on) a flag that names another.
func TestWithEnv(t *testing.T) {
	orig := &cli.DurationFlag{Name: "tx-timeout"}
	picked := &cli.BoolFlag{Name: "yes", EnvVars: []string{"P_YES"}}
	out := WithEnv("P_", []cli.Flag{orig, picked})
	if got := out[0].(*cli.DurationFlag).EnvVars; !slices.Equal(got, []string{"P_TX_TIMEOUT"}) || orig.EnvVars != nil {
		t.Errorf("EnvVars %v (original %v), want [P_TX_TIMEOUT] on a copy", got, orig.EnvVars)
	}
	if out[1] != picked {
		t.Errorf("a flag with its one variable already was replaced")
	}
	for _, bad := range []cli.Flag{&cli.StringFlag{Name: "db", EnvVars: []string{"P_DATABASE"}}, &cli.StringFlag{Name: "db", EnvVars: []string{"P_DB", "DB"}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: no panic for another variable", bad.(*cli.StringFlag).EnvVars)
				}
			}()
			WithEnv("P_", []cli.Flag{bad})
		}()
	}
}

// WithCategory copies every urfave flag type with the new category and leaves the
// original alone (flags are shared between commands); a wrapper without its own
// Category field comes back unchanged, its inner flag untouched.
func TestWithCategory(t *testing.T) {
	for _, f := range []cli.Flag{&cli.StringFlag{Name: "s"}, &cli.Uint64Flag{Name: "u64"}, &cli.UintFlag{Name: "u"},
		&cli.IntFlag{Name: "i"}, &cli.Int64Flag{Name: "i64"}, &cli.BoolFlag{Name: "b"}, &cli.DurationFlag{Name: "d"},
		&cli.Float64Flag{Name: "f"}, &cli.StringSliceFlag{Name: "ss"}} {
		got := WithCategory(f, "Chain:")
		cf, ok := got.(cli.CategorizableFlag)
		if !ok || cf.GetCategory() != "Chain:" || got.Names()[0] != f.Names()[0] {
			t.Errorf("%T %s: got %T with category %q", f, f.Names()[0], got, cf.GetCategory())
		}
		if f.(cli.CategorizableFlag).GetCategory() != "" {
			t.Errorf("%T %s: the original was changed", f, f.Names()[0])
		}
	}
	inner := &cli.StringFlag{Name: "w", Category: "Serve:"}
	wrapped := altsrc.NewStringFlag(inner)
	if got := WithCategory(wrapped, "Chain:"); got != cli.Flag(wrapped) || inner.Category != "Serve:" {
		t.Errorf("altsrc wrapper: got %T, inner category %q", got, inner.Category)
	}
}

// WithDestination copies a flag with its Destination set and leaves the original
// alone; a flag of another value type is refused at once.
func TestWithDestination(t *testing.T) {
	orig := &cli.Uint64Flag{Name: "chain-id", Category: "Binding:"}
	var id uint64
	got := WithDestination(orig, &id).(*cli.Uint64Flag)
	if got.Destination != &id || got.Category != "Binding:" || orig.Destination != nil {
		t.Errorf("copy %+v, original %+v", got, orig)
	}
	defer func() {
		if recover() == nil {
			t.Error("a *string Destination for a uint64 flag was accepted")
		}
	}()
	WithDestination(orig, new(string))
}

// BindOver keeps what a file put in the struct unless the flag is given (on the
// command line or by its variable), and fills a field still zero with the flag's
// default.
func TestBindOver(t *testing.T) {
	type conf struct {
		URL  string
		Frac float64
		ID   uint64
		TEE  string
	}
	flags := func(c *conf) []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "url", Destination: &c.URL, EnvVars: []string{"T_URL"}},
			&cli.Float64Flag{Name: "frac", Destination: &c.Frac, Value: 0.5},
			&cli.Uint64Flag{Name: "id", Destination: &c.ID},
			&cli.StringFlag{Name: "tee", Destination: &c.TEE},
		}
	}
	over := func(file conf, args ...string) conf {
		t.Helper()
		if err := runCmd(t, flags(new(conf)), func(c *cli.Context) error { return BindOver(c, flags(&file)) }, args...); err != nil {
			t.Fatal(err)
		}
		return file
	}
	fromFile := conf{URL: "http://file", Frac: 0.25, ID: 7}
	if got := over(fromFile); got != (conf{URL: "http://file", Frac: 0.25, ID: 7}) {
		t.Errorf("file only: %+v", got)
	}
	if got := over(fromFile, "--url", "http://flag", "--id", "0", "--tee", "tdx"); got != (conf{URL: "http://flag", Frac: 0.25, ID: 0, TEE: "tdx"}) {
		t.Errorf("flags over file: %+v", got)
	}
	if got := over(conf{}); got != (conf{Frac: 0.5}) {
		t.Errorf("defaults under an empty file: %+v", got)
	}
	t.Setenv("T_URL", "http://env")
	if got := over(fromFile); got.URL != "http://env" {
		t.Errorf("a flag's variable does not override the file: %+v", got)
	}
}

// fieldFlag finds the flag bound to a field by its Go name or JSON key, and none
// for a field no flag binds; FlagNames WithValues names the flags with their values.
func TestFieldFlagWithValues(t *testing.T) {
	type conf struct {
		Oracles   int    `json:"oracles"`
		Threshold int    `json:"quorum_m"`
		Name      string `json:"name,omitempty"`
		Unbound   int
	}
	var cfg conf
	flags := func(c *conf) []cli.Flag {
		return []cli.Flag{&cli.StringFlag{Name: "other"}, &cli.IntFlag{Name: "oracles", Destination: &c.Oracles},
			&cli.IntFlag{Name: "threshold", Destination: &c.Threshold}, &cli.StringFlag{Name: "node-name", Destination: &c.Name}}
	}
	for field, want := range map[string]string{"Oracles": "oracles", "quorum_m": "threshold", "Threshold": "threshold", "name": "node-name", "Unbound": "", "nothing": ""} {
		if got := fieldFlag(flags(&cfg), &cfg, field); got != want {
			t.Errorf("fieldFlag(%s) = %q, want %q", field, got, want)
		}
	}
	if got := fieldFlag(flags(new(conf)), &cfg, "Oracles"); got != "" {
		t.Errorf("a flag bound to another struct named for this one: %q", got)
	}
	var got error
	err := runCmd(t, flags(new(conf)), func(c *cli.Context) error {
		got = FlagNames(fielderr.New(errors.New("want threshold <= oracles"), "", "Oracles", "Threshold", "Unbound"), &cfg, flags(&cfg), WithValues(c))
		return nil
	}, "--oracles", "2", "--threshold", "3")
	if err != nil || got == nil || got.Error() != "--oracles 2 --threshold 3 Unbound: want threshold <= oracles" {
		t.Errorf("FlagNames WithValues: %v (%v)", got, err)
	}
}

// PrintJSON indents by two spaces and ends with a newline; a value JSON cannot
// encode is an error saying so.
func TestPrintJSON(t *testing.T) {
	var b strings.Builder
	if err := PrintJSON(&b, map[string]any{"b": 1, "a": []string{"x"}}); err != nil || b.String() != "{\n  \"a\": [\n    \"x\"\n  ],\n  \"b\": 1\n}\n" {
		t.Errorf("%q %v", b.String(), err)
	}
	if err := PrintJSON(&b, func() {}); err == nil || !strings.HasPrefix(err.Error(), "write json: ") {
		t.Errorf("a func: %v", err)
	}
}

// FlagNames shows a fielderr.Error's fields as the flags whose Destination they
// are, nested structs and promoted fields included; a field no flag sets keeps its
// name, and other errors pass unchanged.
func TestFlagNames(t *testing.T) {
	type key struct{ File, Store string }
	type inner struct{ DB string }
	type conf struct {
		inner
		Key  key
		Wait int
		Free string
	}
	cfg := new(conf)
	flags := []cli.Flag{
		&cli.StringFlag{Name: "db", Destination: &cfg.DB},
		&cli.StringFlag{Name: "key-file", Destination: &cfg.Key.File},
		&cli.StringFlag{Name: "keystore", Destination: &cfg.Key.Store},
		&cli.StringFlag{Name: "free"},
		&cli.StringSliceFlag{Name: "list"},
	}
	cause := errors.New("cause")
	for _, tc := range []struct {
		fields []string
		want   string
	}{
		{[]string{"DB"}, "--db"},
		{[]string{"Key.File", "Key.Store"}, "--key-file --keystore"},
		{[]string{"Free", "Wait", "Key.Nope", "DB.Len"}, "Free Wait Key.Nope DB.Len"},
	} {
		err := FlagNames(fmt.Errorf("context: %w", fielderr.New(cause, "", tc.fields...)), cfg, flags)
		if got := err.Error(); got != tc.want+": cause" || !errors.Is(err, cause) {
			t.Errorf("%v: %q (is cause: %v), want %q", tc.fields, got, errors.Is(err, cause), tc.want)
		}
	}
	if err := FlagNames(cause, cfg, flags); err != cause {
		t.Errorf("an error about no field: %v", err)
	}
	if err := FlagNames(nil, cfg, flags); err != nil {
		t.Errorf("nil: %v", err)
	}
	// A flag pointing at a struct's first field is not taken for the struct.
	type outer struct{ In struct{ X string } }
	o := new(outer)
	fe := fielderr.New(nil, "", "In")
	if got := FlagNames(fe, o, []cli.Flag{&cli.StringFlag{Name: "x", Destination: &o.In.X}}).Error(); got != "In" {
		t.Errorf("struct field named as its first field's flag: %q", got)
	}
}

// Prefixes reads CIDRs masked to their length, and refuses an address without a
// length naming the flag and the value.
func TestPrefixes(t *testing.T) {
	flags := []cli.Flag{&cli.StringSliceFlag{Name: "cidr"}}
	var got []netip.Prefix
	read := func(c *cli.Context) (err error) { got, err = Prefixes(c, "cidr"); return err }
	if err := runCmd(t, flags, read, "--cidr", "10.1.2.3/8, 2001:db8::1/64", "--cidr", "192.0.2.7/32"); err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/64"), netip.MustParsePrefix("192.0.2.7/32")}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if err := runCmd(t, flags, read, "--cidr", "10.0.0.1"); err == nil || !strings.Contains(err.Error(), `--cidr "10.0.0.1"`) {
		t.Errorf("address without a length: %v", err)
	}
}

// A FlagReader reads prefixes as Prefixes does, and keeps its refusal.
func TestFlagReaderPrefixes(t *testing.T) {
	flags := []cli.Flag{&cli.StringSliceFlag{Name: "cidr"}}
	var got []netip.Prefix
	read := func(c *cli.Context) error { r := Read(c); got = r.Prefixes("cidr"); return r.Err() }
	if err := runCmd(t, flags, read, "--cidr", "10.1.2.3/8"); err != nil || !slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}) {
		t.Errorf("got %v, %v", got, err)
	}
	if err := runCmd(t, flags, read, "--cidr", "10.0.0.1"); err == nil || !strings.Contains(err.Error(), `--cidr "10.0.0.1"`) {
		t.Errorf("address without a length: %v", err)
	}
}
