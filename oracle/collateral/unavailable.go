package collateral

import "errors"

// ErrUnavailable is wrapped by fetch errors that say nothing about the evidence: the
// source could not be reached, the connection failed or timed out, or it answered 429
// (rate limit) or 5xx. The same fetch may succeed later. A 4xx other than 429 is an
// answer (AMD KDS says 404 for a chip id or TCB it does not know) and is not wrapped.
var ErrUnavailable = errors.New("collateral source unavailable")
