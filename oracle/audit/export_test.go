package audit

import (
	"context"
	"time"
)

// SetSleep replaces the wait between a NodeSource's attempts, so a test sees the
// waits a node asked for without taking them.
func SetSleep(n *NodeSource, sleep func(ctx context.Context, d time.Duration) error) { n.sleep = sleep }
