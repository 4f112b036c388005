package auditpack

import (
	"fmt"
	"sort"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
)

// The sections of data.json for the SoA versions, the treatment plans and the report's
// document control (docs/DATA-FORMAT.md). Added within format version 2: older readers
// ignore them.

// PlanJSON holds the three sections.
type PlanJSON struct {
	SoAVersions      []SoAVersionJSON      `json:"soa_versions"`
	TreatmentActions []TreatmentActionJSON `json:"treatment_actions"`
	ReportControl    *ReportControlJSON    `json:"report_control,omitempty"`
}

// SoAVersionJSON is one issued version of a Statement of Applicability.
type SoAVersionJSON struct {
	ID             string                 `json:"id"`
	Standard       string                 `json:"standard"`
	Version        int                    `json:"version"`
	State          string                 `json:"state"`
	ChangeSummary  string                 `json:"change_summary"`
	Approver       string                 `json:"approver"`
	ApprovedOn     string                 `json:"approved_on"`
	ContentsSHA256 string                 `json:"contents_sha256"`
	Entries        []assessments.SoAEntry `json:"entries"`
	IssuedAt       string                 `json:"issued_at"`
	IssuedBy       string                 `json:"issued_by"`
	UpdatedAt      string                 `json:"updated_at"`
	UpdatedBy      string                 `json:"updated_by"`
}

