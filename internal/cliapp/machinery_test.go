package cliapp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/fielderr"
)

// runCmd runs one command with flags on args and returns what action returned.
func runCmd(t *testing.T, flags []cli.Flag, action cli.ActionFunc, args ...string) error {
	t.Helper()
	app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{Name: "c", Flags: flags, Action: action}}}
	return app.Run(append([]string{"t", "c"}, args...))
}

// ExitStatus prints the message and returns the wrapped status; an error without
// one gets the fallback, and no error 0.
func TestExitStatus(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		name string
		err  error
		want int
		out  string
	}{
		{"none", nil, 0, ""},
		{"status", Exit(1, nil), 1, ""},
		{"wrapped", errors.Join(errors.New("x"), Exit(3, errors.New("bad"))), 3, "t: x\nbad\n"},
		{"plain", errors.New("plain"), 2, "t: plain\n"},
	} {
		buf.Reset()
		if got := ExitStatus(tc.err, &buf, "t", 2); got != tc.want || buf.String() != tc.out {
			t.Errorf("%s: status %d, printed %q; want %d, %q", tc.name, got, buf.String(), tc.want, tc.out)
		}
	}
	inner := errors.New("inner")
	if forced := errors.Join(inner, Exit(130, nil)); ExitStatus(Exit(2, forced), io.Discard, "t", 2) != 130 {
		t.Error("Exit replaced the status its error already carries")
	}
	if !errors.Is(Exit(2, inner), inner) {
		t.Error("Exit does not unwrap to its error")
	}
}

// NewLogger honours --log-level and --log-format and refuses other values naming them.
func TestNewLogger(t *testing.T) {
	var out bytes.Buffer
	logAt := func(args ...string) error {
		out.Reset()
		app := &cli.App{Name: "t", Flags: LogFlags("", "T_"), Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
			Action: func(c *cli.Context) error {
				if _, err := NewLogger(c, &out); err != nil {
					return err
				}
				Logger(c).Info("hello", "k", "v")
				Logger(c).Debug("hidden")
				return nil
			}}
		return app.Run(append([]string{"t"}, args...))
	}
	if err := logAt(); err != nil || out.Len() != 0 {
		t.Errorf("default (warn): %v, %q", err, out.String())
	}
	if err := logAt("--log-level", "info", "--log-format", "json"); err != nil || !strings.HasPrefix(out.String(), "{") || strings.Contains(out.String(), "hidden") {
		t.Errorf("info json: %v, %q", err, out.String())
	}
	if err := logAt("--log-level", "loud"); err == nil {
		t.Error("--log-level loud accepted")
	}
	if err := logAt("--log-format", "xml"); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format xml: %v", err)
	}
}

