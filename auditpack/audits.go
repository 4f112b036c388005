package auditpack

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// AuditParts is what the internal audit programme contributes to a pack: the audits, their
// checklists, and every finding with its corrective actions.
type AuditParts struct {
	Audits []assessments.Audit
	// Items by audit id: the stored checklist items (a requirement without one is not audited).
	Items map[string]map[assessments.ControlRef]assessments.ChecklistItem
	// Findings of every audit, with their actions and status, the most serious first.
	Findings    []assessments.FindingView
	LastFinding map[string]int
	Sequences   map[int]int

	byAudit  map[string][]assessments.FindingView
	evidence map[string]assessments.Evidence
}

// auditsLoad is the audit programme being read beside the rest of an engagement.
type auditsLoad chan struct {
	parts AuditParts
	err   error
}

// fetchAudits reads the engagement's audit programme in the background (the store's pool
// serves both readers): its checklists are thousands of rows in a large programme, and the
// pack's writers only start when everything is read.
func fetchAudits(ctx context.Context, s *store.Store, engagementID string) auditsLoad {
	ch := make(auditsLoad, 1)
	go func() {
		var p AuditParts
		err := func() error {
			var err error
			if p.Audits, err = s.Audits(ctx, engagementID); err != nil {
				return err
			}
			if p.Items, err = s.EngagementChecklists(ctx, engagementID); err != nil {
				return err
			}
			if p.Findings, err = s.FindingViews(ctx, engagementID); err != nil {
				return err
			}
			if p.Sequences, err = s.AuditSequences(ctx, engagementID); err != nil {
				return err
			}
			p.LastFinding, err = s.LastFindings(ctx, engagementID)
			return err
		}()
		ch <- struct {
			parts AuditParts
			err   error
		}{p, err}
	}()
	return ch
}

// into waits for the programme and puts it into d, indexed against d's evidence.
func (ch auditsLoad) into(d *Data) error {
	r := <-ch
	if r.err != nil {
		return r.err
	}
	d.Parts.Audits = r.parts
	d.Parts.Audits.index(d.Parts.Evidence)
	return nil
}

func (p *AuditParts) index(evidence []assessments.Evidence) {
	p.byAudit = map[string][]assessments.FindingView{}
	for _, v := range p.Findings {
		p.byAudit[v.Finding.AuditID] = append(p.byAudit[v.Finding.AuditID], v)
	}
	p.evidence = make(map[string]assessments.Evidence, len(evidence))
	for _, e := range evidence {
		p.evidence[e.ID] = e
	}
}

// findingsOf lists an audit's findings (withdrawn ones too), the most serious first.
func (p *AuditParts) findingsOf(auditID string) []assessments.FindingView { return p.byAudit[auditID] }

// auditPath is the base name of an audit's report in the pack: "internal-audits/2027-01-…".
func auditPath(a assessments.Audit) string {
	return "internal-audits/" + slug(a.Ref+" "+a.Title, 64)
}

// ---- data.json ----

// AuditsJSON is the internal-audit sections of data.json.
type AuditsJSON struct {
	InternalAudits []AuditJSON         `json:"internal_audits"`
	AuditSequences []AuditSequenceJSON `json:"audit_sequences"`
}

// AuditSequenceJSON is the last audit number handed out in a year.
type AuditSequenceJSON struct {
	Year int `json:"year"`
	Last int `json:"last"`
}

// AuditJSON is one audit with its checklist and findings.
type AuditJSON struct {
	ID           string              `json:"id"`
	Ref          string              `json:"ref"`
	Title        string              `json:"title"`
	Type         string              `json:"type"`
	Status       string              `json:"status"`
	Scope        []string            `json:"scope"` // "standard:ref"
	Processes    string              `json:"processes"`
	Sites        string              `json:"sites"`
	Criteria     string              `json:"criteria"`
	PlannedStart string              `json:"planned_start"`
	PlannedEnd   string              `json:"planned_end"`
	ActualStart  string              `json:"actual_start"`
	ActualEnd    string              `json:"actual_end"`
	Lead         string              `json:"lead"`
	Team         []string            `json:"team"`
	Auditees     string              `json:"auditees"`
	Summary      string              `json:"summary"`
	LastFinding  int                 `json:"last_finding"`
	Checklist    []ChecklistItemJSON `json:"checklist"`
	Findings     []FindingJSON       `json:"findings"`
	CreatedAt    string              `json:"created_at"`
	UpdatedAt    string              `json:"updated_at"`
	UpdatedBy    string              `json:"updated_by"`
}