// TreatmentActionJSON is one step of a risk's treatment plan.
type TreatmentActionJSON struct {
	ID            string   `json:"id"`
	RiskID        string   `json:"risk_id"`
	Title         string   `json:"title"`
	Owner         string   `json:"owner"`
	Resources     string   `json:"resources"`
	StartDate     string   `json:"start_date"`
	DueDate       string   `json:"due_date"`
	Status        string   `json:"status"`
	Controls      []string `json:"controls"` // "standard:ref"
	CorrectiveRef string   `json:"corrective_ref"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
	UpdatedBy     string   `json:"updated_by"`
}

// ReportControlJSON is the management report's document control.
type ReportControlJSON struct {
	Version        string `json:"version"`
	Status         string `json:"status"`
	Classification string `json:"classification"`
	Distribution   string `json:"distribution"`
	Approver       string `json:"approver"`
	ApprovedOn     string `json:"approved_on"`
	UpdatedAt      string `json:"updated_at"`
	UpdatedBy      string `json:"updated_by"`
}

// planJSON writes the sections: versions by standard then number, actions by risk ref then
// plan order.
func planJSON(d *Data) PlanJSON {
	out := PlanJSON{SoAVersions: []SoAVersionJSON{}, TreatmentActions: []TreatmentActionJSON{}}
	var stds []string
	for std := range d.Plan.SoAVersions {
		stds = append(stds, std)
	}
	sort.Strings(stds)
	for _, std := range stds {
		list := append([]assessments.SoAVersion(nil), d.Plan.SoAVersions[std]...)
		sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
		for _, v := range list {
			out.SoAVersions = append(out.SoAVersions, SoAVersionJSON{ID: v.ID, Standard: v.Standard, Version: v.Version, State: string(v.State),
				ChangeSummary: v.ChangeSummary, Approver: v.Approver, ApprovedOn: v.ApprovedOn, ContentsSHA256: v.Digest(),
				Entries: assessments.NormalEntries(v.Entries), IssuedAt: stamp(v.IssuedAt), IssuedBy: v.IssuedBy, UpdatedAt: stamp(v.UpdatedAt), UpdatedBy: v.UpdatedBy})
		}
	}
	for _, r := range d.Parts.Risks {
		for _, a := range d.actionsOf(r.ID) {
			controls := []string{}
			for _, c := range a.Controls {
				controls = append(controls, c.String())
			}
			out.TreatmentActions = append(out.TreatmentActions, TreatmentActionJSON{ID: a.ID, RiskID: a.RiskID, Title: a.Title, Owner: a.Owner,
				Resources: a.Resources, StartDate: a.StartDate, DueDate: a.DueDate, Status: string(a.EffectiveStatus()), Controls: controls,
				CorrectiveRef: a.CorrectiveRef, CreatedAt: stamp(a.CreatedAt), UpdatedAt: stamp(a.UpdatedAt), UpdatedBy: a.UpdatedBy})
		}
	}
	if c := d.Plan.Report; !c.UpdatedAt.IsZero() || c.UpdatedBy != "" {
		out.ReportControl = &ReportControlJSON{Version: c.Version, Status: string(c.EffectiveStatus()), Classification: c.Classification.Label(),
			Distribution: c.Distribution, Approver: c.Approver, ApprovedOn: c.ApprovedOn, UpdatedAt: stamp(c.UpdatedAt), UpdatedBy: c.UpdatedBy}
	}
	return out
}

// planImportData converts and checks the sections for the store. known says whether a
// requirement is in scope; risks are the ids of the imported risks.
func planImportData(doc *Document, in *store.ImportData, known func(std, ref string) bool, risks map[string]bool) error {
	for _, j := range doc.SoAVersions {
		v := assessments.SoAVersion{ID: j.ID, EngagementID: in.Engagement.ID, Standard: j.Standard, Version: j.Version, State: assessments.SoAState(j.State),
			ChangeSummary: j.ChangeSummary, Approver: j.Approver, ApprovedOn: j.ApprovedOn, Entries: j.Entries, IssuedBy: j.IssuedBy, UpdatedBy: j.UpdatedBy}
		if err := times(&v.IssuedAt, &v.UpdatedAt, j.IssuedAt, j.UpdatedAt, fmt.Sprintf("SoA %s version %d", j.Standard, j.Version)); err != nil {
			return err
		}
		if v.ID == "" || !in.Engagement.HasStandard(v.Standard) {
			return fmt.Errorf("SoA version %d needs an id and a standard in the engagement's scope", j.Version)
		}
		if err := v.Validate(); err != nil {
			return fmt.Errorf("SoA %s version %d: %w", j.Standard, j.Version, err)
		}
		if j.ContentsSHA256 != "" && j.ContentsSHA256 != v.Digest() {
			return fmt.Errorf("SoA %s version %d: its entries do not match the SHA-256 recorded with them", j.Standard, j.Version)
		}
		in.SoAVersions = append(in.SoAVersions, v)
	}
	for _, j := range doc.TreatmentActions {
		if !risks[j.RiskID] {
			return fmt.Errorf("treatment action %q names a risk that is not in the export", j.Title)
		}
		a := assessments.TreatmentAction{ID: j.ID, RiskID: j.RiskID, EngagementID: in.Engagement.ID, Title: j.Title, Owner: j.Owner, Resources: j.Resources,
			StartDate: j.StartDate, DueDate: j.DueDate, Status: assessments.ActionStatus(j.Status), CorrectiveRef: j.CorrectiveRef, UpdatedBy: j.UpdatedBy}
		for _, c := range j.Controls {
			cr, err := assessments.ParseControlRef(c)
			if err != nil {
				return fmt.Errorf("treatment action %q: %w", j.Title, err)
			}
			a.Controls = append(a.Controls, cr)
		}
		if err := times(&a.CreatedAt, &a.UpdatedAt, j.CreatedAt, j.UpdatedAt, "treatment action "+j.Title); err != nil {
			return err
		}
		if a.ID == "" {
			return fmt.Errorf("treatment action %q has no id", j.Title)
		}
		if err := a.Validate(known); err != nil {
			return fmt.Errorf("treatment action %q: %w", j.Title, err)
		}
		in.Actions = append(in.Actions, a)
	}
	if j := doc.ReportControl; j != nil {
		c := assessments.ReportControl{EngagementID: in.Engagement.ID, Version: j.Version, Status: assessments.ReportStatus(j.Status),
			Classification: assessments.Classification(j.Classification), Distribution: j.Distribution, Approver: j.Approver, ApprovedOn: j.ApprovedOn, UpdatedBy: j.UpdatedBy}
		var err error
		if c.UpdatedAt, err = parseStamp("report control updated_at", j.UpdatedAt); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return fmt.Errorf("report control: %w", err)
		}
		in.ReportControl = &c
	}
	return nil
}
