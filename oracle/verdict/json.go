package verdict

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/strictjson"
)

// ErrJSON is returned (wrapped) when a verdict's JSON form cannot be read.
var ErrJSON = errors.New("malformed verdict json")

// jsonVerdict is the wire form: the contract's field names in the type string's
// order, hashes and addresses as lowercase 0x hex, uint8 fields as JSON numbers and
// uint64 fields as decimal strings (JavaScript numbers lose precision above 2^53,
// and an SEV-SNP TCB_VERSION or a reason set can exceed that).
type jsonVerdict struct {
	MachineID         string `json:"machineId"`
	TEE               uint8  `json:"tee"`
	Status            uint8  `json:"status"`
	TEEKey            string `json:"teeKey"`
	WorkloadID        string `json:"workloadId"`
	TCBStatus         uint8  `json:"tcbStatus"`
	TCB               string `json:"tcb"`
	PolicyHash        string `json:"policyHash"`
	EvidenceHash      string `json:"evidenceHash"`
	AnchorBlockNumber string `json:"anchorBlockNumber"`
	AnchorBlockHash   string `json:"anchorBlockHash"`
	IssuedAt          string `json:"issuedAt"`
	ExpiresAt         string `json:"expiresAt"`
	Reasons           string `json:"reasons"`
}

func hexHash(h common.Hash) string { return "0x" + common.Bytes2Hex(h[:]) }

func u64s(x uint64) string { return strconv.FormatUint(x, 10) }

// MarshalJSON returns the canonical JSON form of v: fixed key order, no whitespace,
// lowercase hex. Two nodes with the same verdict produce the same bytes.
func (v Verdict) MarshalJSON() ([]byte, error) {
	j := jsonVerdict{
		MachineID:         hexHash(v.MachineID),
		TEE:               v.TEE,
		Status:            uint8(v.Status),
		TEEKey:            "0x" + common.Bytes2Hex(v.TEEKey[:]),
		WorkloadID:        hexHash(v.WorkloadID),
		TCBStatus:         v.TCBStatus,
		TCB:               u64s(v.TCB),
		PolicyHash:        hexHash(v.PolicyHash),
		EvidenceHash:      hexHash(v.EvidenceHash),
		AnchorBlockNumber: u64s(v.AnchorBlockNumber),
		AnchorBlockHash:   hexHash(v.AnchorBlockHash),
		IssuedAt:          u64s(v.IssuedAt),
		ExpiresAt:         u64s(v.ExpiresAt),
		Reasons:           u64s(v.Reasons),
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a verdict's JSON form strictly: every field present, once,
// under its exact name (encoding/json alone matches keys case-insensitively and
// lets a repeated key win), nothing else, hex of exact length (either case), uint64
// as decimal strings.
func (v *Verdict) UnmarshalJSON(data []byte) error {
	var j jsonVerdict
	if err := strictjson.Decode(data, &j); err != nil {
		return fmt.Errorf("%w: %w", ErrJSON, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("%w: %w", ErrJSON, err)
	}
	for _, k := range []string{"machineId", "tee", "status", "teeKey", "workloadId", "tcbStatus", "tcb",
		"policyHash", "evidenceHash", "anchorBlockNumber", "anchorBlockHash", "issuedAt", "expiresAt", "reasons"} {
		if _, ok := raw[k]; !ok {
			return fmt.Errorf("%w: field %q missing", ErrJSON, k)
		}
	}
	var out Verdict
	var err error
	parse := func(name, s string, dst []byte) {
		if err == nil {
			err = parseHex(name, s, dst)
		}
	}
	parseU := func(name, s string, dst *uint64) {
		if err != nil {
			return
		}
		if s == "" || (len(s) > 1 && s[0] == '0') || strings.ContainsAny(s, "+-") {
			err = fmt.Errorf("%w: %s %q is not a canonical decimal", ErrJSON, name, s)
			return
		}
		x, perr := strconv.ParseUint(s, 10, 64)
		if perr != nil {
			err = fmt.Errorf("%w: %s: %w", ErrJSON, name, perr)
			return
		}
		*dst = x
	}
	parse("machineId", j.MachineID, out.MachineID[:])
	parse("teeKey", j.TEEKey, out.TEEKey[:])
	parse("workloadId", j.WorkloadID, out.WorkloadID[:])
	parse("policyHash", j.PolicyHash, out.PolicyHash[:])
	parse("evidenceHash", j.EvidenceHash, out.EvidenceHash[:])
	parse("anchorBlockHash", j.AnchorBlockHash, out.AnchorBlockHash[:])
	parseU("tcb", j.TCB, &out.TCB)
	parseU("anchorBlockNumber", j.AnchorBlockNumber, &out.AnchorBlockNumber)
	parseU("issuedAt", j.IssuedAt, &out.IssuedAt)
	parseU("expiresAt", j.ExpiresAt, &out.ExpiresAt)
	parseU("reasons", j.Reasons, &out.Reasons)
	if err != nil {
		return err
	}
	out.TEE, out.Status, out.TCBStatus = j.TEE, Status(j.Status), j.TCBStatus
	*v = out
	return nil
}

func parseHex(name, s string, dst []byte) error {
	if !strings.HasPrefix(s, "0x") || len(s) != 2+2*len(dst) {
		return fmt.Errorf("%w: %s must be 0x and %d hex digits, got %q", ErrJSON, name, 2*len(dst), s)
	}
	for i := 0; i < len(dst); i++ {
		hi, ok1 := unhex(s[2+2*i])
		lo, ok2 := unhex(s[3+2*i])
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: %s has a non-hex digit: %q", ErrJSON, name, s)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
