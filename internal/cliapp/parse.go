package cliapp

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/urfave/cli/v2"
)

// Parsers of flag values. Each returns an error naming the flag and the value; a
// value that does not parse is never read as a default.

// Address is the 20-byte hex address in flag, or the zero address when it is empty.
func Address(c *cli.Context, flag string) (common.Address, error) {
	s := c.String(flag)
	if s == "" {
		return common.Address{}, nil
	}
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("--%s %q: not a 20-byte hex address", flag, s)
	}
	return common.HexToAddress(s), nil
}

// Addresses reads a repeatable, comma-separated address flag (a string slice).
func Addresses(c *cli.Context, flag string) ([]common.Address, error) {
	var out []common.Address
	for _, v := range List(c, flag) {
		if !common.IsHexAddress(v) {
			return nil, fmt.Errorf("--%s %q: not a 20-byte hex address", flag, v)
		}
		out = append(out, common.HexToAddress(v))
	}
	return out, nil
}

// List is a repeatable, comma-separated string slice flag's values, each trimmed,
// empty ones left out.
func List(c *cli.Context, flag string) []string {
	var out []string
	for _, v := range c.StringSlice(flag) {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Prefixes reads a repeatable, comma-separated flag of CIDR prefixes (a string
// slice), each masked to its prefix length.
func Prefixes(c *cli.Context, flag string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range List(c, flag) {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: want a CIDR such as 10.0.0.0/8 or 192.0.2.7/32: %w", flag, v, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Hash is the 32-byte value in flag (0x and 64 hex digits), or zero when it is empty.
func Hash(c *cli.Context, flag string) (common.Hash, error) {
	s := c.String(flag)
	if s == "" {
		return common.Hash{}, nil
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != 32 {
		return common.Hash{}, fmt.Errorf("--%s %q: want 0x and 64 hex digits (32 bytes)", flag, s)
	}
	return common.BytesToHash(b), nil
}

// RequiredHash is Hash, refusing an empty flag.
func RequiredHash(c *cli.Context, flag string) (common.Hash, error) {
	if c.String(flag) == "" {
		return common.Hash{}, fmt.Errorf("--%s is required", flag)
	}
	return Hash(c, flag)
}

// Salt is the required flag's 0x-prefixed 1 to 32 bytes of hex, right-aligned in
// 32 bytes.
func Salt(c *cli.Context, flag string) (common.Hash, error) {
	s := c.String(flag)
	if s == "" {
		return common.Hash{}, fmt.Errorf("--%s is required", flag)
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) == 0 || len(b) > 32 {
		return common.Hash{}, fmt.Errorf("--%s %q: want 0x and 1 to 32 bytes of hex", flag, s)
	}
	return common.BytesToHash(b), nil
}

// UintIn is the required uint flag's value, within lo..hi.
func UintIn(c *cli.Context, flag string, lo, hi uint) (uint, error) {
	v := c.Uint(flag)
	if !c.IsSet(flag) {
		return 0, fmt.Errorf("--%s is required (%d..%d)", flag, lo, hi)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("--%s %d: want %d..%d", flag, v, lo, hi)
	}
	return v, nil
}

// Time is the RFC 3339 time in flag, or def when it is empty.
func Time(c *cli.Context, flag string, def time.Time) (time.Time, error) {
	s := c.String(flag)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: not an RFC 3339 time: %w", flag, s, err)
	}
	return t, nil
}

// HexBytes is the 0x-prefixed hex in flag, exactly n bytes, or nil when it is empty.
func HexBytes(c *cli.Context, flag string, n int) ([]byte, error) {
	s := c.String(flag)
	if s == "" {
		return nil, nil
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != n {
		return nil, fmt.Errorf("--%s: want 0x and %d hex digits (%d bytes), got %q", flag, 2*n, n, s)
	}
	return b, nil
}
