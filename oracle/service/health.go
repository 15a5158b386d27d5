package service

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/params"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// Errors of the readiness checks (Ready, and the warnings logged at start). Each
// names one reason the node cannot publish; Ready joins those that hold.
var (
	// ErrNotOracle: the node's key is not an oracle of the registry, so its
	// signatures do not count toward any quorum.
	ErrNotOracle = errors.New("key is not an oracle of the registry")
	// ErrLowBalance: the sending account holds less than the next verdicts cost
	// (Config.GasPerVerdict × Config.ReserveVerdicts at the current gas price), or a
	// transaction was refused for want of funds.
	ErrLowBalance = errors.New("balance too low to publish")
	// ErrChainUnreachable: the RPC endpoint does not answer.
	ErrChainUnreachable = errors.New("chain unreachable")
	// ErrChainLagging: the head block is older than Config.MaxHeadLag.
	ErrChainLagging = errors.New("chain head lagging")
	// ErrPeersUnreachable: fewer peers answer than the quorum needs besides this node.
	ErrPeersUnreachable = errors.New("too few peers reachable for the quorum")
	// ErrPolicyInactive: the node's policy is not registered and active in the
	// registry (never registered, or retired), so the registry refuses its verdicts.
	ErrPolicyInactive = errors.New("policy not active in the registry")
	// ErrNotChecked: no health check has completed recently.
	ErrNotChecked = errors.New("health not checked recently")
	// ErrStoreUnreadable: the node's database did not answer a read.
	ErrStoreUnreadable = errors.New("store unreadable")
)

// peerProbeTimeout bounds one peer's answer to the health check's /healthz.
const peerProbeTimeout = 3 * time.Second

// healthState is the outcome of the last health check.
type healthState struct {
	mu      sync.Mutex
	at      time.Time // when the last check finished (zero: never)
	err     error     // what the check found, nil when the node can publish
	noFunds error     // set by the publisher when a transaction was refused for want of funds
	logged  string    // the reasons last logged (healthReasons), so a lasting one is logged once
}

// withheld is a readiness reason whose cause a client does not read: Error, for
// the node's log, is the reason and the cause; a client reads the reason alone
// (publicHealth). The RPC endpoint's errors are withheld: they may name its host and
// address, and, from a client not dialled by chain.DialClient, the key in its URL.
type withheld struct {
	reason error // worded by the node from what it knows: what a client reads
	cause  error
}

func (e *withheld) Error() string   { return e.reason.Error() + ": " + e.cause.Error() }
func (e *withheld) Unwrap() []error { return []error{e.reason, e.cause} }

// chainFault is ErrChainUnreachable for a failed read of what: a client reads that
// the endpoint did not answer it, the node's log the endpoint's error.
func chainFault(what string, err error) error {
	return &withheld{reason: fmt.Errorf("%w: chain endpoint unavailable (%s)", ErrChainUnreachable, what), cause: err}
}

// healthParts flattens a health finding into its reasons (errors.Join nests).
func healthParts(err error) []error {
	if _, ok := err.(*withheld); ok {
		return []error{err}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, healthParts(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// publicHealth is a health finding as a client reads it (Ready, /readyz): every
// reason, each withheld one by its reason alone; nil for nil. It still wraps the
// reasons' sentinels (ErrChainUnreachable...). Every other reason is worded from
// figures the node computed (blocks, times, balances, addresses, peer counts).
func publicHealth(err error) error {
	var errs []error
	for _, e := range healthParts(err) {
		if w, ok := e.(*withheld); ok {
			e = w.reason
		}
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		return nil
	}
	return &api.PublicError{Err: errors.Join(errs...)}
}

// healthReasons names a finding's reasons (each one's text before its first colon),
// without the figures that change from one check to the next.
func healthReasons(err error) string {
	var names []string
	for _, e := range healthParts(err) {
		names = append(names, strings.SplitN(e.Error(), ":", 2)[0])
	}
	return strings.Join(names, "; ")
}

// healthLoop re-checks the node's health every HealthInterval; Ready answers from
// its last result, since probing peers and the chain takes longer than a probe may.
// A reason that appears is logged (with its cause, which a client does not read),
// and so is the node's recovery; a lasting one is not logged again.
func (s *Service) healthLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.HealthInterval):
		}
		err := s.checkHealth(ctx)
		if ctx.Err() != nil {
			return
		}
		s.logHealthChange(err)
	}
}

