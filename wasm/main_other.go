//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main outside WebAssembly only says how to build the module: the package is a
// js/wasm command, and builds natively so that its tests run with the others.
func main() {
	fmt.Fprintln(os.Stderr, "this is the WebAssembly verifier: build it with scripts/build-wasm (GOOS=js GOARCH=wasm)")
	os.Exit(2)
}
