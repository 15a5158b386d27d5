// Package audit reproduces a verdict from an oracle node's archive: it checks that
// the archived evidence, policy and collateral are the ones the verdict and its
// audit record name, re-runs the verifier's decision as of the record's time with
// only that content, and compares the result with the verdict field by field. It
// can also ask the registry whether it accepted the verdict.
//
// The node (package service) writes a Record beside every verdict; this package
// reads it back through a Source (the node's HTTP API or its database).
package audit

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// Record is what the node keeps beside each verdict so an auditor can reproduce
// it: the decision time, the inputs, and the collateral by hash.
type Record struct {
	VerdictHash  common.Hash    `json:"verdict_hash"`
	EvidenceHash common.Hash    `json:"evidence_hash"`
	PolicyHash   common.Hash    `json:"policy_hash"`
	AsOf         int64          `json:"as_of"` // Unix seconds
	ChainID      uint64         `json:"chain_id"`
	Registry     common.Address `json:"registry"`
	MachineID    common.Hash    `json:"machine_id"`
	TEEKey       common.Address `json:"tee_key"`
	AnchorNumber uint64         `json:"anchor_block_number"`
	AnchorHash   common.Hash    `json:"anchor_block_hash"`
	Trusted      bool           `json:"trusted"`
	Reasons      []string       `json:"reasons"`
	Findings     []string       `json:"findings,omitempty"`
	// Publishable: the node would sign the verdict (see service's decide).
	Publishable bool `json:"publishable"`
	// Collateral is every collateral item the appraisal was served, archived by the
	// SHA-256 of its bytes.
	Collateral []Item `json:"collateral"`
	// Used is what the appraisal says it used, including certificates that came
	// inside the evidence.
	Used []ItemUsed `json:"used"`
}

// Item is one archived collateral blob (SHA-256 of its bytes).
type Item struct {
	Kind   string      `json:"kind"`
	SHA256 common.Hash `json:"sha256"`
}

// ItemUsed is one collateral reference of the appraisal, by the hash the appraiser
// reports.
type ItemUsed struct {
	Kind   string        `json:"kind"`
	SHA256 hexutil.Bytes `json:"sha256"`
}

// Kinds of archived collateral in a Record.
const (
	CollateralSNPVCEK = "snp-vcek"
	CollateralSNPCRL  = "snp-crl"
	CollateralTDXSet  = "tdx-collateral"
)

// KnownKind reports whether kind is a kind of archived collateral a Record may
// list (CollateralSNPVCEK, CollateralSNPCRL, CollateralTDXSet).
func KnownKind(kind string) bool {
	switch kind {
	case CollateralSNPVCEK, CollateralSNPCRL, CollateralTDXSet:
		return true
	}
	return false
}

// AddArchived adds one archived collateral item of a Record's kind to c, to re-run
// a verdict from the archive. It reports false for a kind it does not know.
func AddArchived(c *verifier.Collateral, kind string, in evidence.Input) bool {
	switch kind {
	case CollateralSNPVCEK:
		c.SNPVCEKs = append(c.SNPVCEKs, in)
	case CollateralSNPCRL:
		c.SNPCRLs = append(c.SNPCRLs, in)
	case CollateralTDXSet:
		c.TDXSet = &in
	default:
		return false
	}
	return true
}
