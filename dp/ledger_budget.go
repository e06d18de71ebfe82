package dp

import (
	"fmt"
	"slices"
	"time"
)

// Release states in a Status.
const (
	ReleaseCommitted = "committed"
	ReleasePending   = "pending" // reserved but never committed (a crash): counted as spent
	ReleaseAborted   = "aborted"
)

// ReleaseRecord is one release as the ledger records it.
type ReleaseRecord struct {
	ID          string   `json:"id"`
	Time        string   `json:"time"`
	State       string   `json:"state"`
	Cost        Budget   `json:"cost"`
	Queries     []string `json:"queries"`
	Params      string   `json:"params"`
	CodeVersion string   `json:"code_version"`
	Output      string   `json:"output,omitempty"`
}

// Status is what a ledger says: total, spent and remaining budget, and every
// release.
type Status struct {
	Path     string          `json:"ledger"`
	Dataset  string          `json:"dataset"`
	Total    Budget          `json:"total"`
	Spent    Budget          `json:"spent"`
	Left     Budget          `json:"left"`
	Releases []ReleaseRecord `json:"releases"`
	// Uncommitted lists pending releases that never committed (counted as
	// spent, conservatively: their noise may have been seen).
	Uncommitted []string `json:"uncommitted,omitempty"`
	// TornTail is true when the last line was incomplete (a crash during an
	// append); that entry is ignored.
	TornTail bool `json:"torn_tail,omitempty"`
}

// Status computes the ledger's status.
func (l *Ledger) Status() *Status {
	s := &Status{Path: l.path, TornTail: l.torn}
	idx := map[string]int{}
	for _, e := range l.entries {
		switch e.Type {
		case EntryInit:
			s.Dataset, s.Total = e.Dataset, *e.Total
		case EntryPending:
			idx[e.ID] = len(s.Releases)
			s.Releases = append(s.Releases, ReleaseRecord{ID: e.ID, Time: e.Time.Format(time.RFC3339),
				State: ReleasePending, Cost: *e.Cost, Queries: e.Queries, Params: e.Params, CodeVersion: e.CodeVersion, Output: e.Output})
		case EntryCommitted, EntryAborted:
			if i, ok := idx[e.ID]; ok {
				s.Releases[i].State = map[string]string{EntryCommitted: ReleaseCommitted, EntryAborted: ReleaseAborted}[e.Type]
			}
		}
	}
	for _, r := range s.Releases {
		if r.State == ReleaseAborted {
			continue
		}
		s.Spent.Epsilon += r.Cost.Epsilon
		s.Spent.Delta += r.Cost.Delta
		if r.State == ReleasePending {
			s.Uncommitted = append(s.Uncommitted, r.ID)
		}
	}
	s.Left = Budget{max(0, s.Total.Epsilon-s.Spent.Epsilon), max(0, s.Total.Delta-s.Spent.Delta)}
	return s
}

// Check returns an error wrapping ErrBudgetExhausted if cost does not fit in
// what is left.
func (l *Ledger) Check(cost Budget) error {
	s := l.Status()
	if s.Spent.Epsilon+cost.Epsilon > s.Total.Epsilon*(1+budgetSlack) {
		return fmt.Errorf("%w: release needs ε=%g, ledger %s has ε=%g left of %g", ErrBudgetExhausted,
			cost.Epsilon, l.path, s.Left.Epsilon, s.Total.Epsilon)
	}
	if s.Spent.Delta+cost.Delta > s.Total.Delta*(1+budgetSlack)+1e-300 {
		return fmt.Errorf("%w: release needs δ=%g, ledger %s has δ=%g left of %g", ErrBudgetExhausted,
			cost.Delta, l.path, s.Left.Delta, s.Total.Delta)
	}
	return nil
}

// Reservation describes a release about to be computed.
type Reservation struct {
	Cost        Budget
	Queries     []string
	Params      string
	CodeVersion string
	Output      string
}

// Reserve checks the budget and appends a pending entry (fsync'd). From then
// on the budget counts as spent, whether or not the release commits.
func (l *Ledger) Reserve(r Reservation) (string, error) {
	if err := l.Check(r.Cost); err != nil {
		return "", err
	}
	id, err := entryID(len(l.Status().Releases) + 1)
	if err != nil {
		return "", err
	}
	cost := r.Cost
	err = l.append(Entry{Type: EntryPending, ID: id, Time: l.now(), Cost: &cost, Queries: slices.Clone(r.Queries),
		Params: r.Params, CodeVersion: r.CodeVersion, Output: r.Output})
	return id, err
}

// Commit records that release id's files are in place.
func (l *Ledger) Commit(id string) error { return l.finish(id, EntryCommitted, "") }

// Abort returns release id's budget. Call it only when no noisy value was
// computed (e.g. the output directory could not be created before noise was
// drawn); once noise exists the budget is spent even if nothing was written.
func (l *Ledger) Abort(id, reason string) error { return l.finish(id, EntryAborted, reason) }

func (l *Ledger) finish(id, typ, reason string) error {
	for _, r := range l.Status().Releases {
		if r.ID == id {
			if r.State != ReleasePending {
				return fmt.Errorf("dp: release %s is already %s", id, r.State)
			}
			return l.append(Entry{Type: typ, ID: id, Time: l.now(), Reason: reason})
		}
	}
	return fmt.Errorf("dp: no pending release %s in ledger %s", id, l.path)
}
