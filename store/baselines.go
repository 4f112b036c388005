package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/assessments"
)

// Baselines: named points of an engagement's change history ("Gap workshop 1",
// "Pre-audit", "Stage 1"). A baseline stores the history row it was made on (Seq) and that
// row's hash; the engagement's state at that point is rebuilt from the history (StateAt).
// Its own creation is recorded in the history, so neither the baseline nor its anchor can
// be changed behind annex's back without `annex log --verify` noticing.

// BaselineEntity is how the change history names a baseline.
const BaselineEntity = "baseline"

// Baseline kinds.
const (
	KindBaseline = "baseline"
	KindCycle    = "cycle" // the start of a new assessment cycle, from a baseline
)

// MaxBaselineName is the longest baseline name, in characters.
const MaxBaselineName = 80

// Baseline is a named point of an engagement's change history.
type Baseline struct {
	ID           string
	EngagementID string
	Name         string
	Kind         string // KindBaseline or KindCycle
	// FromID is, for a cycle, the baseline it starts from.
	FromID string
	// Seq is the history row the baseline was made on (the last row then); Hash is that
	// row's hash.
	Seq  int64
	Hash string
	At   time.Time
	By   string
}

// IsCycle is true for the start of a new cycle.
func (b Baseline) IsCycle() bool { return b.Kind == KindCycle }

var baselineFields = []string{"name", "kind", "from", "seq", "hash"}

func baselineMap(b Baseline) map[string]string {
	return map[string]string{"name": b.Name, "kind": b.Kind, "from": b.FromID, "seq": strconv.FormatInt(b.Seq, 10), "hash": b.Hash}
}

// checkBaselineName refuses an empty, overlong or taken name with one sentence.
func checkBaselineName(ctx context.Context, h Handler, engagementID, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return name, &assessments.ValidationError{Field: "name", Message: "Give the baseline a name, such as \"Pre-audit\"."}
	case utf8.RuneCountInString(name) > MaxBaselineName:
		return name, &assessments.ValidationError{Field: "name", Message: fmt.Sprintf("A baseline name has at most %d characters.", MaxBaselineName)}
	case strings.EqualFold(name, "now"):
		return name, &assessments.ValidationError{Field: "name", Message: "\"now\" stands for the engagement as it is; choose another name."}
	}
	var n int
	if err := h.QueryRowContext(ctx, "SELECT count(*) FROM baselines WHERE engagement_id = ? AND "+nocase(h, "name")+" = "+nocase(h, "?"), engagementID, name).Scan(&n); err != nil {
		return name, fmt.Errorf("read baselines: %w", err)
	}
	if n > 0 {
		return name, &assessments.ValidationError{Field: "name", Message: fmt.Sprintf("This engagement already has a baseline named %q.", name)}
	}
	return name, nil
}

// CreateBaseline freezes the engagement's state as it is now under a name: it records the
// last row of the change history (and its hash) as the baseline's anchor. A name that is
// empty, too long or already used in the engagement is a *assessments.ValidationError.
func (s *Store) CreateBaseline(ctx context.Context, engagementID, name string) (Baseline, error) {
	return s.createBaseline(ctx, engagementID, name, KindBaseline, "")
}

// StartCycle starts a new assessment cycle from a baseline: the statuses stay as they are,
// and every requirement is to be re-confirmed until it is touched (edited or re-confirmed
// with ReconfirmResults) in the new cycle. The cycle is itself a point of the history,
// named name.
func (s *Store) StartCycle(ctx context.Context, engagementID, name, fromBaselineID string) (Baseline, error) {
	if fromBaselineID == "" {
		return Baseline{}, errors.New("a new cycle starts from a baseline; name one")
	}
	return s.createBaseline(ctx, engagementID, name, KindCycle, fromBaselineID)
}

