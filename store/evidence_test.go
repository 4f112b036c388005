package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
)

type evidenceFixture struct {
	s   *Store
	e   assessments.Engagement
	dir string
	now *time.Time
}

func newEvidenceFixture(t *testing.T) *evidenceFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	f := &evidenceFixture{dir: dir, now: &now}
	s, err := Open(ctx, pgtest.Workspace(t, "ws.db"), Options{Author: "tester", Now: func() time.Time { return *f.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{"iso27001-2022", "iso42001-2023"}})
	if err != nil {
		t.Fatal(err)
	}
	f.s, f.e = s, e
	return f
}

func (f *evidenceFixture) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func req(std, ref string) assessments.EvidenceLink {
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: std, Ref: ref}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEvidenceRoundTripWithKeptBytes(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	p := f.file(t, "access-review.csv", "user,reviewed\nalice,yes\n")
	got, err := f.s.CreateEvidence(ctx, assessments.Evidence{
		EngagementID: f.e.ID, Title: "Access review Q1", Kind: assessments.KindRecord, Path: p,
		CollectedOn: "2026-03-01", CollectedBy: "Tomás", ValidUntil: "2027-03-01", Description: "Signed by owners",
		Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.18"), req("iso42001-2023", "A.3.2"), req("iso27001-2022", "A.5.18")},
	}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of "user,reviewed\nalice,yes\n"
	if sum := sha256.Sum256([]byte("user,reviewed\nalice,yes\n")); got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha256 = %q", got.SHA256)
	}
	if got.Size != int64(len("user,reviewed\nalice,yes\n")) || !got.Kept || got.Path != p {
		t.Fatalf("file fields: %+v", got)
	}
	if len(got.Links) != 2 {
		t.Fatalf("links = %v, want the two distinct ones", got.Links)
	}
	if got.Integrity != assessments.IntegrityOK || got.StateAt(f.s.Now()) != assessments.StateOK {
		t.Fatalf("fresh item state %q/%q", got.Integrity, got.StateAt(f.s.Now()))
	}
	name, data, err := f.s.KeptCopy(ctx, got.ID)
	if err != nil || name != "access-review.csv" || string(data) != "user,reviewed\nalice,yes\n" {
		t.Fatalf("kept copy %q %q %v", name, data, err)
	}
	list, err := f.s.Evidence(ctx, f.e.ID)
	if err != nil || len(list) != 1 || list[0].Title != "Access review Q1" || list[0].CollectedBy != "Tomás" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	for _, q := range []struct{ std, ref string }{{"iso27001-2022", "A.5.18"}, {"iso42001-2023", "A.3.2"}} {
		items, err := f.s.EvidenceFor(ctx, f.e.ID, q.std, q.ref)
		if err != nil || len(items) != 1 || items[0].ID != got.ID || len(items[0].Links) != 2 {
			t.Fatalf("EvidenceFor %s %s = %+v, %v", q.std, q.ref, items, err)
		}
	}
	hist, _ := f.s.Changes(ctx, ChangeFilter{Entity: "evidence", EntityID: got.ID})
	fields := map[string]bool{}
	for _, c := range hist {
		fields[c.Field] = true
	}
	for _, want := range []string{"created", "title", "sha256", "link"} {
		if !fields[want] {
			t.Errorf("history lacks %q: %v", want, hist)
		}
	}
	if _, p, err := f.s.VerifyChain(ctx); err != nil || p != nil {
		t.Fatalf("chain: %v %v", p, err)
	}
}

func TestEvidenceSizeLimit(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	small := f.file(t, "small.txt", "0123456789")
	big := f.file(t, "big.txt", strings.Repeat("x", 11))
	a, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "small", Kind: assessments.KindDocument, Path: small}, AttachOptions{KeepLimit: 10})
	if err != nil || !a.Kept {
		t.Fatalf("a file at the limit must be kept: %+v %v", a, err)
	}
	b, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "big", Kind: assessments.KindDocument, Path: big}, AttachOptions{KeepLimit: 10})
	if err != nil || b.Kept || b.Size != 11 || len(b.SHA256) != 64 {
		t.Fatalf("a file over the limit is linked by path and hash only: %+v %v", b, err)
	}
	if _, _, err := f.s.KeptCopy(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("kept copy of the big file: %v", err)
	}
	c, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "unkept", Kind: assessments.KindDocument, Path: small}, AttachOptions{NoKeep: true})
	if err != nil || c.Kept {
		t.Fatalf("NoKeep: %+v %v", c, err)
	}
	if n := countRows(t, f.s, "evidence_blobs"); n != 1 {
		t.Fatalf("blobs = %d, want 1", n)
	}
	if (AttachOptions{}).limit() != 50<<20 {
		t.Fatal("default limit must be 50 MB")
	}
}