// logHealthChange logs a health finding when its reasons differ from those last
// logged: each reason, or that the node can publish again.
func (s *Service) logHealthChange(err error) {
	names := healthReasons(err)
	s.health.mu.Lock()
	was := s.health.logged
	s.health.logged = names
	s.health.mu.Unlock()
	switch {
	case names == was:
	case err == nil:
		s.log.Info("node can publish verdicts again")
	default:
		s.logHealth(err)
	}
}

// checkHealth runs every readiness check, records the result for Ready and the
// metrics, and returns it.
func (s *Service) checkHealth(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, s.cfg.HealthInterval)
	defer cancel()
	var errs []error
	if err := s.checkChain(cctx); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, s.checkOracle(cctx), s.checkPolicy(cctx), s.checkBalance(cctx), s.checkPeers(cctx))
	}
	err := errors.Join(errs...)
	s.health.mu.Lock()
	s.health.at, s.health.err = s.cfg.Now(), err
	s.health.mu.Unlock()
	if err == nil && s.fundsShort() == nil {
		s.m.ready.Set(1)
	} else {
		s.m.ready.Set(0)
	}
	return err
}

// healthErr returns why the node cannot publish, from the last check and the
// publisher's own findings; nil when it can.
func (s *Service) healthErr() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	var errs []error
	switch {
	case s.health.at.IsZero():
		errs = append(errs, fmt.Errorf("%w: no check completed yet", ErrNotChecked))
	case s.cfg.Now().Sub(s.health.at) > 3*s.cfg.HealthInterval:
		errs = append(errs, fmt.Errorf("%w: last check at %s", ErrNotChecked, s.health.at.UTC().Format(time.RFC3339)))
	default:
		errs = append(errs, s.health.err)
	}
	if s.health.noFunds != nil && !errors.Is(s.health.err, ErrLowBalance) {
		errs = append(errs, s.health.noFunds)
	}
	return errors.Join(errs...)
}

func (s *Service) checkChain(ctx context.Context) error {
	h, err := s.rpc.HeaderByNumber(ctx, nil)
	if err != nil {
		s.m.chainUp.Set(0)
		return chainFault("head", err)
	}
	s.m.chainUp.Set(1)
	lag := s.cfg.Now().Sub(time.Unix(int64(h.Time), 0))
	s.m.headLag.Set(max(lag, 0).Seconds())
	if lag > s.cfg.MaxHeadLag {
		return fmt.Errorf("%w: head block %d is %s old, more than %s", ErrChainLagging, h.Number, lag.Round(time.Second), s.cfg.MaxHeadLag)
	}
	return nil
}

func (s *Service) checkOracle(ctx context.Context) error {
	ok, err := s.reg.IsOracle(ctx, s.oracle)
	if err != nil {
		return chainFault("is oracle", err)
	}
	if !ok {
		return fmt.Errorf("%w: %s (its signatures count toward no quorum)", ErrNotOracle, s.oracle)
	}
	return nil
}