// ChecklistItemJSON is one requirement the auditor recorded something on. An audit has
// thousands of them over a programme, so fields with nothing in them are left out.
type ChecklistItemJSON struct {
	Standard     string                 `json:"standard"`
	Ref          string                 `json:"ref"`
	Conclusion   string                 `json:"conclusion"`
	Notes        string                 `json:"notes,omitempty"`
	Interviewees string                 `json:"interviewees,omitempty"`
	Population   int                    `json:"population,omitempty"`
	SampleSize   int                    `json:"sample_size,omitempty"`
	Sampled      string                 `json:"sampled,omitempty"`
	Provenance   string                 `json:"provenance,omitempty"`
	CarriedFrom  string                 `json:"carried_from,omitempty"`
	Evidence     []ExaminedEvidenceJSON `json:"evidence,omitempty"`
	UpdatedAt    string                 `json:"updated_at"`
	UpdatedBy    string                 `json:"updated_by"`
}

// ExaminedEvidenceJSON is an evidence item examined, with its hash then.
type ExaminedEvidenceJSON struct {
	EvidenceID string `json:"evidence_id"`
	Title      string `json:"title"`
	SHA256     string `json:"sha256"`
	ExaminedAt string `json:"examined_at"`
	ExaminedBy string `json:"examined_by"`
}

// FindingJSON is one finding with its corrective actions.
type FindingJSON struct {
	ID           string       `json:"id"`
	Ref          string       `json:"ref"`
	Seq          int          `json:"seq"`
	Grade        string       `json:"grade"`
	Statement    string       `json:"statement"`
	Requirements []string     `json:"requirements"` // "standard:ref"
	Evidence     string       `json:"evidence"`
	Source       string       `json:"source"` // "standard:ref" of the checklist item, or ""
	RaisedOn     string       `json:"raised_on"`
	RiskID       string       `json:"risk_id"`
	Withdrawn    bool         `json:"withdrawn"`
	Status       string       `json:"status"` // derived, for readers; import ignores it
	Actions      []ActionJSON `json:"actions"`
	CreatedAt    string       `json:"created_at"`
	UpdatedAt    string       `json:"updated_at"`
	UpdatedBy    string       `json:"updated_by"`
}

// ActionJSON is one corrective action.
type ActionJSON struct {
	ID         string   `json:"id"`
	Seq        int      `json:"seq"`
	Correction string   `json:"correction"`
	RootCause  []string `json:"root_cause"`
	Action     string   `json:"action"`
	Owner      string   `json:"owner"`
	DueDate    string   `json:"due_date"`
	State      string   `json:"state"`
	ReviewedBy string   `json:"reviewed_by"`
	ReviewedOn string   `json:"reviewed_on"`
	ReviewNote string   `json:"review_note"`
	RiskID     string   `json:"risk_id"`
	CreatedAt  string   `json:"created_at"`
	UpdatedAt  string   `json:"updated_at"`
	UpdatedBy  string   `json:"updated_by"`
}

func refStrings(refs []assessments.ControlRef) []string {
	out := make([]string, len(refs))
	for i, c := range refs {
		out[i] = c.String()
	}
	return out
}