func TestEvidenceBadInputWritesNothing(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	unreadable := f.file(t, "secret.pdf", "x")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	canRead := false
	if fh, err := os.Open(unreadable); err == nil { // root reads anything
		canRead = true
		fh.Close()
	}
	before := countRows(t, f.s, "changes")
	tests := []struct {
		name  string
		e     assessments.Evidence
		field string
		msg   string
	}{
		{"no such file", assessments.Evidence{Title: "x", Kind: assessments.KindDocument, Path: filepath.Join(f.dir, "nope.pdf")}, "path", "does not exist"},
		{"a folder", assessments.Evidence{Title: "x", Kind: assessments.KindDocument, Path: f.dir}, "path", "is a folder"},
		{"not a URL", assessments.Evidence{Title: "x", Kind: assessments.KindLink, URL: "intranet/policy"}, "url", "not a web address"},
		{"no title", assessments.Evidence{Kind: assessments.KindInterview}, "title", "title"},
		{"unreadable", assessments.Evidence{Title: "x", Kind: assessments.KindDocument, Path: unreadable}, "path", "permission denied"},
		{"a device", assessments.Evidence{Title: "x", Kind: assessments.KindDocument, Path: os.DevNull}, "path", "not a regular file"},
		{"empty path for a file kind", assessments.Evidence{Title: "x", Kind: assessments.KindScreenshot, Path: "  "}, "path", "give its path"},
	}
	for _, tt := range tests {
		if (tt.name == "unreadable" || tt.name == "a device") && (canRead && tt.name == "unreadable" || runtime.GOOS == "windows") {
			continue
		}
		tt.e.EngagementID = f.e.ID
		_, err := f.s.CreateEvidence(ctx, tt.e, AttachOptions{})
		var ve *assessments.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field || !strings.Contains(ve.Message, tt.msg) {
			t.Errorf("%s: got %v, want a message on %s containing %q", tt.name, err, tt.field, tt.msg)
		}
	}
	if n := countRows(t, f.s, "evidence"); n != 0 {
		t.Fatalf("%d items written from bad input", n)
	}
	if n := countRows(t, f.s, "changes"); n != before {
		t.Fatalf("history grew from %d to %d on bad input", before, n)
	}
}