// checkPolicy reads whether the node's policy is registered and active, on every
// check, so a policy the owner retires turns the node unready as one never
// registered does. The finding names the policy's hash, nothing from the chain.
func (s *Service) checkPolicy(ctx context.Context) error {
	active, _, err := s.reg.PolicyActive(ctx, s.policyHash)
	if err != nil {
		return chainFault("policy active", err)
	}
	s.m.policyActive.WithLabelValues(s.policyHash.Hex()).Set(b2f(active))
	if !active {
		return fmt.Errorf("%w: policy %s is not registered and active (the registry refuses its verdicts)", ErrPolicyInactive, s.policyHash.Hex())
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// publishCost estimates what the next Config.ReserveVerdicts verdicts cost to
// publish at the current fees: the transaction manager's fee cap (tip plus twice
// the base fee) for Config.GasPerVerdict each.
func (s *Service) publishCost(ctx context.Context) (cost, price *big.Int, err error) {
	h, err := s.rpc.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	tip, err := s.rpc.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, nil, err
	}
	price = new(big.Int).Set(tip)
	if h.BaseFee != nil {
		price.Add(price, new(big.Int).Mul(h.BaseFee, big.NewInt(2)))
	}
	cost = new(big.Int).Mul(price, new(big.Int).SetUint64(s.cfg.GasPerVerdict*uint64(s.cfg.ReserveVerdicts)))
	return cost, price, nil
}

// balanceShort returns ErrLowBalance when the sending account cannot pay for the
// next verdicts, nil when it can.
func (s *Service) balanceShort(ctx context.Context) error {
	bal, err := s.rpc.BalanceAt(ctx, s.cfg.TxFrom, nil)
	if err != nil {
		return chainFault("balance", err)
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(bal), big.NewFloat(params.Ether)).Float64()
	s.m.balance.Set(f)
	cost, price, err := s.publishCost(ctx)
	if err != nil {
		return chainFault("gas price", err)
	}
	if bal.Cmp(cost) < 0 {
		return fmt.Errorf("%w: %s holds %s wei, %d verdicts cost about %s wei (%d gas each at %s wei/gas)",
			ErrLowBalance, s.cfg.TxFrom, bal, s.cfg.ReserveVerdicts, cost, s.cfg.GasPerVerdict, price)
	}
	return nil
}

func (s *Service) checkBalance(ctx context.Context) error {
	err := s.balanceShort(ctx)
	if err == nil {
		s.clearFundsShort()
	}
	return err
}

// checkPeers asks every peer's /healthz at once and compares the number that answer
// with what the registry's quorum needs from peers (the threshold, less one when this
// node is an oracle itself).
func (s *Service) checkPeers(ctx context.Context) error {
	s.m.peersConf.Set(float64(len(s.cfg.Peers)))
	up := s.reachablePeers(ctx)
	s.m.peersReach.Set(float64(up))
	threshold, err := s.reg.Threshold(ctx)
	if err != nil {
		return chainFault("threshold", err)
	}
	need := threshold
	if ok, err := s.reg.IsOracle(ctx, s.oracle); err == nil && ok {
		need--
	}
	if up < need {
		return fmt.Errorf("%w: %d of %d peers answer, the quorum of %d needs %d besides this node",
			ErrPeersUnreachable, up, len(s.cfg.Peers), threshold, need)
	}
	return nil
}

func (s *Service) reachablePeers(ctx context.Context) int {
	var wg sync.WaitGroup
	ok := make([]bool, len(s.cfg.Peers))
	for i, p := range s.cfg.Peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, peerProbeTimeout)
			defer cancel()
			req, err := http.NewRequestWithContext(pctx, http.MethodGet, p+"/healthz", nil)
			if err != nil {
				return
			}
			resp, err := s.http.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			ok[i] = resp.StatusCode == http.StatusOK
		}()
	}
	wg.Wait()
	n := 0
	for _, v := range ok {
		if v {
			n++
		}
	}
	return n
}

// fundsShort returns the publisher's finding that the account cannot pay, if any.
func (s *Service) fundsShort() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return s.health.noFunds
}

// setFundsShort records that a transaction was refused for want of funds; it
// reports whether this is news (to log it once, not on every pass).
func (s *Service) setFundsShort(err error) bool {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	news := s.health.noFunds == nil
	s.health.noFunds = &withheld{reason: fmt.Errorf("%w: a transaction was refused for want of funds", ErrLowBalance), cause: err}
	s.m.ready.Set(0)
	return news
}

func (s *Service) clearFundsShort() {
	s.health.mu.Lock()
	was := s.health.noFunds != nil
	s.health.noFunds = nil
	s.health.mu.Unlock()
	if was {
		s.log.Info("sending account funded again; publishing resumes", "from", s.cfg.TxFrom)
	}
}

// logHealth logs each reason the node cannot publish, one warning each, with its
// cause (the RPC endpoint's error, through RedactErr).
func (s *Service) logHealth(err error) {
	for _, e := range healthParts(err) {
		s.log.Warn("node cannot publish verdicts: "+strings.SplitN(e.Error(), ":", 2)[0], "err", s.cfg.RedactErr(e))
	}
}