// An old flag name sets the current flag, hidden, with its own variable; the
// current name wins when both are given.
func TestAddFlagAliases(t *testing.T) {
	var got string
	app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{Name: "c", Flags: []cli.Flag{&cli.StringFlag{Name: "machine-id"}},
			Action: func(c *cli.Context) error { got = c.String("machine-id"); return nil }}}}
	AddFlagAliases(app.Commands, []Alias{{Old: "machine", Current: "machine-id"}, {Old: "key", Current: "tee-key"}}, "T_")
	if n := len(app.Commands[0].Flags); n != 2 {
		t.Fatalf("%d flags, want the alias of machine-id only", n)
	}
	old := app.Commands[0].Flags[1].(*cli.StringFlag)
	if !old.Hidden || old.EnvVars[0] != "T_MACHINE" {
		t.Errorf("alias flag %+v", old)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{{[]string{"--machine", "a"}, "a"}, {[]string{"--machine", "a", "--machine-id", "b"}, "b"}, {nil, ""}} {
		got = "unset"
		if err := app.Run(append([]string{"t", "c"}, tc.args...)); err != nil || got != tc.want {
			t.Errorf("%v: %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}

// Confirmed runs the action only with --yes or a "yes" typed at a terminal.
func TestConfirmed(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Prompt
		args []string
		ran  bool
	}{
		{"yes flag", Prompt{}, []string{"--yes"}, true},
		{"no terminal", Prompt{In: strings.NewReader("yes\n"), IsTerminal: func() bool { return false }}, nil, false},
		{"typed yes", Prompt{In: strings.NewReader("yes\n"), IsTerminal: func() bool { return true }}, nil, true},
		{"typed no", Prompt{In: strings.NewReader("y\n"), IsTerminal: func() bool { return true }}, nil, false},
	} {
		ran := false
		act := Confirmed(tc.p, "yes", func(*cli.Context) string { return "do it" }, func(*cli.Context) error { ran = true; return nil })
		err := runCmd(t, []cli.Flag{&cli.BoolFlag{Name: "yes"}}, act, tc.args...)
		if ran != tc.ran || (!tc.ran && !errors.Is(err, ErrNotConfirmed)) {
			t.Errorf("%s: ran %v, err %v", tc.name, ran, err)
		}
	}
}

// Each parser accepts its form and refuses the rest naming the flag; empty is zero
// unless required.
func TestParsers(t *testing.T) {
	flags := []cli.Flag{&cli.StringFlag{Name: "a"}, &cli.StringFlag{Name: "hash"}, &cli.StringSliceFlag{Name: "as"},
		&cli.StringFlag{Name: "salt"}, &cli.UintFlag{Name: "m"}}
	parse := func(args ...string) (err error, a common.Address, h common.Hash, as []common.Address, salt common.Hash, m uint) {
		err = runCmd(t, flags, func(c *cli.Context) error {
			var errs [5]error
			a, errs[0] = Address(c, "a")
			h, errs[1] = Hash(c, "hash")
			as, errs[2] = Addresses(c, "as")
			salt, errs[3] = Salt(c, "salt")
			m, errs[4] = UintIn(c, "m", 1, 3)
			return errors.Join(errs[:]...)
		}, args...)
		return
	}
	addr := "0x00000000000000000000000000000000000000aa"
	good := []string{"--a", addr, "--hash", "0x" + strings.Repeat("11", 32), "--as", addr + ", " + addr, "--as", addr, "--salt", "0x01", "--m", "2"}
	err, a, h, as, salt, m := parse(good...)
	if err != nil || a != common.HexToAddress(addr) || h[0] != 0x11 || len(as) != 3 || salt != common.BigToHash(common.Big1) || m != 2 {
		t.Fatalf("good input: %v %v %v %v %v %v", err, a, h, as, salt, m)
	}
	for i, bad := range [][2]string{{"--a", "0x12"}, {"--hash", "0x11"}, {"--as", "nope"}, {"--salt", "0x" + strings.Repeat("00", 33)}, {"--m", "4"}} {
		args := append([]string{}, good...)
		for j := 0; j < len(args); j += 2 {
			if args[j] == bad[0] {
				args[j+1] = bad[1]
			}
		}
		if err, _, _, _, _, _ := parse(args...); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("case %d %v: %v, want a refusal naming the flag", i, bad, err)
		}
	}
	err, a, h, _, _, _ = parse("--salt", "0x01", "--m", "1")
	if err != nil || a != (common.Address{}) || h != (common.Hash{}) {
		t.Errorf("empty optional flags: %v %v %v", err, a, h)
	}
	if err, _, _, _, _, _ := parse("--m", "1"); err == nil || !strings.Contains(err.Error(), "--salt is required") {
		t.Errorf("missing salt: %v", err)
	}
	if err, _, _, _, _, _ := parse("--salt", "0x01"); err == nil || !strings.Contains(err.Error(), "--m is required (1..3)") {
		t.Errorf("missing m: %v", err)
	}
	if err := runCmd(t, flags, func(c *cli.Context) error { _, err := RequiredHash(c, "hash"); return err }); err == nil {
		t.Error("RequiredHash accepted an empty flag")
	}
}

func TestOutputHelpers(t *testing.T) {
	if UnixTime(0) != "0" || UnixTime(1700000000) != "1700000000 (2023-11-14T22:13:20Z)" || RFC3339(0) != "1970-01-01T00:00:00Z" {
		t.Errorf("UnixTime: %q %q", UnixTime(0), UnixTime(1700000000))
	}
	if NoneIfZero(0, "x") != "none" || NoneIfZero(2, "x") != "x" {
		t.Error("NoneIfZero")
	}
	path := filepath.Join(t.TempDir(), "out")
	if err := WriteNewFile(path, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := WriteNewFile(path, []byte("b")); !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "a" {
		t.Errorf("file holds %q: overwritten", b)
	}
	var buf bytes.Buffer
	if err := (BuildInfo{Version: "v1", Revision: "abc", Modified: true, GoVersion: "go1.x"}).Print(&buf, "t"); err != nil ||
		buf.String() != "t v1\nrevision abc (modified)\ngo go1.x\n" {
		t.Errorf("Print: %q", buf.String())
	}
	if b := ReadBuildInfo(); b.GoVersion == "" {
		t.Error("ReadBuildInfo: no Go version in a test binary")
	}
}

// CategoriseFlags files uncategorised commands' flags under "Flags:" and leaves a
// command with categories alone; PickFlag finds a flag by its name.
func TestCategoriseAndPick(t *testing.T) {
	plain := &cli.Command{Name: "p", Flags: []cli.Flag{&cli.StringFlag{Name: "x"}}}
	own := &cli.Command{Name: "o", Flags: []cli.Flag{&cli.StringFlag{Name: "y", Category: "Mine:"}, &cli.StringFlag{Name: "z"}}}
	CategoriseFlags([]*cli.Command{{Name: "top", Subcommands: []*cli.Command{plain}}, own})
	if plain.Flags[0].(cli.CategorizableFlag).GetCategory() != "Flags:" || own.Flags[1].(cli.CategorizableFlag).GetCategory() != "" {
		t.Errorf("categories: %v %v", plain.Flags[0], own.Flags[1])
	}
	if PickFlag(own.Flags, "z") != own.Flags[1] || !HasFlag(own.Flags, "y") || HasFlag(own.Flags, "w") {
		t.Error("PickFlag/HasFlag")
	}
	picked := PickFlags(own.Flags, "Other:", "z", "y")
	if len(picked) != 2 || picked[0].Names()[0] != "y" || picked[1].(cli.CategorizableFlag).GetCategory() != "Other:" ||
		own.Flags[0].(cli.CategorizableFlag).GetCategory() != "Mine:" {
		t.Errorf("PickFlags: %v, want y then z, under Other:, the originals unchanged", picked)
	}
	if kept := PickFlags(own.Flags, "", "y"); kept[0] != own.Flags[0] {
		t.Error("PickFlags without a category copied the flag")
	}
	for name, pick := range map[string]func(){"PickFlag": func() { PickFlag(own.Flags, "w") }, "PickFlags": func() { PickFlags(own.Flags, "", "y", "w") }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of a missing flag did not panic", name)
				}
			}()
			pick()
		}()
	}
}

