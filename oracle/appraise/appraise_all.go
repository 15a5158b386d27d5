package appraise

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// AppraiseAll appraises many pieces of evidence as of one time on workers goroutines
// (zero or less: one per CPU, runtime.GOMAXPROCS(0)). Result i belongs to evs[i]: an
// appraisal, or the error Appraise returned for it. The appraiser must be safe for
// concurrent use, as SNPAppraiser and TDXAppraiser are. When ctx ends, evidence not
// yet started gets ctx's error.
func AppraiseAll(ctx context.Context, a Appraiser, evs []*evidence.Evidence, asOf time.Time, workers int) ([]*Appraisal, []error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(evs))
	out := make([]*Appraisal, len(evs))
	errs := make([]error, len(evs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				out[i], errs[i] = a.Appraise(ctx, evs[i], asOf)
			}
		}()
	}
	for i := range evs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errs
}
