package verifier_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/devnet/devnettest"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// TestIdentityNamesTheWorkload: a devnet TD's bundle with CCEL, runtime log and
// workload description verifies, and the report names the images, the compose
// hash and the kernel command line; one changed byte in the description is
// refused as unbound.
func TestIdentityNamesTheWorkload(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hw, err := devnettest.New(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	v, err := hw.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	img := "ghcr.io/acme/api@sha256:" + strings.Repeat("5a", 32)
	d, err := workload.Parse([]byte(`{"version":1,"name":"api","images":["` + img + `"]}`))
	if err != nil {
		t.Fatal(err)
	}
	req, err := hw.TDXWorkloadRequest([64]byte{1}, at, d)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Decision.Trusted {
		t.Fatalf("reasons %v", res.Decision.Reasons.Names())
	}
	var lines []string
	for _, l := range res.Identity().Lines() {
		lines = append(lines, l[0]+": "+l[1])
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{`workload: "api", bound by rtmr3_event`, "image: " + img,
		"kernel cmdline: console=ttyS0 root=/dev/vda1 ro teeoracle.devnet=1", "kernel: /boot/vmlinuz-6.8.0-devnet",
		"event log: RTMR0 verified, RTMR1 verified, RTMR2 verified, RTMR3 verified"} {
		if !strings.Contains(text, want) {
			t.Errorf("identity lacks %q:\n%s", want, text)
		}
	}
	rep, _ := json.Marshal(res.Report())
	if !strings.Contains(string(rep), `"identity":{"workload_id_version":2`) {
		t.Errorf("report JSON lacks the identity: %.400s", rep)
	}
	// The bundle claims another image than RTMR3 names: unbound.
	var m map[string]any
	if err := json.Unmarshal(req.Evidence.Data, &m); err != nil {
		t.Fatal(err)
	}
	m["workload"].(map[string]any)["images"] = []string{"ghcr.io/acme/api@sha256:" + strings.Repeat("5b", 32)}
	req.Evidence.Data, _ = json.Marshal(m)
	res, err = v.Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Trusted || strings.Join(res.Decision.Reasons.Names(), ",") != "workload_unbound" {
		t.Errorf("claimed other image: reasons %v", res.Decision.Reasons.Names())
	}
}
