package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// readCollateralFiles reads one file, or every regular file in a directory, in name
// order, as named inputs.
func readCollateralFiles(path string) ([]evidence.Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("collateral: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path) // sorted by name
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	out := make([]evidence.Input, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		out = append(out, evidence.Input{Name: f, Data: b})
	}
	return out, nil
}

// loadSNPCRLs reads one CRL file (DER or PEM) or every file in a directory into the
// verifier's in-memory CRL source.
func loadSNPCRLs(path string) (*verifier.SNPCRLs, error) {
	in, err := readCollateralFiles(path)
	if err != nil {
		return nil, err
	}
	return verifier.ParseSNPCRLs(in)
}
