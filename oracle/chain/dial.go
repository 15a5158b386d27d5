package chain

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"net/http"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// rpcIdleConns is how many idle connections to the JSON-RPC endpoint a client
// keeps. go-ethereum's HTTP client keeps net/http's default of 2, so a node whose
// workers, HTTP handlers and publisher read the chain concurrently opened (and
// closed) a TCP connection for most reads under load.
const rpcIdleConns = 64

// DialClient connects to a JSON-RPC endpoint. Over HTTP(S) its client keeps up to
// rpcIdleConns idle connections, so concurrent reads reuse them.
func DialClient(ctx context.Context, url string) (*ethclient.Client, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = rpcIdleConns, rpcIdleConns
	c, err := rpc.DialOptions(ctx, url, rpc.WithHTTPClient(&http.Client{Transport: t}))
	if err != nil {
		return nil, err
	}
	return ethclient.NewClient(c), nil
}

// Conn is a dialled chain: the client, the chain id it serves and, when one was
// asked for, the registry on it.
type Conn struct {
	Client   *ethclient.Client
	ChainID  uint64
	Registry *Registry // nil when Dial was given no registry address
}

// Sender returns a sender that signs with key for c's chain and waits for each
// transaction's receipt (NewDirectSender).
func (c *Conn) Sender(key *ecdsa.PrivateKey) (*DirectSender, error) {
	return NewDirectSender(c.Client, bind.NewKeyedTransactor(key, new(big.Int).SetUint64(c.ChainID)), nil)
}

// Close closes the client.
func (c *Conn) Close() { c.Client.Close() }

// Dial connects to the JSON-RPC endpoint at rawURL, checks that it serves chain
// wantChainID (0: any), and, unless registry is zero, opens the registry there
// (OpenRegistry: there must be code at the address). Errors show the URL
// redacted (RedactURL) and never the key a provider puts in it (ScrubURL).
func Dial(ctx context.Context, rawURL string, registry common.Address, wantChainID uint64) (*Conn, error) {
	client, err := DialClient(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", RedactURL(rawURL), ScrubURL(err, rawURL))
	}
	conn := &Conn{Client: client}
	if registry != (common.Address{}) {
		conn.Registry, err = OpenRegistry(ctx, client, registry, wantChainID)
		if err == nil {
			conn.ChainID = conn.Registry.ChainID()
		}
	} else {
		conn.ChainID, err = CheckChainID(ctx, client, wantChainID)
	}
	if err != nil {
		client.Close()
		return nil, ScrubURL(err, rawURL)
	}
	return conn, nil
}
