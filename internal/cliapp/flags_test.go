package cliapp

import (
	"testing"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

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
