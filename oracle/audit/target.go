package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// ErrNoLookup is returned by LatestVerdict given neither a registry nor a store.
var ErrNoLookup = errors.New("neither a registry nor a node database to find the machine's latest verdict in")

// LatestVerdict returns the hash of machine id's latest verdict: the latest the
// registry accepted when reg is given (what is trusted on-chain), else the latest
// st archived.
func LatestVerdict(ctx context.Context, id common.Hash, reg Registry, st *store.Store) (common.Hash, error) {
	switch {
	case reg != nil:
		evs, err := reg.VerdictsAccepted(ctx, chain.BlockRange{}, id)
		if err != nil {
			return common.Hash{}, err
		}
		if len(evs) == 0 {
			return common.Hash{}, fmt.Errorf("registry %s accepted no verdict for this machine", reg.Address())
		}
		return evs[len(evs)-1].Digest, nil
	case st != nil:
		v, err := st.LatestVerdict(id)
		if err != nil {
			return common.Hash{}, err
		}
		return v.Hash, nil
	}
	return common.Hash{}, ErrNoLookup
}
