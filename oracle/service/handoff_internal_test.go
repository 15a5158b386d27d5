package service

import (
	"testing"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// TestHandoffsTakenOnceAndBounded: an entry is taken once; past the count or byte
// bound nothing more is kept (the worker then reads the archive), and taking
// entries frees their room.
func TestHandoffsTakenOnceAndBounded(t *testing.T) {
	var h handoffs
	ev, m := &evidence.Evidence{Raw: []byte{1}}, &subMeta{AsOf: 7}
	h.put("a", ev, m, 10)
	got, ok := h.take("a")
	if !ok || got.ev != ev || got.meta != m {
		t.Fatalf("take a: %+v, %v", got, ok)
	}
	if _, ok := h.take("a"); ok {
		t.Fatal("an entry was taken twice")
	}
	h.put("big", ev, m, handoffMaxBytes)
	h.put("over", ev, m, 1)
	if _, ok := h.take("over"); ok {
		t.Fatal("kept an entry past the byte bound")
	}
	if _, ok := h.take("big"); !ok {
		t.Fatal("lost the entry at the byte bound")
	}
	for i := range handoffMax {
		h.put(string(rune(i+1)), ev, m, 1)
	}
	h.put("one more", ev, m, 1)
	if _, ok := h.take("one more"); ok {
		t.Fatal("kept an entry past the count bound")
	}
	if len(h.m) != handoffMax || h.bytes != handoffMax {
		t.Fatalf("%d entries, %d bytes held, want %d and %d", len(h.m), h.bytes, handoffMax, handoffMax)
	}
}