// Bind fills each Destination from the parsed flags (given or default) and skips
// flags without one; Positive and NotNegative refuse a bad value naming the flag.
func TestBindAndBounds(t *testing.T) {
	type conf struct {
		Name  string
		Wait  time.Duration
		Count int
		Keep  time.Duration
	}
	var cfg conf
	flags := func(cfg *conf) []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "name", Destination: &cfg.Name, Value: "dflt"},
			&cli.DurationFlag{Name: "wait", Destination: &cfg.Wait, Value: time.Second, Action: Positive[time.Duration]("wait")},
			&cli.IntFlag{Name: "count", Destination: &cfg.Count, Action: Positive[int]("count")},
			&cli.DurationFlag{Name: "keep", Destination: &cfg.Keep, Action: NotNegative[time.Duration]("keep", "0 keeps all")},
			&cli.StringFlag{Name: "other"},
		}
	}
	bind := func(args ...string) error {
		// The command's own flags write into a throwaway; Bind fills cfg from the
		// context alone.
		cfg = conf{}
		return runCmd(t, flags(new(conf)), func(c *cli.Context) error { return Bind(c, flags(&cfg)) }, args...)
	}
	if err := bind("--count", "3", "--other", "x"); err != nil || cfg.Name != "dflt" || cfg.Wait != time.Second || cfg.Count != 3 {
		t.Fatalf("bind: %v, %+v", err, cfg)
	}
	for _, tc := range [][]string{{"--wait", "0s"}, {"--count", "-1"}, {"--keep", "-1s"}} {
		if err := bind(tc...); err == nil || !strings.Contains(err.Error(), tc[0]+" "+tc[1]) {
			t.Errorf("%v: %v, want a refusal naming the flag and value", tc, err)
		}
	}
	if err := bind("--keep", "-1s"); err == nil || !strings.Contains(err.Error(), "(0 keeps all)") {
		t.Errorf("NotNegative: %v", err)
	}
	mismatched := []cli.Flag{&cli.IntFlag{Name: "n", Destination: new(int)}}
	err := runCmd(t, mismatched, func(c *cli.Context) error {
		return Bind(c, []cli.Flag{&cli.StringFlag{Name: "n", Destination: new(string)}})
	})
	if err == nil {
		t.Error("Bind put an int into a string")
	}
}

