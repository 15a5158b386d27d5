package cliapp

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/urfave/cli/v2"
)

// The logging flags every command takes (LogFlags).
const (
	LogLevelFlag  = "log-level"
	LogFormatFlag = "log-format"
)

// LogFlags are --log-level and --log-format, under category, with their variables
// under envPrefix; NewLogger reads them.
func LogFlags(category, envPrefix string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: LogLevelFlag, Value: "warn", Category: category, EnvVars: EnvVars(envPrefix, LogLevelFlag),
			Usage: "log `LEVEL`: debug, info, warn or error (logs go to stderr)"},
		&cli.StringFlag{Name: LogFormatFlag, Value: "text", Category: category, EnvVars: EnvVars(envPrefix, LogFormatFlag),
			Usage: "log `FORMAT`: text (key=value) or json (one object per line, for log collectors)"},
	}
}

// NewLogger builds the logger --log-level and --log-format ask for, writing to w,
// and keeps it in the app's metadata for Logger.
func NewLogger(c *cli.Context, w io.Writer) (*slog.Logger, error) {
	level := slog.LevelWarn
	if err := level.UnmarshalText([]byte(c.String(LogLevelFlag))); err != nil {
		return nil, err
	}
	hopts := &slog.HandlerOptions{Level: level}
	var log *slog.Logger
	switch f := c.String(LogFormatFlag); f {
	case "text":
		log = slog.New(slog.NewTextHandler(w, hopts))
	case "json":
		log = slog.New(slog.NewJSONHandler(w, hopts))
	default:
		return nil, fmt.Errorf("--%s %q: want text or json", LogFormatFlag, f)
	}
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	c.App.Metadata[loggerKey] = log
	return log, nil
}

const loggerKey = "cliapp.logger"

// Logger is the logger NewLogger made for c's app, or one that discards.
func Logger(c *cli.Context) *slog.Logger {
	if l, ok := c.App.Metadata[loggerKey].(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
