// Package fielderr is the one error a configuration type's Check (or the
// constructor that takes it) returns when it refuses some of its fields: it names
// the fields as the type does (Go names, JSON keys, "Key.KeyFile" for a nested
// field), so that a caller that sets them otherwise (a command's flags,
// cliapp.FlagNames) can tell the same error with its own names.
package fielderr

import (
	"fmt"
	"strings"
)

// Error is a configuration refused for Fields. Format tells it with one %s per
// field, in order ("" names the fields alone, space-separated), and Err, when not
// nil, is its cause, told after ": ".
type Error struct {
	Fields []string
	Format string
	Err    error
}

// New is the error err about fields, told by format with one %s per field.
func New(err error, format string, fields ...string) *Error {
	return &Error{Fields: fields, Format: format, Err: err}
}

// Value is v as text for a Format: a value shown beside the field it is, with
// any % in it kept literal.
func Value(v any) string { return strings.ReplaceAll(fmt.Sprint(v), "%", "%%") }

func (e *Error) Error() string { return e.Describe(func(field string) string { return field }) }

func (e *Error) Unwrap() error { return e.Err }

// Describe is the error with each field shown as name(field).
func (e *Error) Describe(name func(field string) string) string {
	names := make([]any, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = name(f)
	}
	format := e.Format
	if format == "" {
		format = strings.TrimSuffix(strings.Repeat("%s ", len(names)), " ")
	}
	s := fmt.Sprintf(format, names...)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
