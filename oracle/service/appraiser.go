package service

import (
	"context"
	"log/slog"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// NewAppraiser builds the node's appraisers over src, each collateral source wrapped
// so that what an appraisal used is recorded and archived with its verdict
// (RecordingSNP, kept a lister of every current CRL over a CRL directory;
// RecordingTDX). The refresh function, nil when there is nothing to
// refresh, reads a local AMD CRL directory again; Config.RefreshCollateral takes it,
// and its error names the file that is no CRL.
func NewAppraiser(src *collateral.Sources, roots *appraise.CustomRoots, log *slog.Logger) (appraise.Appraiser, func(context.Context) error, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg := appraise.SourcesConfig{Roots: roots, Logger: log}
	if src.SNP != nil {
		cfg.SNP = recordingSNP(src.SNP)
	}
	if src.TDX != nil {
		cfg.TDX = RecordingTDX{Inner: src.TDX}
	} else {
		log.Warn("no TDX collateral source (offline without --collateral or --cache-dir): TDX evidence will be refused")
	}
	by, err := appraise.NewByTEE(cfg)
	if err != nil {
		return nil, nil, err
	}
	var refresh func(context.Context) error
	if src.CRLs != nil {
		refresh = func(context.Context) error { return src.CRLs.Reload() }
	}
	return by, refresh, nil
}
