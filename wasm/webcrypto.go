//go:build js && wasm

package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

// webCrypto is an appraise.SignatureVerifier on the host's WebCrypto
// (crypto.subtle): the browser's or Node's native ECDSA and RSA-PSS, several times
// faster than Go's pure-Go big-number code compiled to WebAssembly. WebCrypto is
// asynchronous: each check waits on a channel that the promise's callbacks feed, so
// it must run on a goroutine of its own, never in a js.Func callback (main.go starts
// one per verification). Whatever WebCrypto cannot do (another curve or hash, a key
// it refuses to import, any exception) is checked by appraise.GoSignatures instead,
// so the answer is always the same as the pure-Go path's.
type webCrypto struct {
	subtle js.Value
	u8     js.Value

	mu   sync.Mutex
	keys map[string]js.Value // imported CryptoKeys by algorithm and key bytes
	algs map[string]js.Value // verify's algorithm objects by kind and hash

	native, fallback atomic.Int64 // checks WebCrypto answered / left to Go
}

// maxKeys bounds the imported-key cache; when full it starts over. A page verifies
// against a handful of keys (the roots' intermediates, TCB signers, a few VCEKs).
const maxKeys = 256

// newWebCrypto returns the host's WebCrypto verifier, or nil when the host has none
// (a page served over plain HTTP from another host than localhost: WebCrypto needs a
// secure context).
func newWebCrypto() *webCrypto {
	c := js.Global().Get("crypto")
	if c.Type() != js.TypeObject {
		return nil
	}
	subtle := c.Get("subtle")
	if subtle.Type() != js.TypeObject || subtle.Get("verify").Type() != js.TypeFunction {
		return nil
	}
	return &webCrypto{subtle: subtle, u8: js.Global().Get("Uint8Array"), keys: map[string]js.Value{}, algs: map[string]js.Value{}}
}

var _ appraise.SignatureVerifier = (*webCrypto)(nil)

func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return ""
}

// VerifyECDSA implements appraise.SignatureVerifier.
func (w *webCrypto) VerifyECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	curve, hash := pub.Curve.Params().Name, hashName(h)
	point, err := pub.Bytes()
	if err != nil || hash == "" || (curve != "P-256" && curve != "P-384" && curve != "P-521") {
		return w.goECDSA(pub, h, msg, sig)
	}
	ok, err := w.verify("raw", point, "ecdsa/"+curve, hash,
		map[string]any{"name": "ECDSA", "namedCurve": curve},
		map[string]any{"name": "ECDSA", "hash": hash}, msg, sig)
	if err != nil {
		return w.goECDSA(pub, h, msg, sig)
	}
	return ok
}

// VerifyRSAPSS implements appraise.SignatureVerifier.
func (w *webCrypto) VerifyRSAPSS(pub *rsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	hash := hashName(h)
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil || hash == "" {
		return w.goRSAPSS(pub, h, msg, sig)
	}
	ok, err := w.verify("spki", spki, "rsa-pss/"+hash, hash,
		map[string]any{"name": "RSA-PSS", "hash": hash},
		map[string]any{"name": "RSA-PSS", "saltLength": h.Size()}, msg, sig)
	if err != nil {
		return w.goRSAPSS(pub, h, msg, sig)
	}
	return ok
}

func (w *webCrypto) goECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	w.fallback.Add(1)
	return appraise.GoSignatures{}.VerifyECDSA(pub, h, msg, sig)
}

func (w *webCrypto) goRSAPSS(pub *rsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	w.fallback.Add(1)
	return appraise.GoSignatures{}.VerifyRSAPSS(pub, h, msg, sig)
}

// verify imports the key (once per key) and runs crypto.subtle.verify. kind names
// the key's algorithm, hash the hash verifyAlg names or implies. An error
// means WebCrypto did not answer; the caller then checks in Go.
func (w *webCrypto) verify(format string, key []byte, kind, hash string, importAlg, verifyAlg map[string]any, msg, sig []byte) (bool, error) {
	k, err := w.key(format, key, kind, importAlg)
	if err != nil {
		return false, err
	}
	v, err := await(w.call("verify", w.alg(kind+"/"+hash, verifyAlg), k, w.bytes(sig), w.bytes(msg)))
	if err != nil {
		return false, err
	}
	if v.Type() != js.TypeBoolean {
		return false, errors.New("crypto.subtle.verify did not return a boolean")
	}
	w.native.Add(1)
	return v.Bool(), nil
}

// alg returns verify's algorithm object params, made once per id (which names
// them: the algorithm and its hash) and reused, since WebCrypto only reads it:
// building it is three calls across the bridge, on every signature check.
func (w *webCrypto) alg(id string, params map[string]any) js.Value {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.algs[id]
	if !ok {
		a = js.ValueOf(params)
		w.algs[id] = a
	}
	return a
}

func (w *webCrypto) key(format string, key []byte, kind string, alg map[string]any) (js.Value, error) {
	id := kind + "/" + string(key)
	w.mu.Lock()
	k, ok := w.keys[id]
	w.mu.Unlock()
	if ok {
		return k, nil
	}
	usages := js.ValueOf([]any{"verify"})
	k, err := await(w.call("importKey", format, w.bytes(key), js.ValueOf(alg), false, usages))
	if err != nil {
		return js.Value{}, err
	}
	w.mu.Lock()
	if len(w.keys) >= maxKeys {
		clear(w.keys)
	}
	w.keys[id] = k
	w.mu.Unlock()
	return k, nil
}

// call calls a crypto.subtle method; an exception it throws comes back as a
// rejected promise.
func (w *webCrypto) call(method string, args ...any) (p js.Value) {
	defer func() {
		if r := recover(); r != nil {
			p = js.Global().Get("Promise").Call("reject", js.ValueOf(fmt.Sprint(r)))
		}
	}()
	return w.subtle.Call(method, args...)
}

func (w *webCrypto) bytes(b []byte) js.Value {
	u := w.u8.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// await blocks the calling goroutine until p settles. A call that throws before
// returning a promise is an error too.
func await(p js.Value) (v js.Value, err error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		var v js.Value
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = args[0].Call("toString").String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	defer then.Release()
	defer catch.Release()
	p.Call("then", then, catch)
	r := <-ch
	return r.v, r.err
}
