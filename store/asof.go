package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// AsOf is an engagement as it was at a baseline, in a workspace of its own opened
// read-only: every screen of the workbench reads it as it reads any workspace, and every
// write is refused (ErrReadOnly). Close removes the workspace.
type AsOf struct {
	Store      *Store
	Engagement assessments.Engagement
	Baseline   Baseline
	dir        string
}

// Close closes the as-of workspace and removes its files.
func (a *AsOf) Close() error {
	if a == nil || a.Store == nil {
		return nil
	}
	err := a.Store.Close()
	a.Store = nil
	if rmErr := os.RemoveAll(a.dir); err == nil {
		err = rmErr
	}
	return err
}

// OpenAsOf rebuilds the engagement as it was at baseline b into a new workspace in a
// private temporary folder (0700, the file 0600), then opens that workspace read-only with
// its clock at the baseline's time. The engagement keeps its name; its ids are new, so
// nothing of it can be mistaken for the live engagement. Kept copies of evidence files are
// not copied.
func (s *Store) OpenAsOf(ctx context.Context, b Baseline) (*AsOf, error) {
	st, err := s.BaselineState(ctx, b)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "annex-as-of-")
	if err != nil {
		return nil, fmt.Errorf("make a folder for the view as of %q: %w", b.Name, err)
	}
	path := filepath.Join(dir, "as-of.db")
	at := func() time.Time { return b.At }
	e, err := s.writeState(ctx, st, path, b, at)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ro, err := Open(ctx, path, Options{ReadOnly: true, Author: s.author, Now: at})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ro.readOnlyWhy = fmt.Sprintf("it shows the engagement as it was at baseline %q", b.Name)
	ro.h = readOnlyHandler{ro.db, &readOnlyError{path, ro.readOnlyWhy}}
	return &AsOf{Store: ro, Engagement: e, Baseline: b, dir: dir}, nil
}

// writeState makes a workspace at path holding the state's engagement, with the custom
// catalogs it names.
func (s *Store) writeState(ctx context.Context, st State, path string, b Baseline, now func() time.Time) (assessments.Engagement, error) {
	dst, err := Open(ctx, path, Options{Author: s.author, Now: now})
	if err != nil {
		return assessments.Engagement{}, err
	}
	defer dst.Close()
	for _, std := range st.Engagement.Standards {
		if src, err := s.CustomCatalogSource(ctx, std); err == nil {
			if _, _, err := dst.ImportCustomCatalog(ctx, src); err != nil {
				return assessments.Engagement{}, err
			}
		}
	}
	in := ImportData{Engagement: st.Engagement, Matrix: &st.Matrix, RiskSequence: st.RiskSequence, Risks: st.Risks,
		AISystems: st.AISystems, Assessments: st.Assessments, ImpactLinks: st.ImpactLinks, Evidence: st.Evidence}
	for _, std := range st.Engagement.Standards {
		for _, r := range st.Results[std] {
			in.Results = append(in.Results, r)
		}
	}
	e, err := dst.ImportEngagement(ctx, in, ImportOptions{AsCopy: true, Source: fmt.Sprintf("baseline %q", b.Name)})
	if err != nil {
		return e, fmt.Errorf("rebuild the engagement as of %q: %w", b.Name, err)
	}
	if e.Name != st.Engagement.Name {
		renamed := e
		renamed.Name = st.Engagement.Name
		if e, err = dst.UpdateEngagement(ctx, e, renamed); err != nil {
			return e, err
		}
	}
	return e, nil
}