func TestEvidenceCheckStates(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	keep := f.file(t, "policy.pdf", "policy v1")
	change := f.file(t, "review.csv", "alice,yes")
	gone := f.file(t, "photo.png", "png")
	mk := func(title, path, until string) assessments.Evidence {
		e, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: title, Kind: assessments.KindDocument, Path: path, ValidUntil: until,
			Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.15")}}, AttachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	mk("Policy", keep, "2026-12-31")
	mk("Review", change, "")
	mk("Photo", gone, "")
	if _, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "Interview", Kind: assessments.KindInterview}, AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(change, []byte("alice,no"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	var calls []int
	rep, err := f.s.CheckEvidence(ctx, f.e.ID, func(done, total int) { calls = append(calls, done*10+total) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK != 1 || rep.Changed != 1 || rep.Missing != 1 || rep.Problems() != 2 || len(rep.Checked) != 3 {
		t.Fatalf("report %+v", rep)
	}
	if len(calls) != 3 || calls[2] != 33 {
		t.Fatalf("progress calls %v", calls)
	}
	states := map[string]assessments.EvidenceState{}
	list, _ := f.s.Evidence(ctx, f.e.ID)
	for _, e := range list {
		states[e.Title] = e.StateAt(f.s.Now())
	}
	want := map[string]assessments.EvidenceState{"Policy": assessments.StateOK, "Review": assessments.StateChanged, "Photo": assessments.StateMissing, "Interview": assessments.StateOK}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: state %q, want %q", k, states[k], v)
		}
	}
	// Moving the clock past valid-until expires the policy, with no file change.
	*f.now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	list, _ = f.s.Evidence(ctx, f.e.ID)
	for _, e := range list {
		if e.Title == "Policy" && e.StateAt(f.s.Now()) != assessments.StateExpired {
			t.Fatalf("policy after its date: %q", e.StateAt(f.s.Now()))
		}
	}
	// The history says when the review was flagged.
	hist, _ := f.s.Changes(ctx, ChangeFilter{Entity: "evidence"})
	flagged := false
	for _, c := range hist {
		flagged = flagged || (c.Field == "check" && c.New == "changed")
	}
	if !flagged {
		t.Fatal("no history row for the changed file")
	}
	// Restoring the bytes makes the item ok again.
	if err := os.WriteFile(change, []byte("alice,yes"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.s.CheckEvidence(ctx, "", nil)
	if rep.Changed != 0 || rep.Missing != 1 {
		t.Fatalf("after restore %+v", rep)
	}
}

func TestReattachAcceptsChangedFile(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	p := f.file(t, "a.txt", "one")
	e, _ := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "A", Kind: assessments.KindDocument, Path: p}, AttachOptions{})
	os.WriteFile(p, []byte("two!"), 0o600)
	f.s.CheckEvidence(ctx, f.e.ID, nil)
	got, err := f.s.ReattachEvidenceFile(ctx, e.ID, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Integrity != assessments.IntegrityOK || got.Size != 4 || got.SHA256 == e.SHA256 {
		t.Fatalf("reattached %+v", got)
	}
	if _, data, _ := f.s.KeptCopy(ctx, e.ID); string(data) != "two!" {
		t.Fatalf("kept copy %q", data)
	}
}

func TestEvidenceUpdateAndConflict(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	p1 := f.file(t, "v1.pdf", "v1")
	p2 := f.file(t, "v2.pdf", "version two")
	e, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "Policy", Kind: assessments.KindDocument, Path: p1}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after := e
	after.Title, after.ValidUntil = "Security policy", "2027-01-01"
	saved, err := f.s.UpdateEvidence(ctx, e, after, AttachOptions{})
	if err != nil || saved.Title != "Security policy" || saved.SHA256 != e.SHA256 {
		t.Fatalf("update %+v %v", saved, err)
	}
	// Another screen still holds e and edits the title: refused, nothing written.
	stale := e
	stale.Title = "Policy (draft)"
	if _, err := f.s.UpdateEvidence(ctx, e, stale, AttachOptions{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	// ...but a field nobody else touched goes through.
	other := e
	other.Description = "Board approved"
	if _, err := f.s.UpdateEvidence(ctx, e, other, AttachOptions{}); err != nil {
		t.Fatalf("disjoint edit: %v", err)
	}
	// A new path attaches the other file and replaces the kept copy.
	cur, _ := f.s.EvidenceItem(ctx, e.ID)
	next := cur
	next.Path = p2
	saved, err = f.s.UpdateEvidence(ctx, cur, next, AttachOptions{})
	if err != nil || saved.Size != int64(len("version two")) || saved.Path != p2 {
		t.Fatalf("new file %+v %v", saved, err)
	}
	if _, data, _ := f.s.KeptCopy(ctx, e.ID); string(data) != "version two" {
		t.Fatalf("kept copy %q", data)
	}
	// A bad new path is refused with nothing written.
	bad := saved
	bad.Path = filepath.Join(f.dir, "missing.pdf")
	if _, err := f.s.UpdateEvidence(ctx, saved, bad, AttachOptions{}); err == nil {
		t.Fatal("missing file accepted")
	}
	if cur, _ := f.s.EvidenceItem(ctx, e.ID); cur.Path != p2 {
		t.Fatalf("path after refused edit %q", cur.Path)
	}
}

func TestEvidenceLinksAndDelete(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	e, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "Intranet policy", Kind: assessments.KindLink, URL: "https://intranet.example/policy"}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	risk, ia := f.riskAndAssessment(t)
	if _, err := f.s.LinkEvidence(ctx, e.ID, assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: "no-such-risk"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("link to a risk that does not exist: %v", err)
	}
	n, err := f.s.LinkEvidence(ctx, e.ID, req("iso27001-2022", "5.2"), req("iso42001-2023", "5.2"),
		assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: risk},
		assessments.EvidenceLink{Target: assessments.LinkImpactAssessment, Ref: ia})
	if err != nil || n != 4 {
		t.Fatalf("link: %d %v", n, err)
	}
	if n, _ := f.s.LinkEvidence(ctx, e.ID, req("iso27001-2022", "5.2")); n != 0 {
		t.Fatalf("relinking added %d", n)
	}
	if _, err := f.s.LinkEvidence(ctx, e.ID, assessments.EvidenceLink{Target: "asset", Ref: "x"}); err == nil {
		t.Fatal("unknown target accepted")
	}
	risks, _ := f.s.EvidenceForTarget(ctx, f.e.ID, assessments.LinkRisk, risk)
	if len(risks) != 1 {
		t.Fatalf("risk link: %v", risks)
	}
	if ias, _ := f.s.EvidenceForTarget(ctx, f.e.ID, assessments.LinkImpactAssessment, ia); len(ias) != 1 {
		t.Fatalf("impact assessment link: %v", ias)
	}
	// A deleted risk's link no longer shows.
	if err := f.s.DeleteRisk(ctx, risk); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.EvidenceItem(ctx, e.ID); len(got.Links) != 3 {
		t.Fatalf("links after the risk went: %v", got.Links)
	}
	if err := f.s.UnlinkEvidence(ctx, e.ID, req("iso42001-2023", "5.2")); err != nil {
		t.Fatal(err)
	}
	if items, _ := f.s.EvidenceFor(ctx, f.e.ID, "iso42001-2023", "5.2"); len(items) != 0 {
		t.Fatalf("still linked: %v", items)
	}
	unlinked, err := f.s.DeleteEvidence(ctx, e.ID)
	if err != nil || len(unlinked) != 2 {
		t.Fatalf("delete: %v %v", unlinked, err)
	}
	if countRows(t, f.s, "evidence_links") != 0 || countRows(t, f.s, "evidence") != 0 {
		t.Fatal("rows left after delete")
	}
	if _, err := f.s.EvidenceItem(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted item: %v", err)
	}
}

// riskAndAssessment adds a risk and a draft impact assessment to the fixture's engagement.
func (f *evidenceFixture) riskAndAssessment(t *testing.T) (riskID, assessmentID string) {
	t.Helper()
	ctx := context.Background()
	r, err := f.s.CreateRisk(ctx, assessments.Risk{EngagementID: f.e.ID, Title: "Model drift", Scope: assessments.ScopeAI,
		Approach: assessments.ApproachEvent, Scenario: "Accuracy falls unnoticed.", Owner: "Ravi", Inherent: assessments.Score{Likelihood: 3, Consequence: 4},
		Treatment: assessments.TreatModify, TreatmentPlan: "Drift alerts", Status: assessments.RiskOpen})
	if err != nil {
		t.Fatal(err)
	}
	sys, err := f.s.CreateAISystem(ctx, assessments.AISystem{EngagementID: f.e.ID, Name: "Lens", Purpose: "Triage", Roles: []assessments.AIRole{assessments.RoleProvider},
		Stage: assessments.StageOperation, Automation: assessments.AutomationAdvisory})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.s.StartImpactAssessment(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID, a.ID
}

func TestCopyRequirementEvidence(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	a, _ := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "A", Kind: assessments.KindInterview, Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.18")}}, AttachOptions{})
	f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "B", Kind: assessments.KindObservation, Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.18"), req("iso42001-2023", "A.3.2")}}, AttachOptions{})
	f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "C", Kind: assessments.KindObservation, Links: []assessments.EvidenceLink{req("iso27001-2022", "A.8.1")}}, AttachOptions{})
	n, err := f.s.CopyRequirementEvidence(ctx, f.e.ID, "iso27001-2022", "A.5.18", "iso42001-2023", "A.3.2", "from ISO 27001 A.5.18 (related)")
	if err != nil || n != 1 {
		t.Fatalf("copied %d, %v; want 1 (B was already linked)", n, err)
	}
	items, _ := f.s.EvidenceFor(ctx, f.e.ID, "iso42001-2023", "A.3.2")
	if len(items) != 2 {
		t.Fatalf("42001 A.3.2 has %d items", len(items))
	}
	for _, it := range items {
		for _, l := range it.Links {
			if it.ID == a.ID && l.Standard == "iso42001-2023" && l.Provenance != "from ISO 27001 A.5.18 (related)" {
				t.Fatalf("provenance lost: %+v", l)
			}
		}
	}
	if n, _ := f.s.CopyRequirementEvidence(ctx, f.e.ID, "iso27001-2022", "A.5.18", "iso42001-2023", "A.3.2", "again"); n != 0 {
		t.Fatalf("second copy added %d", n)
	}
}

func TestExportEvidenceFiles(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	src := filepath.Join(f.dir, "src")
	os.Mkdir(src, 0o700)
	p := filepath.Join(src, "report.pdf")
	os.WriteFile(p, []byte("pdf bytes"), 0o600)
	for _, title := range []string{"one", "two"} {
		if _, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: title, Kind: assessments.KindDocument, Path: p}, AttachOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// A stored name that tries to climb out of the folder.
	if _, err := f.s.Handler().ExecContext(context.Background(), "UPDATE evidence_blobs SET name = '../../etc/evil' WHERE evidence_id = (SELECT id FROM evidence WHERE title = 'two')"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(f.dir, "out")
	files, err := f.s.ExportEvidenceFiles(ctx, f.e.ID, out)
	if err != nil || len(files) != 2 {
		t.Fatalf("export %v %v", files, err)
	}
	for _, x := range files {
		if filepath.Dir(x.Path) != out {
			t.Errorf("%s written outside %s", x.Path, out)
		}
		st, err := os.Stat(x.Path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v", x.Path, err, st.Mode())
		}
		if b, _ := os.ReadFile(x.Path); !bytes.Equal(b, []byte("pdf bytes")) {
			t.Errorf("%s content %q", x.Path, b)
		}
	}
	// A second export does not overwrite the first.
	again, err := f.s.ExportEvidenceFiles(ctx, f.e.ID, out)
	if err != nil || again[0].Path == files[0].Path || !strings.Contains(again[0].Path, "(2)") {
		t.Fatalf("re-export %v %v", again, err)
	}
	if _, err := f.s.ExportEvidenceFiles(ctx, f.e.ID, p); err == nil {
		t.Fatal("exporting into a file accepted")
	}
}

func TestSafeFileName(t *testing.T) {
	tests := map[string]string{
		"report.pdf":                      "report.pdf",
		"../../etc/passwd":                "_.._etc_passwd",
		"..":                              "evidence",
		"a\x1b[31mred.txt":                "a_[31mred.txt",
		`C:\Users\x.doc`:                  "C__Users_x.doc",
		"":                                "evidence",
		".hidden":                         "hidden",
		strings.Repeat("é", 100) + ".pdf": strings.Repeat("é", 73) + ".pdf",
	}
	for in, want := range tests {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func linkSet(e assessments.Evidence) string {
	var out []string
	for _, l := range e.Links {
		out = append(out, l.String())
	}
	return strings.Join(out, " ")
}

// TestSaveEvidenceWithLinksIsOneTransaction: the fields, the links removed and the links
// added land together; when one link cannot be made, nothing of the save is written (not the
// fields, not the unlinks, not a history row).
func TestSaveEvidenceWithLinksIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	p := f.file(t, "policy.md", "# Policy\n")
	e, err := f.s.CreateEvidence(ctx, assessments.Evidence{EngagementID: f.e.ID, Title: "Policy", Kind: assessments.KindDocument, Path: p,
		Links: []assessments.EvidenceLink{req("iso27001-2022", "5.2"), req("iso27001-2022", "A.5.1")}}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	risk, _ := f.riskAndAssessment(t)
	changes := countRows(t, f.s, "changes")

	after := e
	after.Title = "Security policy"
	bad := []assessments.EvidenceLink{req("iso42001-2023", "5.2"), {Target: assessments.LinkRisk, Ref: "no-such-risk"}}
	if _, err := f.s.SaveEvidenceWithLinks(ctx, &e, after, []assessments.EvidenceLink{req("iso27001-2022", "A.5.1")}, bad, AttachOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a link to a missing risk must fail the save: %v", err)
	}
	got, _ := f.s.EvidenceItem(ctx, e.ID)
	if got.Title != "Policy" || linkSet(got) != "iso27001-2022:5.2 iso27001-2022:A.5.1" {
		t.Fatalf("a failed save wrote part of itself: title %q links %s", got.Title, linkSet(got))
	}
	if n := countRows(t, f.s, "changes"); n != changes {
		t.Fatalf("a failed save left %d history rows", n-changes)
	}

	good := []assessments.EvidenceLink{req("iso42001-2023", "5.2"), {Target: assessments.LinkRisk, Ref: risk}}
	saved, err := f.s.SaveEvidenceWithLinks(ctx, &e, after, []assessments.EvidenceLink{req("iso27001-2022", "A.5.1")}, good, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Title != "Security policy" || linkSet(saved) != "iso27001-2022:5.2 iso42001-2023:5.2 risk:"+risk {
		t.Fatalf("saved title %q links %s", saved.Title, linkSet(saved))
	}
	// One row for the title, one per link removed and added.
	if n := countRows(t, f.s, "changes") - changes; n != 4 {
		t.Fatalf("history rows %d, want 4", n)
	}
	// A stale view of a field refuses the whole save, links included.
	stale := e
	stale.Description = "draft"
	stale.Title = "Policy v2"
	if _, err := f.s.SaveEvidenceWithLinks(ctx, &e, stale, nil, []assessments.EvidenceLink{req("iso27001-2022", "A.5.2")}, AttachOptions{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale title: %v", err)
	}
	if got, _ := f.s.EvidenceItem(ctx, e.ID); got.LinksTo("iso27001-2022", "A.5.2") || got.Description != "" {
		t.Fatalf("a refused save linked or wrote: %+v", got)
	}
	if msg, err := f.s.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Fatalf("integrity %q %v", msg, err)
	}
}

func TestSaveEvidenceWithLinksCreatesAndKeeps(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	p := f.file(t, "review.csv", "a,b\n")
	// A new item: its links and the links asked for, without a copy when Kept is false.
	e, err := f.s.SaveEvidenceWithLinks(ctx, nil, assessments.Evidence{EngagementID: f.e.ID, Title: "Review", Kind: assessments.KindRecord, Path: p,
		Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.18")}}, nil, []assessments.EvidenceLink{req("iso42001-2023", "A.3.2")}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Kept || linkSet(e) != "iso27001-2022:A.5.18 iso42001-2023:A.3.2" {
		t.Fatalf("created kept=%v links %s", e.Kept, linkSet(e))
	}
	if _, data, _ := f.s.KeptCopy(ctx, e.ID); data != nil {
		t.Fatal("a copy was kept though Kept was false")
	}
	// Keeping a copy of the attached file reads it again.
	keep := e
	keep.Kept = true
	e2, err := f.s.SaveEvidenceWithLinks(ctx, &e, keep, nil, nil, AttachOptions{})
	if err != nil || !e2.Kept || e2.SHA256 != e.SHA256 {
		t.Fatalf("keep: %+v %v", e2, err)
	}
	if _, data, _ := f.s.KeptCopy(ctx, e.ID); string(data) != "a,b\n" {
		t.Fatalf("kept copy %q", data)
	}
	// Dropping it removes the bytes, not the fingerprint.
	drop := e2
	drop.Kept = false
	e3, err := f.s.SaveEvidenceWithLinks(ctx, &e2, drop, nil, nil, AttachOptions{})
	if err != nil || e3.Kept || e3.SHA256 != e.SHA256 || e3.Path != p {
		t.Fatalf("drop: %+v %v", e3, err)
	}
	if _, data, _ := f.s.KeptCopy(ctx, e.ID); data != nil {
		t.Fatal("the copy is still kept")
	}
	// A file changed since it was attached cannot be kept: that would keep other bytes.
	if err := os.WriteFile(p, []byte("a,b,c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	again := e3
	again.Kept = true
	var ve *assessments.ValidationError
	if _, err := f.s.SaveEvidenceWithLinks(ctx, &e3, again, nil, nil, AttachOptions{}); !errors.As(err, &ve) || ve.Field != "kept" || !strings.Contains(ve.Message, "no longer the file attached") {
		t.Fatalf("keeping a changed file: %v", err)
	}
	if got, _ := f.s.EvidenceItem(ctx, e.ID); got.Kept {
		t.Fatal("a refused keep was written")
	}
	if _, problem, err := f.s.VerifyChain(ctx); err != nil || problem != nil {
		t.Fatalf("chain: %v %v", problem, err)
	}
}