func (s *Store) createBaseline(ctx context.Context, engagementID, name, kind, from string) (Baseline, error) {
	var b Baseline
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.Engagement(ctx, engagementID); err != nil {
			return err
		}
		clean, err := checkBaselineName(ctx, tx.h, engagementID, name)
		if err != nil {
			return err
		}
		if from != "" {
			if _, err := tx.Baseline(ctx, engagementID, from); err != nil {
				return err
			}
		}
		b = Baseline{ID: NewID(), EngagementID: engagementID, Name: clean, Kind: kind, FromID: from, At: tx.now().UTC(), By: tx.author}
		if err := tx.h.QueryRowContext(ctx, tx.dialect().chainEnd).Scan(&b.Seq, &b.Hash); err != nil {
			return fmt.Errorf("read the end of the change history: %w", err)
		}
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO baselines(id, engagement_id, name, kind, from_id, seq, hash, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.EngagementID, b.Name, b.Kind, b.FromID, b.Seq, b.Hash,
			b.At.Format(time.RFC3339Nano), b.By); err != nil {
			return fmt.Errorf("save baseline: %w", err)
		}
		return tx.Record(ctx, engagementID, BaselineEntity, b.ID, Diff(append([]string{"created"}, baselineFields...),
			map[string]string{}, withCreated(baselineMap(b))))
	})
	if err != nil {
		return Baseline{}, err
	}
	return b, nil
}

// Baselines lists an engagement's baselines and cycle starts, oldest first.
func (s *Store) Baselines(ctx context.Context, engagementID string) ([]Baseline, error) {
	return s.queryBaselines(ctx, "WHERE engagement_id = ?", engagementID)
}

// Baseline finds a baseline of an engagement by id or name (any case).
func (s *Store) Baseline(ctx context.Context, engagementID, nameOrID string) (Baseline, error) {
	list, err := s.queryBaselines(ctx, "WHERE engagement_id = ? AND (id = ? OR "+s.nocase("name")+" = "+s.nocase("?")+")", engagementID, nameOrID, strings.TrimSpace(nameOrID))
	if err != nil {
		return Baseline{}, err
	}
	if len(list) == 0 {
		return Baseline{}, fmt.Errorf("the engagement has no baseline named %q: %w", nameOrID, ErrNotFound)
	}
	return list[0], nil
}

