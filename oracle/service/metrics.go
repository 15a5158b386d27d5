package service

import (
	"runtime"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the node's series (namespace teeoracle). They live in the node's own
// registry, never the global one.
type metrics struct {
	submissions    *prometheus.CounterVec
	verdicts       *prometheus.CounterVec
	appraisal      prometheus.Histogram
	disagreements  prometheus.Counter
	quorumWaiting  prometheus.Gauge
	batches        *prometheus.CounterVec
	publishFailed  *prometheus.CounterVec
	published      prometheus.Counter
	confirmLat     prometheus.Histogram
	due            prometheus.Gauge
	downgrades     prometheus.Counter
	reappraisals   *prometheus.CounterVec
	deferred       prometheus.Gauge
	collWaits      prometheus.Counter
	ready          prometheus.Gauge
	chainUp        prometheus.Gauge
	headLag        prometheus.Gauge
	balance        prometheus.Gauge
	noFunds        prometheus.Counter
	peersReach     prometheus.Gauge
	peersConf      prometheus.Gauge
	pruned         prometheus.Counter
	archiveBytes   *prometheus.GaugeVec
	archiveEntries *prometheus.GaugeVec
	tx             *txMetrics
	cosigned       prometheus.Counter
	claimsRefused  *prometheus.CounterVec
	subsRefused    *prometheus.CounterVec
	paused         prometheus.Gauge
	policyActive   *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	ns := "teeoracle"
	m := &metrics{
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "submissions_total",
			Help: "Submissions by final outcome (accepted, confirmed, failed)."}, []string{"outcome"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "verdicts_total",
			Help: "Verdicts reached by status (trusted, untrusted) and origin (submission, reappraisal)."}, []string{"status", "origin"}),
		appraisal: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "appraisal_seconds",
			Help: "Time to appraise, decide and sign one submission.", Buckets: prometheus.ExponentialBuckets(0.0002, 2, 16)}),
		disagreements: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "quorum_disagreements_total",
			Help: "Peer answers naming a different verdict for the same evidence."}),
		quorumWaiting: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "quorum_waiting",
			Help: "Signed verdicts waiting for their quorum."}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "publish_batches_total",
			Help: "submitBatch transactions by outcome."}, []string{"outcome"}),
		publishFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "publish_failed_verdicts_total",
			Help: "Verdicts this node stopped publishing, by cause: reverted (3 transactions carrying it alone reverted in a row), deferred (3 mined batches did not try it, their first entry, for want of gas)."}, []string{"cause"}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "published_verdicts_total",
			Help: "Verdicts carried by confirmed transactions of this node."}),
		confirmLat: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "submission_to_confirmation_seconds",
			Help: "Time from receiving evidence to the confirmation of its verdict.", Buckets: prometheus.ExponentialBuckets(0.25, 2, 12)}),
		due: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "machines_due",
			Help: "Registered machines whose verdict expires within the due window."}),
		downgrades: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "reappraisal_downgrades_total",
			Help: "Untrusted verdicts made by re-appraising archived evidence with new collateral."}),
		reappraisals: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "reappraisals_total",
			Help: "Re-appraisals of archived evidence by outcome (made: the machine was re-appraised for its time; failed: it is tried again)."}, []string{"outcome"}),
		deferred: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "reappraisals_deferred",
			Help: "Trusted machines due for re-appraisal that the last pass left to the next one (past --reappraise-max, or stopped)."}),
		collWaits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "collateral_unavailable_total",
			Help: "Appraisals put off because a collateral source (AMD KDS, Intel PCS) was unreachable or failing."}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "ready",
			Help: "1 when the last health check found the node able to publish (what /readyz reports), else 0."}),
		chainUp: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "chain_reachable",
			Help: "1 when the chain endpoint answered the last health check, else 0."}),
		headLag: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "chain_head_lag_seconds",
			Help: "Age of the chain's head block at the last health check."}),
		balance: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "sender_balance_ether",
			Help: "Balance of the account that sends verdict transactions, in ether."}),
		noFunds: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "publish_insufficient_funds_total",
			Help: "Verdict transactions the chain refused because the sending account could not pay."}),
		peersReach: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "peers_reachable",
			Help: "Peers whose /healthz answered at the last health check."}),
		peersConf: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "peers_configured",
			Help: "Peers configured."}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "pruned_submissions_total",
			Help: "Failed submissions deleted by the retention policy (--retain-failed)."}),
		archiveBytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "archive_bytes",
			Help: "Bytes held in the store's archives by kind (evidence, collateral, policy), values only."}, []string{"kind"}),
		archiveEntries: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "archive_entries",
			Help: "Items held in the store's archives by kind (evidence, collateral, policy)."}, []string{"kind"}),
		tx: newTxMetrics(ns),
		cosigned: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "cosigned_verdicts_total",
			Help: "Verdicts in batches this node co-signed for its peers (POST /v1/peer/batch-signature)."}),
		claimsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "relay_claims_refused_total",
			Help: "Peers' relay claims refused, by reason (forbidden: not authenticated, or not current; signer_share: past the signer's share of the claim table)."}, []string{"reason"}),
		subsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "submissions_refused_total",
			Help: "Submissions refused for their machine's bounds, by reason (machine_failures: as many of its submissions failed for their evidence as the node keeps; machine_pending: as many unsettled as it accepts; not_newer: anchored no later than an unsettled one)."}, []string{"reason"}),
		paused: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "registry_paused",
			Help: "1 while the publisher finds the registry paused by its owner (verdicts with a complete quorum wait), else 0."}),
		policyActive: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "policy_active",
			Help: "The node's policy, by hash: 1 when the last health check found it registered and active in the registry, else 0."}, []string{"policy"}),
	}
	reg.MustRegister(m.submissions, m.verdicts, m.appraisal, m.disagreements, m.quorumWaiting, m.batches,
		m.publishFailed, m.published, m.confirmLat, m.due, m.downgrades, m.reappraisals, m.deferred, m.collWaits, m.ready, m.chainUp, m.headLag, m.balance,
		m.noFunds, m.peersReach, m.peersConf, m.pruned, m.archiveBytes, m.archiveEntries, m.cosigned, m.claimsRefused, m.subsRefused, m.paused, m.policyActive, buildInfo(ns),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.tx.register(reg)
	return m
}

