package chain

import (
	"context"
	"crypto/ecdsa"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Session is one command's work on a chain, as its flags describe it (in the
// manner of op-proposer's CLIConfig): the endpoint, the registry there (zero:
// none), the chain id the endpoint must serve (0: any), the key that signs (nil:
// the session only reads), and a bound on all of it (0: none).
type Session struct {
	RPCURL   string
	Registry common.Address
	ChainID  uint64
	Key      *ecdsa.PrivateKey
	Timeout  time.Duration
	// Logger, when set, is told the sending account.
	Logger *slog.Logger
}

// Open dials s (Dial) under a context bounded by s.Timeout that everything done in
// the session shares, with a sender that signs with s.Key when there is one; done
// closes the connection and ends the context.
func (s Session) Open(ctx context.Context) (_ context.Context, _ *Conn, _ *DirectSender, done func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	if s.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
	}
	cc, err := Dial(ctx, s.RPCURL, s.Registry, s.ChainID)
	if err != nil {
		cancel()
		return nil, nil, nil, nil, err
	}
	done = func() { cc.Close(); cancel() }
	var sender *DirectSender
	if s.Key != nil {
		if sender, err = cc.Sender(s.Key); err != nil {
			done()
			return nil, nil, nil, nil, err
		}
		if s.Logger != nil {
			s.Logger.Debug("sending from", "account", sender.From(), "chain", cc.ChainID)
		}
	}
	return ctx, cc, sender, done, nil
}

// Run runs fn in the session (Open); fn's errors are scrubbed of the secrets of
// s.RPCURL (ScrubURL), as Dial's are.
func (s Session) Run(ctx context.Context, fn func(context.Context, *Conn, *DirectSender) error) error {
	ctx, cc, sender, done, err := s.Open(ctx)
	if err != nil {
		return err
	}
	defer done()
	return ScrubURL(fn(ctx, cc, sender), s.RPCURL)
}