func (s *Store) queryBaselines(ctx context.Context, where string, args ...any) ([]Baseline, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, engagement_id, name, kind, from_id, seq, hash, created_at, created_by
		FROM baselines `+where+` ORDER BY seq, created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read baselines: %w", err)
	}
	defer rows.Close()
	var out []Baseline
	for rows.Next() {
		var b Baseline
		var at string
		if err := rows.Scan(&b.ID, &b.EngagementID, &b.Name, &b.Kind, &b.FromID, &b.Seq, &b.Hash, &at, &b.By); err != nil {
			return nil, err
		}
		b.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// CurrentCycle is the engagement's latest cycle start, or nil when it never started one.
func (s *Store) CurrentCycle(ctx context.Context, engagementID string) (*Baseline, error) {
	list, err := s.queryBaselines(ctx, "WHERE engagement_id = ? AND kind = 'cycle'", engagementID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	c := list[len(list)-1]
	return &c, nil
}

// TouchedSince lists the requirements ("standard:ref") of an engagement with a history row
// after row seq: edited, or re-confirmed as they stand.
func (s *Store) TouchedSince(ctx context.Context, engagementID string, seq int64) (map[string]bool, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT DISTINCT entity_id FROM `+s.dialect().indexed("changes_engagement_entity")+`
		WHERE engagement_id = ? AND entity = 'result' AND seq > ?`, engagementID, seq)
	if err != nil {
		return nil, fmt.Errorf("read change history: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Reconfirm is where an engagement stands in its current cycle.
type Reconfirm struct {
	Cycle *Baseline // nil: no cycle started, nothing to re-confirm
	// Touched holds "standard:ref" of every requirement edited or re-confirmed since the
	// cycle began.
	Touched map[string]bool
}

// Reconfirmation reads the current cycle and what was touched in it.
func (s *Store) Reconfirmation(ctx context.Context, engagementID string) (Reconfirm, error) {
	c, err := s.CurrentCycle(ctx, engagementID)
	if err != nil || c == nil {
		return Reconfirm{}, err
	}
	touched, err := s.TouchedSince(ctx, engagementID, c.Seq)
	return Reconfirm{Cycle: c, Touched: touched}, err
}

// Pending is true when a requirement is still to be re-confirmed in the current cycle.
func (r Reconfirm) Pending(standard, ref string) bool {
	return r.Cycle != nil && !r.Touched[standard+":"+ref]
}

// ReconfirmResults records that requirements were re-confirmed as they stand in the current
// cycle (their status and the rest unchanged): one history row each. It returns how many
// were still to re-confirm. An engagement with no cycle started is refused.
func (s *Store) ReconfirmResults(ctx context.Context, engagementID string, keys ...assessments.Key) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx *Store) error {
		c, err := tx.CurrentCycle(ctx, engagementID)
		if err != nil {
			return err
		}
		if c == nil {
			return errors.New("no cycle has been started, so nothing is to be re-confirmed")
		}
		touched, err := tx.TouchedSince(ctx, engagementID, c.Seq)
		if err != nil {
			return err
		}
		for _, k := range keys {
			id := ResultEntityID(k)
			if touched[id] {
				continue
			}
			touched[id] = true
			if err := tx.Record(ctx, engagementID, "result", id, []FieldDiff{{Field: reconfirmedField, New: c.Name}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// AnchorProblem is a baseline whose anchor no longer holds.
type AnchorProblem struct {
	Baseline Baseline
	Problem  string // one sentence
}

func (p AnchorProblem) String() string {
	return fmt.Sprintf("baseline %q: %s", p.Baseline.Name, p.Problem)
}

// CheckBaselineAnchors checks every baseline of the workspace (engagementID "" ) or of one
// engagement against the change history: the row it was made on must still be there,
// carry the hash recorded with the baseline, match its own hash and link to the row before
// it. broken, when not nil, is where VerifyChain found the history broken: baselines made
// on or after that row rest on a history that does not hold.
func (s *Store) CheckBaselineAnchors(ctx context.Context, engagementID string, broken *ChainProblem) ([]AnchorProblem, error) {
	where, args := "", []any{}
	if engagementID != "" {
		where, args = "WHERE engagement_id = ?", []any{engagementID}
	}
	list, err := s.queryBaselines(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	var out []AnchorProblem
	for _, b := range list {
		if p, err := s.anchorProblem(ctx, b, broken); err != nil {
			return nil, err
		} else if p != "" {
			out = append(out, AnchorProblem{Baseline: b, Problem: p})
		}
	}
	return out, nil
}

func (s *Store) anchorProblem(ctx context.Context, b Baseline, broken *ChainProblem) (string, error) {
	var c Change
	err := s.h.QueryRowContext(ctx, `SELECT seq, at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash
		FROM changes WHERE seq = ?`, b.Seq).Scan(&c.Seq, &c.At, &c.Author, &c.EngagementID, &c.Entity, &c.EntityID, &c.Field, &c.Old, &c.New, &c.PrevHash, &c.Hash)
	hidden := false
	if errors.Is(err, sql.ErrNoRows) && s.pg && !s.info.Admin {
		// A team member may not read the anchor (another engagement's row): its number and
		// hashes come from the server, and only its link is checked, as VerifyChain does.
		hidden = true
		err = s.h.QueryRowContext(ctx, "SELECT seq, prev_hash, hash FROM annex_chain_link(?)", b.Seq).Scan(&c.Seq, &c.PrevHash, &c.Hash)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Sprintf("its anchor, row %d of the history, is missing", b.Seq), nil
	}
	if err != nil {
		return "", fmt.Errorf("read change history: %w", err)
	}
	switch {
	case c.Hash != b.Hash:
		return fmt.Sprintf("its anchor, row %d of the history, is not the row it was made on (another hash)", b.Seq), nil
	case !hidden && changeHash(c) != c.Hash:
		return fmt.Sprintf("its anchor, row %d of the history, was altered since it was made", b.Seq), nil
	}
	var prev string
	if err := s.h.QueryRowContext(ctx, s.dialect().chainPrev, b.Seq).Scan(&prev); err != nil {
		return "", fmt.Errorf("read change history: %w", err)
	}
	if c.PrevHash != prev {
		return fmt.Sprintf("the history before its anchor (row %d) was changed: the rows no longer link", b.Seq), nil
	}
	if broken != nil && broken.Seq <= b.Seq {
		return fmt.Sprintf("the history it rests on is broken at row %d, before its anchor (row %d)", broken.Seq, b.Seq), nil
	}
	return "", nil
}
