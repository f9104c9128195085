package jobs

import "time"

// SetLeaseTTL shortens the scheduler's lease for a test.
func (s *Scheduler) SetLeaseTTL(d time.Duration) { s.leaseTTL = d }
