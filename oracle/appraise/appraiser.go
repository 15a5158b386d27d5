package appraise

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrMalformed is returned (wrapped) when evidence cannot be read at all. Evidence
// that can be read but fails a check is not an error: the failed check is recorded
// in the Appraisal and Authentic is false.
var ErrMalformed = errors.New("malformed evidence")

// ErrCollateralUnavailable is returned (wrapped) instead of an appraisal when a check
// failed only because a collateral source was unreachable or overloaded
// (collateral.ErrUnavailable: a network error, HTTP 429 or 5xx). Such a failure says
// nothing about the evidence, so no verdict, trusted or not, may be made from it; the
// same appraisal can be tried again later.
var ErrCollateralUnavailable = errors.New("collateral unavailable")

// unavailable returns an error wrapping ErrCollateralUnavailable when a failed check's
// cause is collateral.ErrUnavailable; the first such check in order is named.
func unavailable(checks []Check, causes map[string]error) error {
	for _, c := range checks {
		if err := causes[c.Name]; c.Outcome == Fail && errors.Is(err, collateral.ErrUnavailable) {
			return fmt.Errorf("%w: check %s: %w", ErrCollateralUnavailable, c.Name, err)
		}
	}
	return nil
}

// Appraiser appraises evidence of one or more TEE types as of a given time. The time
// is explicit so that any past appraisal can be reproduced; implementations read no
// clock and reach no network except through sources they were given.
type Appraiser interface {
	Appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error)
}
