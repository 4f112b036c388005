package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RiskSequence is the last risk number handed out in an engagement (0 when none), so an
// export can carry it and an import keeps deleted risks' refs from being reused.
func (s *Store) RiskSequence(ctx context.Context, engagementID string) (int, error) {
	var n int
	err := s.h.QueryRowContext(ctx, "SELECT last FROM risk_sequences WHERE engagement_id = ?", engagementID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the risk numbering: %w", err)
	}
	return n, nil
}
