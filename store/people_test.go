package store

import (
	"context"
	"github.com/annex-grc/annex/internal/pgtest"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func TestPeopleListsEachNameOnce(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Workspace(t, "w.db"), Options{Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "E", Organisation: "O", Lead: "Dana Ruiz", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1"}
	before, _ := s.Result(ctx, k)
	after := before
	after.Owner = "dana ruiz"
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	k.Ref = "A.5.2"
	before, _ = s.Result(ctx, k)
	after = before
	after.Owner = "  Tomás Novák "
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	got, err := s.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "Dana Ruiz|Tomás Novák" {
		t.Fatalf("people %q", got)
	}
}