func auditsJSON(d *Data) AuditsJSON {
	p := d.Parts.Audits
	out := AuditsJSON{InternalAudits: []AuditJSON{}, AuditSequences: []AuditSequenceJSON{}}
	var years []int
	for y := range p.Sequences {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		out.AuditSequences = append(out.AuditSequences, AuditSequenceJSON{Year: y, Last: p.Sequences[y]})
	}
	for _, a := range p.Audits {
		j := AuditJSON{ID: a.ID, Ref: a.Ref, Title: a.Title, Type: string(a.Type), Status: string(a.EffectiveStatus()), Scope: refStrings(a.Scope),
			Processes: a.Processes, Sites: a.Sites, Criteria: a.Criteria, PlannedStart: a.PlannedStart, PlannedEnd: a.PlannedEnd,
			ActualStart: a.ActualStart, ActualEnd: a.ActualEnd, Lead: a.Lead, Team: strs(a.Team), Auditees: a.Auditees, Summary: a.Summary,
			LastFinding: p.LastFinding[a.ID], Checklist: []ChecklistItemJSON{}, Findings: []FindingJSON{},
			CreatedAt: stamp(a.CreatedAt), UpdatedAt: stamp(a.UpdatedAt), UpdatedBy: a.UpdatedBy}
		items := p.Items[a.ID]
		for _, c := range a.Scope {
			it, ok := items[c]
			if !ok {
				continue
			}
			ij := ChecklistItemJSON{Standard: it.Standard, Ref: it.Ref, Conclusion: string(it.EffectiveConclusion()), Notes: it.Notes,
				Interviewees: it.Interviewees, Population: it.Population, SampleSize: it.SampleSize, Sampled: it.Sampled, Provenance: it.Provenance,
				CarriedFrom: it.CarriedFrom, UpdatedAt: stamp(it.UpdatedAt), UpdatedBy: it.UpdatedBy}
			for _, x := range it.Evidence {
				ij.Evidence = append(ij.Evidence, ExaminedEvidenceJSON{EvidenceID: x.EvidenceID, Title: x.Title, SHA256: x.SHA256,
					ExaminedAt: stamp(x.ExaminedAt), ExaminedBy: x.ExaminedBy})
			}
			j.Checklist = append(j.Checklist, ij)
		}
		views := append([]assessments.FindingView(nil), p.findingsOf(a.ID)...)
		sort.Slice(views, func(i, k int) bool { return views[i].Finding.Seq < views[k].Finding.Seq })
		for _, v := range views {
			f := v.Finding
			fj := FindingJSON{ID: f.ID, Ref: f.Ref, Seq: f.Seq, Grade: string(f.Grade), Statement: f.Statement, Requirements: refStrings(f.Requirements),
				Evidence: f.Evidence, RaisedOn: f.RaisedOn, RiskID: f.RiskID, Withdrawn: f.Withdrawn, Status: string(v.Status), Actions: []ActionJSON{},
				CreatedAt: stamp(f.CreatedAt), UpdatedAt: stamp(f.UpdatedAt), UpdatedBy: f.UpdatedBy}
			if f.Source.Ref != "" {
				fj.Source = f.Source.String()
			}
			for _, ca := range v.Actions {
				fj.Actions = append(fj.Actions, ActionJSON{ID: ca.ID, Seq: ca.Seq, Correction: ca.Correction, RootCause: strs(ca.RootCause), Action: ca.Action,
					Owner: ca.Owner, DueDate: ca.DueDate, State: string(ca.EffectiveState()), ReviewedBy: ca.ReviewedBy, ReviewedOn: ca.ReviewedOn,
					ReviewNote: ca.ReviewNote, RiskID: ca.RiskID, CreatedAt: stamp(ca.CreatedAt), UpdatedAt: stamp(ca.UpdatedAt), UpdatedBy: ca.UpdatedBy})
			}
			j.Findings = append(j.Findings, fj)
		}
		out.InternalAudits = append(out.InternalAudits, j)
	}
	return out
}

