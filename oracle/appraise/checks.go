package appraise

import "slices"

// checks collects an appraisal's checks in the order they are made, and the error
// behind each failure (for Appraise's collateral errors and for tests). Both
// appraisers append to one: every step of an appraisal is a method that records
// its check here.
type checks struct {
	list   []Check
	causes map[string]error
	// ofCollateral names the failed checks whose cause is the collateral the
	// appraisal was served or the trusted roots, not the evidence (failCollateral).
	ofCollateral map[string]bool
}

func newChecks() *checks { return &checks{causes: map[string]error{}, ofCollateral: map[string]bool{}} }

func (l *checks) pass(name, detail string) {
	l.list = append(l.list, Check{Name: name, Outcome: Pass, Detail: detail})
}

func (l *checks) skip(name, why string) {
	l.list = append(l.list, Check{Name: name, Outcome: Skip, Detail: why})
}

func (l *checks) fail(name string, err error) {
	l.list = append(l.list, Check{Name: name, Outcome: Fail, Detail: err.Error()})
	l.causes[name] = err
}

// failCollateral records a failure whose cause is the collateral the appraisal was
// served (a vendor's signed TCB Info, QE Identity or CRL, a certificate fetched from
// AMD KDS or Intel PCS, their validity) or the trusted roots, not the evidence's own
// report, quote, signatures or certificates.
func (l *checks) failCollateral(name string, err error) {
	l.fail(name, err)
	l.ofCollateral[name] = true
}

// result records a failure for a non-nil err, else a pass with okDetail.
func (l *checks) result(name string, err error, okDetail string) {
	if err != nil {
		l.fail(name, err)
		return
	}
	l.pass(name, okDetail)
}

// resultCollateral is result for a check whose failure is the collateral's
// (failCollateral).
func (l *checks) resultCollateral(name string, err error, okDetail string) {
	if err != nil {
		l.failCollateral(name, err)
		return
	}
	l.pass(name, okDetail)
}

// collateralFault reports whether some of the authenticity checks names failed and
// each that failed failed for the collateral (failCollateral): nothing the
// appraisal checked of the evidence itself was found wrong. A check skipped for an
// earlier failure is judged by that failure.
func (l *checks) collateralFault(names []string) bool {
	failed := false
	for _, c := range l.list {
		if c.Outcome != Fail || !slices.Contains(names, c.Name) {
			continue
		}
		if !l.ofCollateral[c.Name] {
			return false
		}
		failed = true
	}
	return failed
}

// outcome is the outcome of the first check named name; Skip when there is none.
func (l *checks) outcome(name string) Outcome {
	for _, c := range l.list {
		if c.Name == name {
			return c.Outcome
		}
	}
	return Skip
}