func TestOneOf(t *testing.T) {
	act := OneOf("format", "text", "json")
	if act(nil, "json") != nil {
		t.Error("json refused")
	}
	if err := act(nil, "yaml"); err == nil || err.Error() != `--format "yaml": want text or json` {
		t.Errorf("yaml: %v", err)
	}
	if err := OneOf("tee", "sev-snp", "tdx", "auto")(nil, "x"); err == nil || err.Error() != `--tee "x": want sev-snp, tdx or auto` {
		t.Errorf("three choices: %v", err)
	}
}

func TestBetween(t *testing.T) {
	act := Between("n", 0, 16)
	if act(nil, 0) != nil || act(nil, 16) != nil {
		t.Error("bounds refused")
	}
	for _, v := range []int{-1, 17} {
		if err := act(nil, v); err == nil || !strings.HasPrefix(err.Error(), "--n ") || !strings.HasSuffix(err.Error(), ": want 0..16") {
			t.Errorf("%d: %v", v, err)
		}
	}
}

// Time and HexBytes: empty is the default, a good value parses, a bad one is
// refused naming the flag.
func TestTimeAndHexBytes(t *testing.T) {
	def := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	flags := []cli.Flag{&cli.StringFlag{Name: "at"}, &cli.StringFlag{Name: "rd"}}
	parse := func(args ...string) (at time.Time, rd []byte, err error) {
		err = runCmd(t, flags, func(c *cli.Context) error {
			var e1, e2 error
			at, e1 = Time(c, "at", def)
			rd, e2 = HexBytes(c, "rd", 2)
			return errors.Join(e1, e2)
		}, args...)
		return
	}
	if at, rd, err := parse(); err != nil || !at.Equal(def) || rd != nil {
		t.Errorf("defaults: %v %x %v", at, rd, err)
	}
	if at, rd, err := parse("--at", "2025-01-02T03:04:05Z", "--rd", "0xabcd"); err != nil || at.Year() != 2025 || len(rd) != 2 {
		t.Errorf("values: %v %x %v", at, rd, err)
	}
	if _, _, err := parse("--at", "yesterday"); err == nil || !strings.Contains(err.Error(), "--at") {
		t.Errorf("bad time: %v", err)
	}
	if _, _, err := parse("--rd", "0xab"); err == nil || err.Error() != `--rd: want 0x and 4 hex digits (2 bytes), got "0xab"` {
		t.Errorf("short hex: %v", err)
	}
}