// buildInfo is a constant 1 labelled with the binary's module version, VCS
// revision and Go version, so a dashboard shows which build each node runs.
func buildInfo(ns string) prometheus.Collector {
	version, revision, modified := "unknown", "unknown", "false"
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				revision = st.Value
			case "vcs.modified":
				modified = st.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "build_info",
		Help:        "Build of this node: module version, VCS revision and whether the tree was modified, Go version.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "modified": modified, "goversion": runtime.Version()}})
	g.Set(1)
	return g
}

// txMetrics implements chain.TxMetrics.
type txMetrics struct {
	nonce     prometheus.Gauge
	publishes prometheus.Counter
	bumps     prometheus.Counter
	confirmed prometheus.Histogram
	gas       prometheus.Counter
	dropped   prometheus.Counter
	rpcErrors *prometheus.CounterVec
}

func newTxMetrics(ns string) *txMetrics {
	return &txMetrics{
		nonce: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "tx", Name: "nonce", Help: "Last nonce used."}),
		publishes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "tx", Name: "broadcasts_total",
			Help: "Transactions broadcast (including rebroadcasts)."}),
		bumps: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "tx", Name: "fee_bumps_total", Help: "Fee bumps."}),
		confirmed: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: "tx", Name: "confirmation_seconds",
			Help: "Time from first broadcast to confirmation.", Buckets: prometheus.ExponentialBuckets(0.25, 2, 12)}),
		gas: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "tx", Name: "gas_used_total", Help: "Gas used by confirmed transactions."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "tx", Name: "dropped_total",
			Help: "Journaled transactions that could no longer be mined."}),
		rpcErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "tx", Name: "rpc_errors_total",
			Help: "Failed RPC calls by method."}, []string{"method"}),
	}
}

func (t *txMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(t.nonce, t.publishes, t.bumps, t.confirmed, t.gas, t.dropped, t.rpcErrors)
}

func (t *txMetrics) RecordNonce(n uint64)    { t.nonce.Set(float64(n)) }
func (t *txMetrics) RecordPublish()          { t.publishes.Inc() }
func (t *txMetrics) RecordFeeBump()          { t.bumps.Inc() }
func (t *txMetrics) RecordDropped()          { t.dropped.Inc() }
func (t *txMetrics) RecordRPCError(m string) { t.rpcErrors.WithLabelValues(m).Inc() }
func (t *txMetrics) RecordConfirmed(d time.Duration, gas uint64) {
	t.confirmed.Observe(d.Seconds())
	t.gas.Add(float64(gas))
}
