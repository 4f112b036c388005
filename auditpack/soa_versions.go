package auditpack

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// The Statements of Applicability in a pack, per standard in scope:
//
//	soa-<standard>.xlsx/.csv      the current draft: the SoA as it stands in the workspace
//	soa-<standard>-v<N>.xlsx/.csv the latest approved version, frozen as approved
//
// Each workbook has a "Document control" sheet saying which of the two it is.

// soaVersionBase is the file name stem of a version: "soa-iso27001-2022-v2".
func soaVersionBase(c *catalogs.Catalog, v assessments.SoAVersion) string {
	return fmt.Sprintf("%s-v%d", soaBase(c), v.Version)
}

func soaFiles(d *Data) ([]File, error) {
	var out []File
	for _, c := range d.Standards() {
		v := d.soaState(c)
		rows := SoA(d, c)
		csv, err := SoACSV(rows)
		if err != nil {
			return nil, err
		}
		x, err := soaWorkbook(d, "Statement of Applicability — "+c.Name+" (current draft)", rows, draftControl(d, c, v))
		if err != nil {
			return nil, fmt.Errorf("%s SoA workbook: %w", c.Short, err)
		}
		out = append(out, File{Path: soaBase(c) + ".csv", Data: csv}, File{Path: soaBase(c) + ".xlsx", Data: x})
		if v.Approved == nil {
			continue
		}
		a := *v.Approved
		frozen := make([]SoARow, len(a.Entries))
		for i, e := range a.Entries {
			frozen[i] = soaRow(c, e, nil)
		}
		csv, err = SoACSV(frozen)
		if err != nil {
			return nil, err
		}
		x, err = soaWorkbook(d, fmt.Sprintf("Statement of Applicability — %s, version %d (approved)", c.Name, a.Version), frozen, approvedControl(d, c, v))
		if err != nil {
			return nil, fmt.Errorf("%s SoA version %d workbook: %w", c.Short, a.Version, err)
		}
		base := soaVersionBase(c, a)
		out = append(out, File{Path: base + ".csv", Data: csv}, File{Path: base + ".xlsx", Data: x})
	}
	return out, nil
}

// soaState is where a standard's SoA stands as a controlled document.
type soaState struct {
	Catalog *catalogs.Catalog
	Current []assessments.SoAEntry
	// Approved is the latest approved version, Draft the draft issued for approval (nil: none).
	Approved, Draft *assessments.SoAVersion
	// SinceApproved are the controls whose decision changed since the approved version;
	// DraftDiffers those where the issued draft differs from the SoA as it stands.
	SinceApproved []assessments.SoAChange
	DraftDiffers  []assessments.SoAChange
	Open          map[assessments.OpenDecision]int
	OpenTotal     int
	Counts        SoACounts
}

func soaStateOf(d *Data, c *catalogs.Catalog) soaState {
	v := soaState{Catalog: c, Current: SoAEntries(d, c)}
	versions := d.soaVersions(c.ID)
	if a, ok := assessments.LatestApprovedSoA(versions); ok {
		v.Approved = &a
		v.SinceApproved = assessments.DiffSoA(a.Entries, v.Current)
	}
	if l, ok := assessments.LatestSoA(versions); ok && l.State == assessments.SoADraft {
		v.Draft = &l
		v.DraftDiffers = assessments.DiffSoA(l.Entries, v.Current)
	}
	v.Open, v.OpenTotal = assessments.OpenCounts(v.Current), assessments.OpenTotal(v.Current)
	for _, e := range v.Current {
		v.Counts.Controls++
		switch e.Applicability {
		case assessments.Applicable:
			v.Counts.Applicable++
		case assessments.Excluded:
			v.Counts.Excluded++
		default:
			v.Counts.Undecided++
		}
		if e.Status == assessments.Implemented {
			v.Counts.Implemented++
		}
	}
	return v
}

