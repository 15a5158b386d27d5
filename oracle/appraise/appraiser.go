package appraise

import (
	"context"
	"errors"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrMalformed is returned (wrapped) when evidence cannot be read at all. Evidence
// that can be read but fails a check is not an error: the failed check is recorded
// in the Appraisal and Authentic is false.
var ErrMalformed = errors.New("malformed evidence")

// Appraiser appraises evidence of one or more TEE types as of a given time. The time
// is explicit so that any past appraisal can be reproduced; implementations read no
// clock and reach no network except through sources they were given.
type Appraiser interface {
	Appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error)
}
