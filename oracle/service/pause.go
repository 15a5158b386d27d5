package service

import (
	"context"
	"sync"
	"time"
)

// pauseState is what the publisher knows of the registry's pause: while the owner
// has paused it, every submission reverts with RegistryPaused, and the verdicts
// whose quorum is complete wait (signed) until it is unpaused, since they are still
// valid then (a trusted one fails later if its anchor grew too old meanwhile).
type pauseState struct {
	mu    sync.Mutex
	since time.Time // when the publisher found the registry paused; zero when not
}

// registryPaused reports whether the publisher last found the registry paused: it
// then simulates no submission until a pass reads it unpaused (checkPause).
func (s *Service) registryPaused() bool {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	return !s.pause.since.IsZero()
}

// notePaused records that the registry refused a submission with RegistryPaused,
// logging it once per pause.
func (s *Service) notePaused() {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	if !s.pause.since.IsZero() {
		return
	}
	s.pause.since = s.cfg.Now()
	s.m.paused.Set(1)
	s.log.Warn("the registry is paused by its owner: verdicts with a complete quorum wait until it is unpaused",
		"registry", s.cfg.Registry)
}

// noteUnpaused records that the registry takes submissions again.
func (s *Service) noteUnpaused() {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	if s.pause.since.IsZero() {
		return
	}
	s.log.Info("the registry is unpaused: waiting verdicts go out", "registry", s.cfg.Registry,
		"paused_for", s.cfg.Now().Sub(s.pause.since).Round(time.Second))
	s.pause.since = time.Time{}
	s.m.paused.Set(0)
}

// checkPause, at the start of a pass that found the registry paused before, reads
// whether it still is (one call, not a simulation per waiting verdict); when the
// read fails the verdicts wait for the next pass. Without that read (readPaused
// nil) the pass simulates again.
func (s *Service) checkPause(ctx context.Context) {
	if !s.registryPaused() {
		return
	}
	if s.readPaused != nil {
		cctx, cancel := s.chainCtx(ctx)
		paused, err := readN(cctx, publishReadAttempts, s.readPaused)
		cancel()
		if err != nil || paused {
			return
		}
	}
	s.noteUnpaused()
}
