package measure

import (
	"encoding/hex"
	"fmt"
	"io"
)

// SNPResult is a measured SEV-SNP launch and a policy allowing exactly it.
type SNPResult struct {
	Input       SNPInput
	Measurement [48]byte
	Policy      []byte
}

// Fields are r as JSON keys to values, for scripts; FirmwareDigest is the digest
// the launch digest was seeded with (given, or hashed once).
func (r SNPResult) Fields() map[string]any {
	in := r.Input
	return map[string]any{"tee": "sev-snp", "measurement": "0x" + hex.EncodeToString(r.Measurement[:]),
		"firmware_digest": "0x" + hex.EncodeToString(in.FirmwareDigest), "vcpus": in.VCPUs, "vcpu_sig": in.VCPUSig,
		"guest_features": in.GuestFeatures, "vmm": in.VMM.String(), "direct_boot": in.Kernel != nil, "policy": string(r.Policy)}
}

// WriteText writes r for people: the measurement, the launch settings, the policy.
func (r SNPResult) WriteText(w io.Writer) {
	in := r.Input
	fmt.Fprintf(w, "measurement      0x%x\nfirmware digest  0x%x\nvcpus %d, vcpu sig %#x, guest features %#x, vmm %s, direct boot %v\n\npolicy:\n%s",
		r.Measurement, in.FirmwareDigest, in.VCPUs, in.VCPUSig, in.GuestFeatures, in.VMM, in.Kernel != nil, r.Policy)
}

// TDXResult is a TD's measured MRTD, the RTMRs of a reference boot when one was
// replayed (Boot, else nil), and a policy allowing them.
type TDXResult struct {
	MRTD   [48]byte
	Boot   *TDXBoot
	Policy []byte
}

// Fields are r as JSON keys to values, for scripts.
func (r TDXResult) Fields() map[string]any {
	out := map[string]any{"tee": "tdx", "mrtd": "0x" + hex.EncodeToString(r.MRTD[:]), "policy": string(r.Policy)}
	if r.Boot != nil {
		out["rtmr"], out["components"] = r.rtmrs(), r.Boot.Components
	}
	return out
}

func (r TDXResult) rtmrs() []string {
	var out []string
	for _, m := range r.Boot.RTMR {
		out = append(out, "0x"+hex.EncodeToString(m[:]))
	}
	return out
}

// WriteText writes r for people: the MRTD, the RTMRs with the components each
// measured, the policy.
func (r TDXResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "mrtd   0x%x\n", r.MRTD)
	if r.Boot != nil {
		for i, m := range r.rtmrs() {
			fmt.Fprintf(w, "rtmr%d  %s\n", i, m)
		}
		for _, comp := range r.Boot.Components {
			fmt.Fprintf(w, "  rtmr%d %s %x %s\n", comp.RTMR, comp.Kind, comp.Digest, comp.Value)
		}
	}
	fmt.Fprintf(w, "\npolicy:\n%s", r.Policy)
}