// auditsImportData converts and checks the internal-audit sections of a document: every
// requirement a scope, checklist item or finding names must be in the engagement's
// catalogs (a requirement a catalog no longer has refuses the import, naming it), every
// rule of the domain must hold, and links to risks and evidence must point into the export.
func auditsImportData(set *catalogs.Set, doc *Document, in *store.ImportData) error {
	e := in.Engagement
	refs := func(what string, list []string) ([]assessments.ControlRef, error) {
		var out []assessments.ControlRef
		for _, t := range list {
			c, err := assessments.ParseControlRef(t)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			cat, ok := set.Get(c.Standard)
			if !ok || !e.HasStandard(c.Standard) {
				return nil, fmt.Errorf("%s names %s %s, and %s is not a standard of the engagement", what, c.Standard, c.Ref, c.Standard)
			}
			if _, ok := cat.Requirement(c.Ref); !ok {
				return nil, fmt.Errorf("%s names %s %s, which the catalog does not have (deleted or renamed?); nothing was imported", what, cat.Short, c.Ref)
			}
			out = append(out, c)
		}
		return out, nil
	}
	risks := map[string]bool{}
	for _, r := range in.Risks {
		risks[r.ID] = true
	}
	in.AuditSequences = map[int]int{}
	for _, s := range doc.AuditSequences {
		if s.Year < 1900 || s.Year > 9999 || s.Last < 0 {
			return fmt.Errorf("audit numbering: year %d, last %d is not a valid entry", s.Year, s.Last)
		}
		in.AuditSequences[s.Year] = s.Last
	}
	seen := map[string]bool{}
	for _, j := range doc.InternalAudits {
		label := "audit " + j.Ref
		if j.ID == "" || j.Ref == "" {
			return fmt.Errorf("an audit (%q) needs an id and a ref such as 2027-01", j.Title)
		}
		if seen[j.Ref] {
			return fmt.Errorf("%s appears twice", label)
		}
		seen[j.Ref] = true
		scope, err := refs(label+"'s scope", j.Scope)
		if err != nil {
			return err
		}
		a := assessments.Audit{ID: j.ID, EngagementID: e.ID, Ref: j.Ref, Title: j.Title, Type: assessments.AuditType(j.Type),
			Status: assessments.AuditStatus(j.Status), Scope: scope, Processes: j.Processes, Sites: j.Sites, Criteria: j.Criteria,
			PlannedStart: j.PlannedStart, PlannedEnd: j.PlannedEnd, ActualStart: j.ActualStart, ActualEnd: j.ActualEnd, Lead: j.Lead,
			Team: nilIfEmpty(j.Team), Auditees: j.Auditees, Summary: j.Summary, UpdatedBy: j.UpdatedBy}
		if err := times(&a.CreatedAt, &a.UpdatedAt, j.CreatedAt, j.UpdatedAt, label); err != nil {
			return err
		}
		if err := a.Validate(nil); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		ia := store.ImportAudit{Audit: a, LastFinding: j.LastFinding}
		for _, ij := range j.Checklist {
			c, err := refs(label+"'s checklist", []string{ij.Standard + ":" + ij.Ref})
			if err != nil {
				return err
			}
			if !a.InScope(c[0].Standard, c[0].Ref) {
				return fmt.Errorf("%s has a checklist item for %s %s, which is not in its scope", label, ij.Standard, ij.Ref)
			}
			it := assessments.ChecklistItem{AuditID: a.ID, Standard: ij.Standard, Ref: ij.Ref, Conclusion: assessments.Conclusion(ij.Conclusion),
				Notes: ij.Notes, Interviewees: ij.Interviewees, Population: ij.Population, SampleSize: ij.SampleSize, Sampled: ij.Sampled,
				Provenance: ij.Provenance, CarriedFrom: ij.CarriedFrom, UpdatedBy: ij.UpdatedBy}
			if it.UpdatedAt, err = parseStamp(label+" checklist updated_at", ij.UpdatedAt); err != nil {
				return err
			}
			for _, xj := range ij.Evidence {
				x := assessments.ExaminedEvidence{EvidenceID: xj.EvidenceID, Title: xj.Title, SHA256: xj.SHA256, ExaminedBy: xj.ExaminedBy}
				if x.ExaminedAt, err = parseStamp(label+" examined_at", xj.ExaminedAt); err != nil {
					return err
				}
				if x.SHA256 != "" && len(x.SHA256) != 64 {
					return fmt.Errorf("%s: the hash of examined evidence %q is not a SHA-256", label, x.Title)
				}
				if x.EvidenceID == "" || x.Title == "" {
					return fmt.Errorf("%s: examined evidence needs an id and a title", label)
				}
				it.Evidence = append(it.Evidence, x)
			}
			if err := it.Validate(); err != nil {
				return fmt.Errorf("%s, checklist %s %s: %w", label, ij.Standard, ij.Ref, err)
			}
			ia.Items = append(ia.Items, it)
		}
		for _, fj := range j.Findings {
			reqs, err := refs("finding "+fj.Ref, fj.Requirements)
			if err != nil {
				return err
			}
			f := assessments.Finding{ID: fj.ID, EngagementID: e.ID, AuditID: a.ID, Ref: fj.Ref, Seq: fj.Seq, Grade: assessments.Grade(fj.Grade),
				Statement: fj.Statement, Requirements: reqs, Evidence: fj.Evidence, RaisedOn: fj.RaisedOn, RiskID: fj.RiskID,
				Withdrawn: fj.Withdrawn, UpdatedBy: fj.UpdatedBy}
			if fj.Source != "" {
				if f.Source, err = assessments.ParseControlRef(fj.Source); err != nil {
					return fmt.Errorf("finding %s: %w", fj.Ref, err)
				}
			}
			if f.RiskID != "" && !risks[f.RiskID] {
				f.RiskID = "" // the risk was deleted before the export
			}
			if f.ID == "" {
				return fmt.Errorf("finding %s has no id", fj.Ref)
			}
			if err := times(&f.CreatedAt, &f.UpdatedAt, fj.CreatedAt, fj.UpdatedAt, "finding "+fj.Ref); err != nil {
				return err
			}
			if err := f.Validate(nil); err != nil {
				return fmt.Errorf("finding %s: %w", fj.Ref, err)
			}
			imf := store.ImportFinding{Finding: f}
			for _, aj := range fj.Actions {
				ca := assessments.CorrectiveAction{ID: aj.ID, EngagementID: e.ID, FindingID: f.ID, Seq: aj.Seq, Correction: aj.Correction,
					RootCause: nilIfEmpty(aj.RootCause), Action: aj.Action, Owner: aj.Owner, DueDate: aj.DueDate, State: assessments.ActionState(aj.State),
					ReviewedBy: aj.ReviewedBy, ReviewedOn: aj.ReviewedOn, ReviewNote: aj.ReviewNote, RiskID: aj.RiskID, UpdatedBy: aj.UpdatedBy}
				if ca.RiskID != "" && !risks[ca.RiskID] {
					ca.RiskID = ""
				}
				if ca.ID == "" {
					return fmt.Errorf("a corrective action of finding %s has no id", f.Ref)
				}
				if err := times(&ca.CreatedAt, &ca.UpdatedAt, aj.CreatedAt, aj.UpdatedAt, "corrective action of "+f.Ref); err != nil {
					return err
				}
				if err := ca.Validate(f); err != nil {
					return fmt.Errorf("corrective action %s: %w", assessments.ActionRef(f.Ref, aj.Seq), err)
				}
				imf.Actions = append(imf.Actions, ca)
			}
			ia.Findings = append(ia.Findings, imf)
		}
		in.Audits = append(in.Audits, ia)
	}
	return nil
}

// auditSummary counts the audits, findings and actions of a document for messages.
func auditSummary(doc *Document) string {
	findings, actions := 0, 0
	for _, a := range doc.InternalAudits {
		findings += len(a.Findings)
		for _, f := range a.Findings {
			actions += len(f.Actions)
		}
	}
	if len(doc.InternalAudits) == 0 {
		return ""
	}
	parts := []string{plural(len(doc.InternalAudits), "internal audit", "internal audits")}
	if findings > 0 {
		parts = append(parts, plural(findings, "finding", "findings"))
	}
	if actions > 0 {
		parts = append(parts, plural(actions, "corrective action", "corrective actions"))
	}
	return ", " + strings.Join(parts, ", ")
}
