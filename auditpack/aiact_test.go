package auditpack

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// TestImportWeighsIrreversibility imports a hand-written data.json (testdata/ai-classes.json):
// an approved assessment whose worst harm is severity 4, irreversible, at residual
// likelihood 1 comes in as class high with a six-month review (rule C1), not low with three
// years; a draft whose residual is not rated comes in with its class unsettled. Both
// systems were written with the single "role" of older files, one of them "subject".
func TestImportWeighsIrreversibility(t *testing.T) {
	ctx := context.Background()
	im, src, err := ReadImport("testdata/ai-classes.json")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := openStore(t, "dst.db")
	e, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{Source: "ai-classes.json"})
	if err != nil {
		t.Fatal(err)
	}
	systems, err := dst.AISystems(ctx, e.ID)
	if err != nil || len(systems) != 2 {
		t.Fatalf("systems: %v %v", systems, err)
	}
	byName := map[string]assessments.AISystem{}
	for _, s := range systems {
		byName[s.Name] = s
	}
	high, err := dst.ImpactAssessments(ctx, byName["Dose assistant"].ID)
	if err != nil || len(high) != 1 {
		t.Fatal(err)
	}
	a := high[0]
	if a.Class() != assessments.ClassHigh || a.Derivation().Cite() != "C1" || a.NextReview() != "2026-09-01" {
		t.Fatalf("severity 4 irreversible at likelihood 1: class %q by %q, next review %s", a.Class(), a.Derivation().Cite(), a.NextReview())
	}
	if got := a.ClassExplained(); got != "high: severity 4, irreversible (Safety and health) [rule C1]" {
		t.Fatalf("explained: %q", got)
	}
	draft, err := dst.ImpactAssessments(ctx, byName["Dose assistant 2"].ID)
	if err != nil || len(draft) != 1 {
		t.Fatal(err)
	}
	if d := draft[0]; d.ClassSettled() || d.Class() != assessments.ClassNone || !strings.Contains(d.ClassExplained(), "not settled: Safety and health: residual severity and likelihood not rated") {
		t.Fatalf("unrated residual: class %q, %q", d.Class(), d.ClassExplained())
	}
	if !slices.Equal(byName["Dose assistant"].Roles, []assessments.AIRole{assessments.RoleProvider}) ||
		!slices.Equal(byName["Dose assistant 2"].Roles, []assessments.AIRole{assessments.RoleCustomer}) {
		t.Fatalf("legacy roles: %v, %v", byName["Dose assistant"].Roles, byName["Dose assistant 2"].Roles)
	}
	// The export says the same and writes roles as a list.
	p := build(t, dst, e.ID)
	data, _ := p.File("data.json")
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, j := range doc.ImpactAssessments {
		switch j.AISystemID {
		case byName["Dose assistant"].ID:
			if j.Class != "high" || !strings.Contains(j.ClassRule, "[rule C1]") {
				t.Errorf("data.json class of the approved version: %q %q", j.Class, j.ClassRule)
			}
		default:
			if j.Class != "" || !strings.HasPrefix(j.ClassRule, "not settled") {
				t.Errorf("data.json class of the draft: %q %q", j.Class, j.ClassRule)
			}
		}
	}
	if !bytes.Contains(data, []byte(`"roles": [`)) {
		t.Error("data.json does not write roles as a list")
	}
}

// TestClassificationsInThePack: the demo's EU AI Act records travel through data.json and
// back unchanged, and every place that shows an AI system states the result with the
// articles that decided it.
func TestClassificationsInThePack(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	md, ok := p.File("eu-ai-act/medivance-lens-v1.md")
	if !ok {
		t.Fatalf("no classification file; files: %v", packNames(p))
	}
	for _, want := range []string{"**high-risk**", "Art. 6(1)(a), Annex I; Art. 6(1)(b)", "2028-08-02", "Art. 43, 47, 48", "approved by Dr Helen Carver",
		"| Annex III point 5 | Essential private and public services | no |"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("medivance-lens-v1.md lacks %q", want)
		}
	}
	html, _ := p.File("report.html")
	for _, want := range []string{"EU AI Act", "high-risk", "Art. 6(1)(a), Annex I", "applies from 2028-08-02", "How the impact class is set",
		"severity 4 or 5 and irreversible", "[rule C2]"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	csv, _ := p.File("ai-systems.csv")
	if !bytes.Contains(csv, []byte("EU AI Act result")) || !bytes.Contains(csv, []byte(`high-risk,"Art. 6(1)(a), Annex I; Art. 6(1)(b)",2028-08-02,v1 approved`)) {
		t.Errorf("ai-systems.csv lacks the classification:\n%s", csv)
	}
	ar, _ := p.File("oscal/assessment-results.json")
	for _, want := range []string{`"name":"eu-ai-act-result","ns":"` + annexNS + `","value":"high_risk"`, `"name":"impact-class-rule"`} {
		if !bytes.Contains(ar, []byte(want)) {
			t.Errorf("OSCAL assessment results lack %s", want)
		}
	}

	im, err := readImport(t, writeTemp(t, "pack.zip", zipBytes(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "dst.db")
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _ := s.EngagementAIActRecords(ctx, e.ID)
	got, _ := dst.EngagementAIActRecords(ctx, e.ID)
	if len(want) != 2 || !reflect.DeepEqual(want, got) {
		t.Fatalf("classifications after the round trip differ:\n%+v\n%+v", want, got)
	}
}

// TestClassificationsSurviveTheirFieldMap: every field of a record travels in data.json.
func TestClassificationsSurviveTheirFieldMap(t *testing.T) {
	s, e := demoStore(t, "normal")
	all, err := s.EngagementAIActRecords(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	act := catalogs.MustEUAIAct()
	for _, list := range all {
		for _, r := range list {
			back, err := assessments.AIActRecordFromMap(assessments.AIActRecord{ID: r.ID, AISystemID: r.AISystemID, EngagementID: r.EngagementID,
				Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}, assessments.AIActRecordMap(act, r))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, back) {
				t.Errorf("classification %s does not survive its field map:\n%+v\n%+v", r.ID, r, back)
			}
		}
	}
}

// TestImportRefusesAnUnknownQuestion: a file from a newer annex with a question this one
// does not know is refused in one sentence.
func TestImportRefusesAnUnknownQuestion(t *testing.T) {
	s, e := demoStore(t, "normal")
	data, _ := build(t, s, e.ID).File("data.json")
	doc, err := ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	doc.AIActClassifications[0].Fields["q.p_future_practice"] = "yes"
	_, err = ImportData(catalogs.MustBuiltin(), doc)
	if err == nil || !strings.Contains(err.Error(), "update annex") {
		t.Fatalf("unknown question: %v", err)
	}
}

func packNames(p *Pack) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Path)
	}
	return out
}

var _ = demo.LensName
