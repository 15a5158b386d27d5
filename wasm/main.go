//go:build js && wasm

// Command wasm is the oracle's verifier built to WebAssembly (GOOS=js GOARCH=wasm):
// the same pipeline as `teeoracle verify` (package verifier), with no filesystem, no
// network and no clock. wasm/teeoracle.mjs loads it; docs/wasm.md documents the API.
//
// On start it puts one object on globalThis, under the name given as its first
// argument ("teeoracle" without one), with these functions and fields:
//
//	verify(requestJSON string) -> Promise of {report: string} | {error: string, kind: string}
//	                              (signatures checked by WebCrypto when the host has it)
//	verifyGo(requestJSON string) -> {report: string} | {error: string, kind: string}
//	                              (synchronous; signatures checked by Go's crypto)
//	version() -> string (JSON)
//	withRoots(rootsJSON string) -> an object like this one | {error: string, kind: "roots"}
//	signatures: "webcrypto" | "go" (what verify uses)
//	signatureStats() -> {webcrypto: n, go: n}: signature checks WebCrypto answered,
//	                              and those it left to Go (shared by the instance)
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
	js.Global().Set(name, exports(m, newWebCrypto(), log))
	select {}
}

// exports is m's functions as a JavaScript object. verify checks signatures with the
// host's WebCrypto (wc; nil when the host has none: then with Go's crypto) and so
// answers with a promise; verifyGo is the pure-Go path, synchronous.
func exports(m *module, wc *webCrypto, log *slog.Logger) js.Value {
	viaWeb := m.v
	if wc != nil {
		viaWeb = m.v.WithSignatures(wc)
	}
	result := func(out outcome) js.Value {
		if out.Error != "" {
			return js.ValueOf(map[string]any{"error": out.Error, "kind": out.Kind})
		}
		return js.ValueOf(map[string]any{"report": string(out.Report)})
	}
	badArgs := js.ValueOf(map[string]any{"error": "verify takes one argument: the request JSON as a string", "kind": kindRequest})
	verify := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return resolved(badArgs)
		}
		req := []byte(args[0].String())
		// WebCrypto answers through promises, which a js.Func must not wait for:
		// the verification runs on its own goroutine and settles the promise.
		return promise(func() js.Value { return result(verifyWith(context.Background(), viaWeb, req)) })
	})
	verifyGo := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return badArgs
		}
		return result(m.verify(context.Background(), []byte(args[0].String())))
	})
	version := js.FuncOf(func(js.Value, []js.Value) any { return string(m.version()) })
	signatures := "go"
	if wc != nil {
		signatures = "webcrypto"
	}
	stats := js.FuncOf(func(js.Value, []js.Value) any {
		if wc == nil {
			return js.ValueOf(map[string]any{"webcrypto": 0, "go": 0})
		}
		return js.ValueOf(map[string]any{"webcrypto": wc.native.Load(), "go": wc.fallback.Load()})
	})
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
		return exports(derived, wc, log)
	})
	return js.ValueOf(map[string]any{
		"verify": verify, "verifyGo": verifyGo, "version": version, "withRoots": withRoots,
		"signatures": signatures, "signatureStats": stats,
	})
}

// promise returns a JavaScript promise that run's result resolves; run runs on a
// goroutine of its own, so it may wait for other promises.
func promise(run func() js.Value) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve := args[0]
		go func() { resolve.Invoke(run()) }()
		return nil
	})
	defer executor.Release() // the Promise constructor calls it synchronously
	return js.Global().Get("Promise").New(executor)
}

func resolved(v js.Value) js.Value { return js.Global().Get("Promise").Call("resolve", v) }
