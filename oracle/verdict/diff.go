package verdict

import "fmt"

// Diff returns one line per field in which a and b differ, named as in the JSON
// form ("tcb: archived 1, recomputed 2"), in the contract's field order; nil when
// they are equal. Every field is compared exactly, uint64 fields included (a JSON
// number decoded into float64 would merge TCBs that differ only in low bytes).
func Diff(a, b *Verdict) []string {
	var out []string
	add := func(name string, x, y any) {
		if x != y {
			out = append(out, fmt.Sprintf("%s: archived %v, recomputed %v", name, x, y))
		}
	}
	add("machineId", a.MachineID, b.MachineID)
	add("tee", a.TEE, b.TEE)
	add("status", uint8(a.Status), uint8(b.Status))
	add("teeKey", a.TEEKey, b.TEEKey)
	add("workloadId", a.WorkloadID, b.WorkloadID)
	add("tcbStatus", a.TCBStatus, b.TCBStatus)
	add("tcb", a.TCB, b.TCB)
	add("policyHash", a.PolicyHash, b.PolicyHash)
	add("evidenceHash", a.EvidenceHash, b.EvidenceHash)
	add("anchorBlockNumber", a.AnchorBlockNumber, b.AnchorBlockNumber)
	add("anchorBlockHash", a.AnchorBlockHash, b.AnchorBlockHash)
	add("issuedAt", a.IssuedAt, b.IssuedAt)
	add("expiresAt", a.ExpiresAt, b.ExpiresAt)
	add("reasons", a.Reasons, b.Reasons)
	return out
}
