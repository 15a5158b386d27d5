package cliapp

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// PrintJSON writes v to w as JSON indented by two spaces, with a final newline:
// the JSON output of every command.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// UnixTime shows seconds since the epoch with their UTC time in RFC 3339, and 0
// (unset) as "0".
func UnixTime(s uint64) string {
	if s == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", s, RFC3339(s))
}

// RFC3339 is seconds since the epoch as their UTC time in RFC 3339, as every
// command prints a verdict's times.
func RFC3339(s uint64) string { return time.Unix(int64(s), 0).UTC().Format(time.RFC3339) }

// NoneIfZero is name, or "none" for a zero (unset) value.
func NoneIfZero[T comparable](v T, name string) string {
	var zero T
	if v == zero {
		return "none"
	}
	return name
}

// WriteNewFile writes b to a new file at path (mode 0644), never over an existing
// one.
func WriteNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