// A FlagReader reads flags in a row and keeps the first refusal, naming its flag;
// Given splits flags into those given and those not.
func TestFlagReaderAndGiven(t *testing.T) {
	flags := []cli.Flag{&cli.StringFlag{Name: "a"}, &cli.StringSliceFlag{Name: "as"}, &cli.StringFlag{Name: "hash"},
		&cli.StringFlag{Name: "rh"}, &cli.StringFlag{Name: "at"}, &cli.StringFlag{Name: "rd"}, &cli.UintFlag{Name: "m", Value: 2}}
	def := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	type got struct {
		a      common.Address
		as     []common.Address
		h, rh  common.Hash
		at     time.Time
		rd     []byte
		m      uint
		set    []string
		unset  []string
		errMsg string
	}
	read := func(args ...string) (g got) {
		err := runCmd(t, flags, func(c *cli.Context) error {
			r := Read(c)
			g.a, g.as, g.h, g.rh = r.Address("a"), r.Addresses("as"), r.Hash("hash"), r.RequiredHash("rh")
			g.at, g.rd = r.Time("at", def), r.HexBytes("rd", 2)
			if c.IsSet("m") {
				g.m = r.UintIn("m", 1, 3)
			}
			g.set, g.unset = Given(c, "a", "hash", "at")
			return r.Err()
		}, args...)
		if err != nil {
			g.errMsg = err.Error()
		}
		return g
	}
	addr, hash := "0x00000000000000000000000000000000000000aa", "0x"+strings.Repeat("11", 32)
	g := read("--a", addr, "--as", addr+","+addr, "--rh", hash, "--at", "2025-01-02T03:04:05Z", "--rd", "0xabcd", "--m", "3")
	if g.errMsg != "" || g.a != common.HexToAddress(addr) || len(g.as) != 2 || g.h != (common.Hash{}) || g.rh[0] != 0x11 ||
		g.at.Year() != 2025 || len(g.rd) != 2 || g.m != 3 {
		t.Fatalf("good input: %+v", g)
	}
	if strings.Join(g.set, " ") != "--a --at" || strings.Join(g.unset, " ") != "--hash" {
		t.Errorf("Given: set %v, unset %v", g.set, g.unset)
	}
	if g := read("--rh", hash); g.errMsg != "" || !g.at.Equal(def) || g.rd != nil {
		t.Errorf("defaults: %+v", g)
	}
	// The first refusal is kept, whatever comes after it.
	if g := read("--a", "0x12", "--rh", hash, "--rd", "0xab"); !strings.HasPrefix(g.errMsg, `--a "0x12"`) {
		t.Errorf("two bad flags: %q, want the first (--a)", g.errMsg)
	}
	if g := read("--rh", hash, "--rd", "0xab"); !strings.HasPrefix(g.errMsg, "--rd") {
		t.Errorf("bad --rd: %q", g.errMsg)
	}
	if g := read("--rh", hash, "--m", "4"); g.errMsg != "--m 4: want 1..3" {
		t.Errorf("--m out of range: %q", g.errMsg)
	}
	if g := read(); g.errMsg != "--rh is required" {
		t.Errorf("missing required hash: %q", g.errMsg)
	}
}

// FlagNames ByTable names fields no flag binds, a second field in the text too,
// keeps the error reachable by errors.As, and leaves other errors (and nil) alone;
// InFile names a settings file's keys beside their flags, and the file for the
// keys no flag sets.
func TestFlagNamesByTableInFile(t *testing.T) {
	table := ByTable(map[string]string{"Threshold": "threshold", "Oracles": "oracle"})
	err := FlagNames(fmt.Errorf("deploy: %w", fielderr.New(nil, "%s 3: above %s", "Threshold", "Oracles")), nil, nil, table)
	var fe *fielderr.Error
	if err == nil || err.Error() != "--threshold 3: above --oracle" || !errors.As(err, &fe) {
		t.Errorf("FlagNames = %v, want the flags named and the field error kept", err)
	}
	plain := errors.New("plain")
	if FlagNames(plain, nil, nil, table) != plain || FlagNames(nil, nil, nil, table) != nil {
		t.Error("FlagNames changed an error that names no field")
	}
	type settings struct {
		URL      string `json:"oracle_url"`
		Workload any    `json:"workload"`
	}
	s := new(settings)
	flags := []cli.Flag{&cli.StringFlag{Name: "oracle-url", Destination: &s.URL}}
	for field, want := range map[string]string{"oracle_url": "--oracle-url (or oracle_url in --config): required", "workload": "--config: workload: required"} {
		if got := FlagNames(fielderr.New(errors.New("required"), "", field), s, flags, InFile("config")).Error(); got != want {
			t.Errorf("InFile %s: %q, want %q", field, got, want)
		}
	}
}
