package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// SkipKey names one crosswalk suggestion: the requirement that would adopt, and the
// requirement it would adopt from.
type SkipKey struct {
	Standard, Ref         string
	FromStandard, FromRef string
}

// SkipKeyOf is the key of a suggestion.
func SkipKeyOf(sg assessments.Suggestion) SkipKey {
	return SkipKey{Standard: sg.Standard, Ref: sg.Ref, FromStandard: sg.From.Standard, FromRef: sg.From.Ref}
}

func (k SkipKey) entityID() string {
	return k.Standard + ":" + k.Ref + "<-" + k.FromStandard + ":" + k.FromRef
}

// SkipSuggestion records that the consultant does not want this suggestion; it is not
// offered again for the engagement. Skipping twice is harmless.
func (s *Store) SkipSuggestion(ctx context.Context, engagementID string, sg assessments.Suggestion) error {
	k := SkipKeyOf(sg)
	return s.WithTx(ctx, func(tx *Store) error {
		res, err := tx.h.ExecContext(ctx, `INSERT INTO suggestion_skips(engagement_id, standard, ref, from_standard, from_ref, skipped_at, skipped_by)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, engagementID, k.Standard, k.Ref, k.FromStandard, k.FromRef, tx.stamp(), tx.author)
		if err != nil {
			return fmt.Errorf("skip suggestion for %s: %w", sg.Ref, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.Record(ctx, engagementID, "suggestion", k.entityID(), []FieldDiff{{Field: "skipped", Old: "", New: "yes"}})
	})
}

// SuggestionSkips lists the skipped suggestions of an engagement.
func (s *Store) SuggestionSkips(ctx context.Context, engagementID string) (map[SkipKey]bool, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT standard, ref, from_standard, from_ref FROM suggestion_skips WHERE engagement_id = ?`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read skipped suggestions: %w", err)
	}
	defer rows.Close()
	out := map[SkipKey]bool{}
	for rows.Next() {
		var k SkipKey
		if err := rows.Scan(&k.Standard, &k.Ref, &k.FromStandard, &k.FromRef); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// Suggestions lists the crosswalk suggestions of an engagement that were not skipped,
// computed from its stored results (assessments.Suggestions).
func (s *Store) Suggestions(ctx context.Context, set *catalogs.Set, e assessments.Engagement) ([]assessments.Suggestion, error) {
	results, err := s.Results(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	skips, err := s.SuggestionSkips(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	var out []assessments.Suggestion
	for _, sg := range assessments.Suggestions(set, e, results) {
		if !skips[SkipKeyOf(sg)] {
			out = append(out, sg)
		}
	}
	return out, nil
}

// ErrSuggestionStale says a suggestion no longer holds: the requirement was assessed, or
// the source's status changed, since the list was shown.
var ErrSuggestionStale = errors.New("the suggestion no longer applies")

// AcceptSuggestion adopts a suggestion into the engagement: the requirement takes the
// carried status, marked needs review, with its provenance (assessments.Adopt), saved with
// its change rows. It refuses with ErrSuggestionStale when the requirement was assessed or
// the source's status changed since the suggestion was made.
func (s *Store) AcceptSuggestion(ctx context.Context, set *catalogs.Set, engagementID string, sg assessments.Suggestion) (assessments.Result, error) {
	cur, err := s.Result(ctx, assessments.Key{EngagementID: engagementID, Standard: sg.Standard, Ref: sg.Ref})
	if err != nil {
		return cur, err
	}
	if cur.EffectiveStatus() != assessments.NotAssessed {
		return cur, fmt.Errorf("%s %s is already %s: %w", shortOf(set, sg.Standard), sg.Ref, cur.EffectiveStatus().Label(), ErrSuggestionStale)
	}
	src, err := s.Result(ctx, assessments.Key{EngagementID: engagementID, Standard: sg.From.Standard, Ref: sg.From.Ref})
	if err != nil {
		return cur, err
	}
	if src.EffectiveStatus() != sg.FromStatus {
		return cur, fmt.Errorf("%s %s is now %s: %w", shortOf(set, sg.From.Standard), sg.From.Ref, src.EffectiveStatus().Label(), ErrSuggestionStale)
	}
	next, err := assessments.Adopt(set, cur, sg.From, src.EffectiveStatus())
	if err != nil {
		return cur, err
	}
	return s.SaveResult(ctx, cur, next)
}

func shortOf(set *catalogs.Set, id string) string {
	if c, ok := set.Get(id); ok {
		return c.Short
	}
	return id
}
