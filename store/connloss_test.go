package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
)

// TestConnectionLossIsASentence: with the network to the server cut, a save fails with
// ErrUnavailable in one sentence and writes nothing; once the network is back the same save
// goes through on a new connection, and the chain holds.
func TestConnectionLossIsASentence(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t, "tester")
	proxy := pgtest.NewProxy(t, dsn)
	s, err := store.Open(ctx, proxy.DSN, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{"iso27001-2022"}})
	if err != nil {
		t.Fatal(err)
	}
	k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.5.1"}
	before, err := s.Result(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	after := before
	after.Notes = "typed while the network was down"

	proxy.Cut()
	_, err = s.SaveResult(ctx, before, after)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("save without a network: %v, want ErrUnavailable", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "cannot be reached") || strings.Contains(msg, "SQLSTATE") {
		t.Errorf("message %q", msg)
	}
	if _, err := s.Engagements(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("read without a network: %v", err)
	}

	proxy.Restore(t)
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatalf("save once the network is back: %v", err)
	}
	if got, _ := s.Result(ctx, k); got.Notes != after.Notes {
		t.Errorf("stored %q", got.Notes)
	}
	if _, problem, err := s.VerifyChain(ctx); problem != nil || err != nil {
		t.Errorf("chain: %v %v", problem, err)
	}
}
