package cliapp

import (
	"net/netip"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"
)

// FlagReader reads a command's flag values through the parsers of parse.go one
// after another and keeps the first error, so a command reads its flags in a row
// and checks once, with Err (in the manner of bufio.Scanner). After an error the
// values read are zero or whatever the parser returned; only Err says which are
// good.
type FlagReader struct {
	c   *cli.Context
	err error
}

// Read returns a FlagReader of c's flags.
func Read(c *cli.Context) *FlagReader { return &FlagReader{c: c} }

// Err is the first error met, or nil.
func (r *FlagReader) Err() error { return r.err }

// read parses flag with parse and keeps its error unless one was kept already.
func read[T any](r *FlagReader, flag string, parse func(*cli.Context, string) (T, error)) T {
	v, err := parse(r.c, flag)
	if r.err == nil {
		r.err = err
	}
	return v
}

// Address is Address of the flag.
func (r *FlagReader) Address(flag string) common.Address { return read(r, flag, Address) }

// Addresses is Addresses of the flag.
func (r *FlagReader) Addresses(flag string) []common.Address { return read(r, flag, Addresses) }

// Hash is Hash of the flag.
func (r *FlagReader) Hash(flag string) common.Hash { return read(r, flag, Hash) }

// Prefixes is Prefixes of the flag.
func (r *FlagReader) Prefixes(flag string) []netip.Prefix { return read(r, flag, Prefixes) }

// RequiredHash is RequiredHash of the flag.
func (r *FlagReader) RequiredHash(flag string) common.Hash { return read(r, flag, RequiredHash) }

// UintIn is UintIn of the required flag, within lo..hi.
func (r *FlagReader) UintIn(flag string, lo, hi uint) uint {
	return read(r, flag, func(c *cli.Context, f string) (uint, error) { return UintIn(c, f, lo, hi) })
}

// Time is Time of the flag, def when it is empty.
func (r *FlagReader) Time(flag string, def time.Time) time.Time {
	return read(r, flag, func(c *cli.Context, f string) (time.Time, error) { return Time(c, f, def) })
}

// HexBytes is HexBytes of the flag, n bytes.
func (r *FlagReader) HexBytes(flag string, n int) []byte {
	return read(r, flag, func(c *cli.Context, f string) ([]byte, error) { return HexBytes(c, f, n) })
}

// Given splits flags into those given (on the command line, by their variable or
// by a settings file) and those not, each as --name: what a rule across flags
// names when it refuses some of them without the others.
func Given(c *cli.Context, flags ...string) (set, unset []string) {
	for _, f := range flags {
		if c.IsSet(f) {
			set = append(set, "--"+f)
		} else {
			unset = append(unset, "--"+f)
		}
	}
	return set, unset
}
