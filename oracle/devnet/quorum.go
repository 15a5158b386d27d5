package devnet

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// otherNode is an oracle node beyond the first: its own key, database and API, the
// first node and the other nodes as its peers. Agents do not attest to it; it signs
// the evidence the first node forwards.
type otherNode struct {
	name string
	key  *ecdsa.PrivateKey
	addr string // API listen address, chosen before any node starts
	st   *store.Store
	node *service.Service
}

// freeAddr returns a loopback address with a port free right now, so that every
// node's peers can be configured before the nodes start.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// startOthers starts the oracle nodes beyond the first, each with the first node
// and the others as peers.
func (d *Devnet) startOthers(ctx context.Context) error {
	for i, o := range d.others {
		peers := []string{d.APIURL()}
		for j, p := range d.others {
			if j != i {
				peers = append(peers, "http://"+p.addr)
			}
		}
		st, err := store.Open(filepath.Join(d.dataDir, o.name+".db"), service.StoreOptions(d.log))
		if err != nil {
			return err
		}
		o.st = st
		cfg := d.nodeConfig(api.Config{Listen: o.addr}, o.key, st, peers, d.log.With("node", o.name))
		svc, err := service.New(cfg, d.Chain.Client)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if err := svc.Start(ctx); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		o.node = svc
	}
	return nil
}

// OracleNode is one of the devnet's oracle nodes, as WriteSetup lists them.
type OracleNode struct {
	Name    string
	Address common.Address
	APIURL  string
}

// OracleNodes lists the devnet's oracle nodes, the one agents attest to first.
func (d *Devnet) OracleNodes() []OracleNode {
	out := []OracleNode{{Name: "oracle-1", Address: d.OracleAddress(), APIURL: d.APIURL()}}
	for _, o := range d.others {
		out = append(out, OracleNode{Name: o.name, Address: crypto.PubkeyToAddress(o.key.PublicKey), APIURL: "http://" + o.addr})
	}
	return out
}
