package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// engagementTables are every table whose rows belong to one engagement, with the column
// that names it: each must hide another engagement's rows from a role without a grant.
var engagementTables = map[string]string{
	"engagements": "id", "engagement_standards": "engagement_id", "results": "engagement_id", "result_counts": "engagement_id",
	"suggestion_skips": "engagement_id", "risk_matrices": "engagement_id", "risk_sequences": "engagement_id", "risks": "engagement_id",
	"risk_controls": "engagement_id", "ai_systems": "engagement_id", "impact_assessments": "engagement_id",
	"impact_areas": "engagement_id", "impact_risk_links": "engagement_id", "evidence": "engagement_id",
	"evidence_blobs": "engagement_id", "evidence_links": "engagement_id", "changes": "engagement_id", "team_grants": "engagement_id",
	"aiact_records": "engagement_id", "aiact_answers": "engagement_id",
	"soa_versions": "engagement_id", "treatment_actions": "engagement_id", "report_controls": "engagement_id",
	"pack_records": "engagement_id", "baselines": "engagement_id", "audit_sequences": "engagement_id", "audits": "engagement_id",
	"audit_items": "engagement_id", "audit_item_evidence": "engagement_id", "findings": "engagement_id",
	"corrective_actions": "engagement_id",
	// changes_imported (target_engagement_id) has rows only after an import with history:
	// TestTeamImportedHistory.
}

type team struct {
	admin              *store.Store
	dsn                string // the admin's address
	a, b               assessments.Engagement
	consultant, viewer string // roles
}

// newTeam: an owner with two engagements, each with rows in every engagement-owned table;
// a consultant and a viewer granted on A only.
func newTeam(t *testing.T) *team {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.Schema(t, "tester")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tm := &team{admin: s, dsn: dsn, consultant: pgtest.Role(t, "consultant"), viewer: pgtest.Role(t, "viewer")}
	tm.a, tm.b = fullEngagement(t, s, "Alpha"), fullEngagement(t, s, "Bravo")
	if err := s.Grant(ctx, tm.consultant, tm.a.ID, store.AccessConsultant); err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, tm.viewer, tm.a.ID, store.AccessViewer); err != nil {
		t.Fatal(err)
	}
	// Every engagement-owned table has rows of both engagements.
	for table, col := range engagementTables {
		for _, e := range []assessments.Engagement{tm.a, tm.b} {
			if table == "team_grants" && e.ID == tm.b.ID {
				continue
			}
			var n int
			if err := s.Handler().QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+col+" = ?", e.ID).Scan(&n); err != nil || n == 0 {
				t.Fatalf("setup: %s has %d rows of %s (%v)", table, n, e.Name, err)
			}
		}
	}
	return tm
}

