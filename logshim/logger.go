// Package logger stands in for github.com/google/logger, which go-sev-guest and
// go-tdx-guest log through. The main module replaces that module with this one (see
// the replace directive in ../go.mod) for two reasons:
//   - go-tdx-guest's verify calls logger.Init(..., os.Stdout) on every quote, so its
//     warnings would interleave with machine-readable output such as `verify --json`;
//     here every call goes to log/slog (stderr by default), library chatter at debug.
//   - the original has no build for GOOS=js or wasip1, which the WebAssembly verifier needs.
//
// Only the calls the two libraries make are provided.
package logger

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Level is a verbosity level for V.
type Level int

// Verbose is returned by V; its methods log only when the level is enabled.
type Verbose bool

// Logger is returned by Init; its methods log like the package functions.
type Logger struct{}

// Init exists for compatibility: output always goes to slog's default logger, so
// the writer and flags are ignored.
func Init(name string, verbose, systemLog bool, logFile io.Writer) *Logger { return &Logger{} }

// SetLevel exists for compatibility: verbosity follows slog's debug level instead.
func SetLevel(lvl Level) {}

// V reports whether library messages are logged: when slog's default logger has
// debug enabled, whatever the level.
func V(lvl Level) Verbose {
	return Verbose(slog.Default().Enabled(context.Background(), slog.LevelDebug))
}

// Info logs at debug level when v is true.
func (v Verbose) Info(args ...any) {
	if v {
		emit(slog.LevelDebug, fmt.Sprint(args...))
	}
}

// Infof logs at debug level when v is true.
func (v Verbose) Infof(format string, args ...any) {
	if v {
		emit(slog.LevelDebug, fmt.Sprintf(format, args...))
	}
}

// Infoln logs at debug level when v is true.
func (v Verbose) Infoln(args ...any) { v.Info(args...) }

func emit(level slog.Level, msg string) {
	slog.Default().Log(context.Background(), level, msg, "source", "google/logger")
}

// Info logs library information at debug level.
func Info(v ...any) { emit(slog.LevelDebug, fmt.Sprint(v...)) }

// Infof logs library information at debug level.
func Infof(format string, v ...any) { emit(slog.LevelDebug, fmt.Sprintf(format, v...)) }

// Warning logs a library warning at debug level: the libraries warn about choices
// (such as using an embedded root) that the caller made on purpose.
func Warning(v ...any) { emit(slog.LevelDebug, fmt.Sprint(v...)) }

// Warningf is Warning with a format.
func Warningf(format string, v ...any) { emit(slog.LevelDebug, fmt.Sprintf(format, v...)) }

// Error logs at error level.
func Error(v ...any) { emit(slog.LevelError, fmt.Sprint(v...)) }

// Errorf logs at error level.
func Errorf(format string, v ...any) { emit(slog.LevelError, fmt.Sprintf(format, v...)) }

// Fatal logs at error level and exits, as the original does. Only the libraries'
// command-line tools call it.
func Fatal(v ...any) { emit(slog.LevelError, fmt.Sprint(v...)); os.Exit(1) }

// Fatalf is Fatal with a format.
func Fatalf(format string, v ...any) { emit(slog.LevelError, fmt.Sprintf(format, v...)); os.Exit(1) }

// Info logs like the package-level Info.
func (l *Logger) Info(v ...any) { Info(v...) }

// Infof logs like the package-level Infof.
func (l *Logger) Infof(format string, v ...any) { Infof(format, v...) }

// Warning logs like the package-level Warning.
func (l *Logger) Warning(v ...any) { Warning(v...) }

// Warningf logs like the package-level Warningf.
func (l *Logger) Warningf(format string, v ...any) { Warningf(format, v...) }

// Errorf logs like the package-level Errorf.
func (l *Logger) Errorf(format string, v ...any) { Errorf(format, v...) }

// Close does nothing: slog needs no closing.
func (l *Logger) Close() {}
