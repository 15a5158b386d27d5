package eventlog

import (
	"bytes"
	"testing"
)

// FuzzParse: any input parses or is refused without panicking; a parsed log
// replays, and trimming its padding keeps its events.
func FuzzParse(f *testing.F) {
	f.Add(NewBuilder().Add(0, EvEFIPlatformFirmwareBlob2, []byte{3, 'a', 'b', 'c'}).Add(2, EvIPL, []byte("kernel_cmdline: x")).Bytes())
	f.Add(append(NewBuilder().Add(2, EvEventTag, []byte{0xec, 0x22, 0x3b, 0x8f, 2, 0, 0, 0, 'a', 0}).Bytes(), 0xff, 0xff))
	f.Fuzz(func(t *testing.T, data []byte) {
		log, err := Parse(data)
		if err != nil {
			return
		}
		var zero [4][]byte
		Replay(log, nil, zero)
		tr, err := TrimPadding(data)
		if err != nil {
			t.Fatalf("parsed but not trimmed: %v", err)
		}
		again, err := Parse(tr)
		if err != nil || len(again.Events) != len(log.Events) {
			t.Fatalf("trimmed log: %v", err)
		}
		if !bytes.HasPrefix(data, tr) {
			t.Fatal("trim is not a prefix")
		}
	})
}

// FuzzParseCCELTable: any 56 bytes are read or refused without panicking.
func FuzzParseCCELTable(f *testing.F) {
	f.Add(NewCCELTable(65536, 0x1000))
	f.Fuzz(func(t *testing.T, b []byte) {
		if tb, err := ParseCCELTable(b); err == nil && tb.CCType != 2 {
			t.Fatalf("accepted CC type %d", tb.CCType)
		}
	})
}
