package service

// PruneNow runs one pass of the retention loop. Test-only.
func (s *Service) PruneNow() { s.pruneOnce() }