// refsText lists the refs of changes, at most n, with "and k more".
func refsText(cs []assessments.SoAChange, n int) string {
	var refs []string
	for i, c := range cs {
		if i == n {
			refs = append(refs, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		refs = append(refs, c.Ref)
	}
	return strings.Join(refs, ", ")
}

// openText is the open decisions in words: "16 not decided, 62 applicable without an inclusion reason".
func (v soaState) openText() string {
	var parts []string
	for _, k := range assessments.OpenDecisionKinds {
		if n := v.Open[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// approvedText names the latest approved version: "v1, approved by Dana Ruiz on 2026-03-02".
func (v soaState) approvedText() string {
	if v.Approved == nil {
		return "none yet"
	}
	a := v.Approved
	return fmt.Sprintf("v%d, approved by %s on %s", a.Version, a.Approver, a.ApprovedOn)
}

// draftText says how the current draft relates to the versions.
func (v soaState) draftText() string {
	var parts []string
	if v.Draft != nil {
		dv := v.Draft
		what := fmt.Sprintf("v%d issued for approval on %s by %s", dv.Version, dv.IssuedAt.UTC().Format(assessments.DateLayout), dv.IssuedBy)
		if n := len(v.DraftDiffers); n > 0 {
			what += fmt.Sprintf("; %s differ from it since (%s)", plural(n, "control", "controls"), refsText(v.DraftDiffers, 5))
		} else {
			what += "; the same decisions as the current draft"
		}
		parts = append(parts, what)
	}
	if v.Approved != nil {
		if n := len(v.SinceApproved); n > 0 {
			parts = append(parts, fmt.Sprintf("%s changed since v%d (%s)", plural(n, "control", "controls"), v.Approved.Version, refsText(v.SinceApproved, 5)))
		} else {
			parts = append(parts, fmt.Sprintf("no decision changed since v%d", v.Approved.Version))
		}
	}
	return strings.Join(parts, "; ")
}

func draftControl(d *Data, c *catalogs.Catalog, v soaState) [][2]string {
	out := [][2]string{
		{"Document", "Statement of Applicability — " + c.Name},
		{"Engagement", d.Engagement.Name},
		{"Organisation", d.Engagement.Organisation},
		{"This file", "CURRENT DRAFT: the SoA as it stands in the workspace on " + d.At.Format("2006-01-02 15:04 UTC") + "; not approved."},
		{"Latest approved version", v.approvedText()},
	}
	if t := v.draftText(); t != "" {
		out = append(out, [2]string{"Against the versions", t})
	}
	if v.Approved != nil {
		out = append(out, [2]string{"Approved file", soaVersionBase(c, *v.Approved) + ".xlsx, .csv"})
	}
	out = append(out,
		[2]string{"Controls", fmt.Sprintf("%d: %d applicable (%d implemented), %d excluded, %d not decided", v.Counts.Controls, v.Counts.Applicable,
			v.Counts.Implemented, v.Counts.Excluded, v.Counts.Undecided)},
		[2]string{"Open decisions", fmt.Sprintf("%d controls: %s (column Open decision)", v.OpenTotal, v.openText())})
	return out
}

func approvedControl(d *Data, c *catalogs.Catalog, v soaState) [][2]string {
	a := v.Approved
	out := [][2]string{
		{"Document", "Statement of Applicability — " + c.Name},
		{"Engagement", d.Engagement.Name},
		{"Organisation", d.Engagement.Organisation},
		{"This file", fmt.Sprintf("APPROVED VERSION %d, frozen as approved; the Evidence column is left empty (evidence supports the implementation, not the decision).", a.Version)},
		{"Version", fmt.Sprint(a.Version)},
		{"Approved by", a.Approver},
		{"Approved on", a.ApprovedOn},
		{"Issued", fmt.Sprintf("%s by %s", a.IssuedAt.UTC().Format("2006-01-02 15:04 UTC"), a.IssuedBy)},
		{"Change summary", a.ChangeSummary},
		{"Contents SHA-256", a.Digest() + " (recorded in the change history when issued)"},
	}
	for _, prev := range d.soaVersions(c.ID) {
		if prev.Version < a.Version {
			ch := assessments.DiffSoA(prev.Entries, a.Entries)
			out = append(out, [2]string{fmt.Sprintf("Against v%d", prev.Version), fmt.Sprintf("%s changed (%s)", plural(len(ch), "control", "controls"), orDash(refsText(ch, 10)))})
			break
		}
	}
	open := assessments.OpenCounts(a.Entries)
	var parts []string
	for _, k := range assessments.OpenDecisionKinds {
		if n := open[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	out = append(out, [2]string{"Open decisions when approved", firstNonEmpty(strings.Join(parts, ", "), "none")})
	return out
}