func (tm *team) open(t *testing.T, role string, opt store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.As(t, tm.dsn, role, ""), opt)
	if err != nil {
		t.Fatalf("open as %s: %v", role, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fullEngagement adds the demo engagement under another name: rows in every
// engagement-owned table.
func fullEngagement(t *testing.T, s *store.Store, name string) assessments.Engagement {
	t.Helper()
	e, err := demo.Create(context.Background(), s, catalogs.MustBuiltin(), demo.Options{Name: name, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// A skipped suggestion, which the demo does not make.
	sg := assessments.Suggestion{Standard: "iso42001-2023", Ref: "A.2.2", From: catalogs.Mapping{Standard: "iso27001-2022", Ref: "A.5.1"}}
	if err := s.SkipSuggestion(context.Background(), e.ID, sg); err != nil {
		t.Fatal(err)
	}
	m, err := s.RiskMatrix(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	m2 := m
	m2.Threshold = 1 - min(m.Threshold, 1)
	if _, err := s.SaveRiskMatrix(context.Background(), e.ID, m, m2); err != nil {
		t.Fatal(err)
	}
	// The report's document control and a pack written, which the demo leaves alone.
	rc, err := s.ReportControl(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	rc2 := rc
	rc2.Version = "1.0"
	if _, err := s.SaveReportControl(context.Background(), rc, rc2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPack(context.Background(), store.PackRecord{EngagementID: e.ID, AsOf: "2026-03-01T09:00:00Z", Path: "/packs/" + name + ".zip",
		SHA256: strings.Repeat("ab", 32), Snapshot: []byte(`{"engagement":"` + name + `"}`)}); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestTeamRowLevelSecurity: a consultant without a grant on an engagement sees none of its
// rows, through annex and through plain SQL, and cannot write them; a viewer's writes are
// refused by PostgreSQL with one sentence; revoking takes access away.
func TestTeamRowLevelSecurity(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	cs := tm.open(t, tm.consultant, store.Options{})

	// Through annex: only Alpha.
	list, err := cs.Engagements(ctx)
	if err != nil || len(list) != 1 || list[0].ID != tm.a.ID {
		t.Fatalf("consultant sees %v (%v), want only Alpha", list, err)
	}
	if _, err := cs.Engagement(ctx, tm.b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("consultant reads Bravo: %v", err)
	}
	if rs, err := cs.Results(ctx, tm.b.ID); err != nil || len(rs) != 0 {
		t.Errorf("consultant reads %d results of Bravo", len(rs))
	}
	for _, c := range mustChanges(t, cs) {
		if c.EngagementID == tm.b.ID {
			t.Fatalf("consultant reads Bravo's history: %+v", c)
		}
	}
	// Through plain SQL, table by table.
	db := pgtest.DB(t, pgtest.As(t, tm.dsn, tm.consultant, ""))
	for table, col := range engagementTables {
		var other, own int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE "+col+" = $1), count(*) FILTER (WHERE "+col+" = $2) FROM "+table, tm.b.ID, tm.a.ID).Scan(&other, &own); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if other != 0 {
			t.Errorf("plain SQL: the consultant reads %d rows of Bravo in %s", other, table)
		}
		if own == 0 {
			t.Errorf("plain SQL: the consultant reads no row of Alpha in %s", table)
		}
	}
	var n int64
	if res, err := db.ExecContext(ctx, "UPDATE results SET notes = 'x' WHERE engagement_id = $1", tm.b.ID); err != nil {
		t.Errorf("update of unseen rows: %v", err)
	} else if n, _ = res.RowsAffected(); n != 0 {
		t.Errorf("the consultant updated %d rows of Bravo", n)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO results(engagement_id, standard, ref, updated_at, updated_by) VALUES ($1, 'iso27001-2022', 'A.5.2', 'x', 'x')", tm.b.ID); !isSQLState(err, "42501") {
		t.Errorf("consultant's insert into Bravo: %v, want 42501", err)
	}
	// The consultant works on Alpha; the history names its role.
	k := assessments.Key{EngagementID: tm.a.ID, Standard: "iso27001-2022", Ref: "A.5.2"}
	before, _ := cs.Result(ctx, k)
	after := before
	after.Notes = "checked by the consultant"
	if _, err := cs.SaveResult(ctx, before, after); err != nil {
		t.Fatalf("consultant saves on Alpha: %v", err)
	}
	if err := cs.Grant(ctx, tm.viewer, tm.a.ID, store.AccessLead); !errors.Is(err, store.ErrNotPermitted) {
		t.Errorf("a consultant granted lead: %v", err)
	}
	// Its chain check sees its rows and the links of the others.
	if n, problem, err := cs.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("consultant's VerifyChain: %d %v %v", n, problem, err)
	}
	ah, _ := tm.admin.ChainHead(ctx)
	if ch, _ := cs.ChainHead(ctx); ch != ah {
		t.Errorf("consultant's chain head %+v, owner's %+v", ch, ah)
	}

	// The viewer reads Alpha and writes nothing, refused by PostgreSQL.
	vs := tm.open(t, tm.viewer, store.Options{})
	before, _ = vs.Result(ctx, k)
	if before.Notes != "checked by the consultant" {
		t.Fatalf("viewer reads %q", before.Notes)
	}
	after = before
	after.Notes = "viewer was here"
	_, err = vs.SaveResult(ctx, before, after)
	if !errors.Is(err, store.ErrNotPermitted) || strings.Contains(err.Error(), "SQLSTATE") || strings.Count(err.Error(), ". ") > 0 {
		t.Errorf("viewer's save: %v, want one sentence of ErrNotPermitted", err)
	}
	vdb := pgtest.DB(t, pgtest.As(t, tm.dsn, tm.viewer, ""))
	for _, q := range []string{
		"UPDATE results SET notes = 'v' WHERE engagement_id = $1",
		"DELETE FROM risks WHERE engagement_id = $1",
		"INSERT INTO risk_sequences(engagement_id, last) VALUES ($1, 5) ON CONFLICT (engagement_id) DO UPDATE SET last = 9",
		"DELETE FROM engagements WHERE id = $1",
	} {
		if _, err := vdb.ExecContext(ctx, q, tm.a.ID); !isSQLState(err, "42501") {
			t.Errorf("viewer: %s: %v, want 42501", q, err)
		}
	}
	if got, _ := tm.admin.Result(ctx, k); got.Notes != "checked by the consultant" {
		t.Errorf("after the viewer's tries the note is %q", got.Notes)
	}

	// Revoked: the consultant sees nothing any more.
	if err := tm.admin.Revoke(ctx, tm.consultant, tm.a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := cs.Engagements(ctx); len(list) != 0 {
		t.Errorf("after revoke the consultant sees %d engagements", len(list))
	}
	if _, problem, err := tm.admin.VerifyChain(ctx); problem != nil || err != nil {
		t.Errorf("chain: %v %v", problem, err)
	}
}

// TestTeamAuthorFromServer: the history's author is the connected role whatever name the
// client gives (Options.Author, --author), and a history row in another name written with
// plain SQL is refused by PostgreSQL, for a consultant and for the owner.
func TestTeamAuthorFromServer(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	cs := tm.open(t, tm.consultant, store.Options{Author: "mallory"})
	if cs.Author() != tm.consultant {
		t.Errorf("Author() = %q, want the role %q", cs.Author(), tm.consultant)
	}
	if len(cs.Notices()) == 0 || !strings.Contains(cs.Notices()[0], "is not used") {
		t.Errorf("notices = %q", cs.Notices())
	}
	e, _ := cs.Engagement(ctx, tm.a.ID)
	next := e
	next.Scope = "Clinics"
	if _, err := cs.UpdateEngagement(ctx, e, next); err != nil {
		t.Fatal(err)
	}
	all := mustChanges(t, tm.admin)
	if last := all[len(all)-1]; last.Author != tm.consultant || last.Field != "scope" {
		t.Errorf("last row %+v, want the consultant's scope", last)
	}
	head := all[len(all)-1].Hash
	for _, dsn := range []string{pgtest.As(t, tm.dsn, tm.consultant, ""), tm.dsn} {
		db := pgtest.DB(t, dsn)
		_, err := db.ExecContext(ctx, `INSERT INTO changes(at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash)
			VALUES ('2026-01-01T00:00:00Z', 'mallory', $1, 'engagement', $1, 'scope', '', 'x', $2, 'h')`, tm.a.ID, head)
		if !isSQLState(err, "42501") {
			t.Errorf("spoofed author accepted (%s): %v", dsn, err)
		}
	}
	if _, problem, err := tm.admin.VerifyChain(ctx); problem != nil || err != nil {
		t.Errorf("chain: %v %v", problem, err)
	}
}

func mustChanges(t *testing.T, s *store.Store) []store.Change {
	t.Helper()
	all, err := s.Changes(context.Background(), store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func isSQLState(err error, code string) bool {
	return err != nil && strings.Contains(err.Error(), "SQLSTATE "+code)
}

// TestForeignSchemaUntouched: a schema holding another program's tables is refused as not a
// workspace, and nothing is created in it; an empty one becomes a workspace owned by the
// role that opened it.
func TestForeignSchemaUntouched(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t, "tester")
	schema := pgtest.SchemaOf(dsn)
	pgtest.Exec(t, "CREATE TABLE "+schema+".invoices (id int PRIMARY KEY, total numeric)")
	if _, err := store.Open(ctx, dsn, store.Options{}); !errors.Is(err, store.ErrNotWorkspace) {
		t.Fatalf("open a foreign schema: %v, want ErrNotWorkspace", err)
	}
	db := pgtest.DB(t, dsn)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace").Scan(&n); err != nil || n != 2 {
		t.Errorf("the foreign schema holds %d relations (%v), want its table and index only", n, err)
	}
	if _, err := store.Open(ctx, dsn, store.Options{ReadOnly: true}); !errors.Is(err, store.ErrNotWorkspace) {
		t.Errorf("read-only open of a foreign schema: %v", err)
	}
}

// TestNoWorkspaceForAMember: a role that may not create tables in an empty schema is told
// that the owner opens it first, in one sentence, and nothing is made.
func TestNoWorkspaceForAMember(t *testing.T) {
	dsn := pgtest.Schema(t, "tester")
	role := pgtest.Role(t, "member")
	pgtest.Exec(t, "GRANT USAGE ON SCHEMA "+pgtest.SchemaOf(dsn)+" TO "+role)
	_, err := store.Open(context.Background(), pgtest.As(t, dsn, role, ""), store.Options{})
	if err == nil || !strings.Contains(err.Error(), "may not create one there: its owner opens it first") {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := pgtest.DB(t, dsn).QueryRow("SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d relations made (%v)", n, err)
	}
}

// TestTeamImportedHistory: history imported with an engagement (changes_imported) is read
// only with a grant on the engagement it was imported into, and written only with write
// access to it.
func TestTeamImportedHistory(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	row := `INSERT INTO changes_imported(segment, pos, target_engagement_id, chain, seq, at, author, entity, entity_id, field, prev_hash, hash)
		VALUES ($1, 1, $2, 'w', 1, 'x', 'someone', 'engagement', $2, 'name', 'p', 'h')`
	owner := pgtest.DB(t, tm.dsn)
	for _, e := range []assessments.Engagement{tm.a, tm.b} {
		if _, err := owner.ExecContext(ctx, row, "seg-"+e.Name, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	db := pgtest.DB(t, pgtest.As(t, tm.dsn, tm.consultant, ""))
	var own, other int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE target_engagement_id = $1), count(*) FILTER (WHERE target_engagement_id = $2) FROM changes_imported",
		tm.a.ID, tm.b.ID).Scan(&own, &other); err != nil {
		t.Fatal(err)
	}
	if own != 1 || other != 0 {
		t.Errorf("the consultant reads %d imported rows of Alpha and %d of Bravo, want 1 and 0", own, other)
	}
	if _, err := db.ExecContext(ctx, row, "forged", tm.b.ID); !isSQLState(err, "42501") {
		t.Errorf("insert into Bravo's imported history: %v, want 42501", err)
	}
}

// TestTeamPacksAndBaselines: a written pack belongs to the engagement it shows: every role
// granted on it (a viewer too: exporting is reading) records its packs, nobody else reads
// them or their history rows, and nobody changes them. The chain head a pack records and a
// baseline's anchor are the whole history's, for a member who may read only some of it.
func TestTeamPacksAndBaselines(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	vs := tm.open(t, tm.viewer, store.Options{})
	cs := tm.open(t, tm.consultant, store.Options{})

	// The viewer exports Alpha: recorded, in its name.
	p, err := vs.RecordPack(ctx, store.PackRecord{EngagementID: tm.a.ID, AsOf: "2026-03-02T09:00:00Z", Path: "/viewer/alpha.zip",
		SHA256: strings.Repeat("cd", 32), Snapshot: []byte(`{}`)})
	if err != nil {
		t.Fatalf("the viewer's pack of Alpha: %v", err)
	}
	rows, err := tm.admin.Changes(ctx, store.ChangeFilter{Entity: store.PackEntity, EntityID: p.ID})
	if err != nil || len(rows) == 0 || rows[0].Author != tm.viewer || rows[0].EngagementID != "" {
		t.Fatalf("the viewer's pack in the history: %+v %v", rows, err)
	}
	if _, err := vs.RecordPack(ctx, store.PackRecord{EngagementID: tm.b.ID, AsOf: "2026-03-02T09:00:00Z", Path: "/viewer/bravo.zip",
		SHA256: strings.Repeat("cd", 32), Snapshot: []byte(`{}`)}); !errors.Is(err, store.ErrNotPermitted) {
		t.Errorf("the viewer recorded a pack of Bravo: %v", err)
	}
	// Plain SQL: Bravo's packs and their history rows are out of sight; nobody edits a pack.
	db := pgtest.DB(t, pgtest.As(t, tm.dsn, tm.consultant, ""))
	var packs, mine, others int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pack_records").Scan(&packs); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE new_value = $1), count(*) FILTER (WHERE new_value = $2)
		FROM changes WHERE entity = 'audit_pack' AND field = 'engagement_id'`, tm.a.ID, tm.b.ID).Scan(&mine, &others); err != nil {
		t.Fatal(err)
	}
	if packs != 2 || mine != 2 || others != 0 {
		t.Errorf("the consultant reads %d packs, %d history rows of Alpha's packs and %d of Bravo's; want 2, 2 and 0", packs, mine, others)
	}
	if _, err := db.ExecContext(ctx, "UPDATE pack_records SET path = 'x' WHERE engagement_id = $1", tm.a.ID); !isSQLState(err, "42501") {
		t.Errorf("the consultant changed a pack record: %v, want 42501", err)
	}
	var head string
	if err := db.QueryRowContext(ctx, "SELECT annex_chain_head()").Scan(&head); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO changes(at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash)
		VALUES ('2026-01-01T00:00:00Z', $1, '', 'audit_pack', 'no-such-pack', 'written', '', 'x', $2, 'h')`, tm.consultant, head); !isSQLState(err, "42501") {
		t.Errorf("a pack row without a pack the consultant may read: %v, want 42501", err)
	}

	// The owner writes Bravo last: the end of the history is a row the others cannot read.
	eb, _ := tm.admin.Engagement(ctx, tm.b.ID)
	next := eb
	next.Scope = "Bravo's new scope"
	if _, err := tm.admin.UpdateEngagement(ctx, eb, next); err != nil {
		t.Fatal(err)
	}
	want, err := tm.admin.PackChainHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*store.Store{vs, cs} {
		if got, err := s.PackChainHead(ctx); err != nil || got != want {
			t.Errorf("%s's pack chain head %+v (%v), the owner's %+v", s.Author(), got, err, want)
		}
	}
	b, err := cs.CreateBaseline(ctx, tm.a.ID, "Before the audit")
	if err != nil {
		t.Fatal(err)
	}
	if int(b.Seq) != want.Length || b.Hash != want.Head {
		t.Errorf("the consultant's baseline rests on row %d (%s), the history ended at %d (%s)", b.Seq, b.Hash[:8], want.Length, want.Head[:8])
	}
	for _, s := range []*store.Store{tm.admin, cs, vs} {
		if problems, err := s.CheckBaselineAnchors(ctx, tm.a.ID, nil); err != nil || len(problems) > 0 {
			t.Errorf("%s: anchors %v %v", s.Author(), problems, err)
		}
	}
	own, err := tm.admin.LiveState(ctx, tm.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if live, err := cs.LiveState(ctx, tm.a.ID); err != nil || live.Seq != own.Seq {
		t.Errorf("the consultant's live state is after row %d (%v), the owner's after %d", live.Seq, err, own.Seq)
	}
	if rep, err := cs.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 {
		t.Errorf("the consultant's replay: %v %v", rep.Problems, err)
	}
}
