package evidence

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// TestConfigFSAttributeWhitespace: each configfs-tsm attribute is accepted with and
// without the trailing whitespace the kernel's attribute files carry (as cat and
// shell scripts capture them), and decodes to the same evidence with the same
// canonical hash.
func TestConfigFSAttributeWhitespace(t *testing.T) {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	table := readTestdata(t, "sev-snp/milan-v2/certtable.bin")
	base := func() map[string]any {
		return map[string]any{
			"provider":   "sev_guest",
			"generation": "3",
			"privlevel":  "0",
			"outblob":    base64.StdEncoding.EncodeToString(report),
			"auxblob":    hex.EncodeToString(table),
			"inblob":     hex.EncodeToString(report[0x50:0x90]),
		}
	}
	decode := func(t *testing.T, m map[string]any) *Evidence {
		t.Helper()
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Decode("configfs.json", b)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		return ev
	}
	ref := decode(t, base())
	if ref.Provider != ProviderSEVGuest {
		t.Fatalf("provider %q", ref.Provider)
	}
	for _, attr := range []string{"provider", "generation", "privlevel", "outblob", "auxblob", "inblob"} {
		for _, ws := range []string{"", "\n", " \t\n"} {
			t.Run(attr+"/"+wsName(ws), func(t *testing.T) {
				m := base()
				m[attr] = m[attr].(string) + ws
				ev := decode(t, m)
				if ev.Provider != ProviderSEVGuest || ev.TEE != TEESEVSNP {
					t.Errorf("provider %q, tee %v", ev.Provider, ev.TEE)
				}
				if ev.Hash() != ref.Hash() {
					t.Errorf("hash %x, want %x", ev.Hash(), ref.Hash())
				}
			})
		}
	}
}

func wsName(ws string) string {
	if ws == "" {
		return "bare"
	}
	return hex.EncodeToString([]byte(ws))
}
