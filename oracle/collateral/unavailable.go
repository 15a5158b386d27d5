package collateral

import "errors"

// ErrUnavailable is wrapped by fetch errors that say nothing about the evidence: the
// source could not be reached, the connection failed or timed out, it answered 429
// (rate limit) or 5xx, or it answered 200 with something that is not the collateral
// asked for (ErrNotCollateral: a proxy's error page), or the cache's budget for keys
// the source does not know is used up. The same fetch may succeed later. A 4xx other
// than 429 is an answer (AMD KDS says 404 for a chip id or TCB it does not know) and
// is not wrapped.
var ErrUnavailable = errors.New("collateral source unavailable")
