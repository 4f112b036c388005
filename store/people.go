package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// People lists the names already used in the workspace (engagement leads, requirement,
// risk and AI system owners, risk acceptors, approvers, evidence collectors, lead auditors,
// corrective action owners and reviewers), each once, sorted. Forms suggest them so a typo does not split an action plan by owner.
func (s *Store) People(ctx context.Context) ([]string, error) {
	rows, err := s.h.QueryContext(ctx, `
		SELECT lead FROM engagements
		UNION SELECT owner FROM results
		UNION SELECT owner FROM risks
		UNION SELECT accepted_by FROM risks
		UNION SELECT owner FROM ai_systems
		UNION SELECT approver FROM impact_assessments
		UNION SELECT collected_by FROM evidence
		UNION SELECT lead FROM audits
		UNION SELECT owner FROM corrective_actions
		UNION SELECT reviewed_by FROM corrective_actions ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		n = strings.TrimSpace(n)
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out, rows.Err()
}
