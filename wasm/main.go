//go:build js && wasm

// Command wasm is the oracle's verifier built to WebAssembly (GOOS=js GOARCH=wasm):
// the same pipeline as `teeoracle verify` (package verifier), with no filesystem, no
// network and no clock. wasm/teeoracle.mjs loads it; docs/wasm.md documents the API.
//
// On start it puts one object on globalThis, under the name given as its first
// argument ("teeoracle" without one), with three functions:
//
//	verify(requestJSON string) -> {report: string} | {error: string, kind: string}
//	version() -> string (JSON)
//	withRoots(rootsJSON string) -> {verify, version, withRoots} | {error: string, kind: "roots"}
//
// The object verifies under AMD's and Intel's production roots; withRoots returns
// another such object, on the same instance, that trusts only the roots given.
//
// and then waits forever, so that the functions stay callable.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"syscall/js"
)

func main() {
	name := "teeoracle"
	if len(os.Args) > 1 && os.Args[1] != "" {
		name = os.Args[1]
	}
	// Warnings only: the appraisers' debug logs would otherwise go to the console on
	// every verification.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := newModule(log)
	if err != nil {
		// Nothing to export: say why on the console and exit, which rejects the
		// wrapper's load promise.
		fmt.Fprintln(os.Stderr, "teeoracle wasm:", err)
		os.Exit(1)
	}
	js.Global().Set(name, exports(m, log))
	select {}
}

// exports is m's functions as a JavaScript object.
func exports(m *module, log *slog.Logger) js.Value {
	verify := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return js.ValueOf(map[string]any{"error": "verify takes one argument: the request JSON as a string", "kind": kindRequest})
		}
		out := m.verify(context.Background(), []byte(args[0].String()))
		if out.Error != "" {
			return js.ValueOf(map[string]any{"error": out.Error, "kind": out.Kind})
		}
		return js.ValueOf(map[string]any{"report": string(out.Report)})
	})
	version := js.FuncOf(func(js.Value, []js.Value) any { return string(m.version()) })
	// The functions of a derived object live as long as the page: a page makes one
	// or two, so they are not released.
	withRoots := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return js.ValueOf(map[string]any{"error": "withRoots takes one argument: the roots JSON as a string", "kind": kindRoots})
		}
		derived, err := m.withRoots(log, []byte(args[0].String()))
		if err != nil {
			return js.ValueOf(map[string]any{"error": err.Error(), "kind": kindRoots})
		}
		return exports(derived, log)
	})
	return js.ValueOf(map[string]any{"verify": verify, "version": version, "withRoots": withRoots})
}
