package appraise

// checks collects an appraisal's checks in the order they are made, and the error
// behind each failure (for Appraise's collateral errors and for tests). Both
// appraisers append to one: every step of an appraisal is a method that records
// its check here.
type checks struct {
	list   []Check
	causes map[string]error
}

func newChecks() *checks { return &checks{causes: map[string]error{}} }

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

// result records a failure for a non-nil err, else a pass with okDetail.
func (l *checks) result(name string, err error, okDetail string) {
	if err != nil {
		l.fail(name, err)
		return
	}
	l.pass(name, okDetail)
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
