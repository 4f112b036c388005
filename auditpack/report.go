package auditpack

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"sync"

	"github.com/annex-grc/annex/assessments"
)

// statusColour is the report's colour per status (print-friendly, distinct in grey).
var statusColour = map[assessments.Status]string{
	assessments.Implemented:    "#2e7d32",
	assessments.Partial:        "#f0a202",
	assessments.NotImplemented: "#c62828",
	assessments.NotApplicable:  "#90a4ae",
	assessments.NotAssessed:    "#e0e0e0",
}

// chartOrder is the order of the segments in a readiness bar.
var chartOrder = []assessments.Status{assessments.Implemented, assessments.Partial, assessments.NotImplemented, assessments.NotApplicable, assessments.NotAssessed}

// Segment is one coloured part of a stacked bar.
type Segment struct {
	X, W   float64
	Colour string
	Label  string
	Count  int
}

// Bar is a readiness bar for a standard or group.
type Bar struct {
	Label      string
	Percent    float64
	Assessed   float64
	Total      int
	Segments   []Segment
	Applicable int
}

func readinessBar(label string, r assessments.Readiness, width float64) Bar {
	b := Bar{Label: label, Percent: r.Percent(), Assessed: r.AssessedPercent(), Total: r.Total, Applicable: r.Applicable}
	x := 0.0
	for _, st := range chartOrder {
		n := r.Counts[st]
		if n == 0 || r.Total == 0 {
			continue
		}
		w := width * float64(n) / float64(r.Total)
		b.Segments = append(b.Segments, Segment{X: x, W: w, Colour: statusColour[st], Label: st.Label(), Count: n})
		x += w
	}
	return b
}

// StandardView is a standard's part of the report.
type StandardView struct {
	Name     string
	Total    Bar
	Groups   []Bar
	Coverage *CoverageView
	SoA      SoACounts
}

// CoverageView is the "covered by the other standard's work" figure.
type CoverageView struct {
	By          string
	Covered, Of int
	Percent     float64
}

// SoACounts summarises a Statement of Applicability.
type SoACounts struct{ Controls, Applicable, Excluded, Undecided, Implemented int }

// Action is one line of the action plan.
type Action struct {
	Kind, Item, Title, State, Owner, Due, Detail string
	Overdue                                      bool
	// standards are the catalogs the action serves (a risk's plan serves its scope's).
	standards []string
}

// reportView is everything the report template shows.
type reportView struct {
	E         assessments.Engagement
	Standards []string
	At        string
	AtDate    string
	Version   string
	Views     []StandardView
	Actions   []Action
	Legend    []Segment
	Docs      docsView      // the mandatory documented information checklist
	Parts     template.HTML // the parts' sections (risks, AI, evidence), rendered by their own templates
	Changes   int
	Contents  []contentLine
	// The controlled documents and the plan (report_exec.go, report_soa.go, report_method.go,
	// report_plan.go, report_annex.go).
	Control     controlView
	Exec        execView
	SoAView     soaView
	Method      methodView
	Plan        planView
	ActionsView actionsView
	DocsLong    bool
	History     historyView
	parts       partsView // for the PDF's annex
}

// contentLine is one entry of the report's list of the pack's files.
type contentLine struct{ Path, What string }

// packContents describes the pack's files for the reader of the report.
func packContents(d *Data) []contentLine {
	out := []contentLine{{"report.html, report.pdf", "this report"}}
	for _, c := range d.Standards() {
		out = append(out, contentLine{soaBase(c) + ".xlsx, .csv", "Statement of Applicability of " + c.Name + ": the current draft, with its open decisions"})
		if a, ok := assessments.LatestApprovedSoA(d.soaVersions(c.ID)); ok {
			out = append(out, contentLine{soaVersionBase(c, a) + ".xlsx, .csv", fmt.Sprintf("version %d of that SoA, approved by %s on %s", a.Version, a.Approver, a.ApprovedOn)})
		}
	}
	out = append(out,
		contentLine{"gap-analysis.xlsx", "every requirement with its status, notes, owner and target date"},
		contentLine{"risk-register.xlsx, .csv", "the risk register with inherent and residual heat maps and the treatment plan"},
		contentLine{"risk-treatment-plan.csv", "every treatment action: owner, resources, dates, status, linked controls"},
		contentLine{"ai-systems.csv, impact-assessments/", "the AI system inventory and every impact assessment version"},
		contentLine{"evidence-index.csv", "every evidence item with its SHA-256 and what it supports"},
		contentLine{"change-history.csv", "every recorded edit, with its hash chain"},
		contentLine{"progress.json, progress.csv", "the baselines, the readiness trend across them and every requirement's change since the latest"},
		contentLine{"oscal/", "OSCAL 1.2.1 assessment results, plan of action and milestones, crosswalk mapping"},
		contentLine{"data.json", "the whole engagement, for annex import"},
		contentLine{"manifest.json", "size and SHA-256 of every file; check with annex verify"})
	if len(d.Parts.Blobs) > 0 {
		out = append(out, contentLine{"evidence/", "the evidence files kept in the workspace"})
	}
	if len(d.Parts.Audits.Audits) > 0 {
		out = append(out, contentLine{"internal-audits/", "one report per internal audit (HTML and PDF): scope, checklist, findings, corrective actions"})
	}
	out = append(out, contentLine{"findings.csv, findings.xlsx", "every internal-audit finding and corrective action"})
	if len(d.Parts.CustomCatalogs) > 0 {
		out = append(out, contentLine{"catalogs/", "the imported catalogs the engagement uses"})
	}
	return out
}

func buildReportView(d *Data) reportView {
	v := reportView{E: d.Engagement, At: d.At.Format("2006-01-02 15:04 UTC"), AtDate: d.At.Format(assessments.DateLayout),
		Version: d.Version, Changes: len(d.Changes)}
	for _, st := range chartOrder {
		v.Legend = append(v.Legend, Segment{Colour: statusColour[st], Label: st.Label()})
	}
	for _, c := range d.Standards() {
		v.Standards = append(v.Standards, c.Name)
		total, groups := d.Readiness(c)
		sv := StandardView{Name: c.Name, Total: readinessBar(c.Short, total, 100)}
		for _, g := range c.Groups {
			if r, ok := groups[g.ID]; ok {
				sv.Groups = append(sv.Groups, readinessBar(g.ID+" "+g.Title, r, 100))
			}
		}
		if cov, ok := assessments.CoverageFor(d.Catalogs, d.Engagement, c.ID, d.Results); ok {
			by := cov.By
			if bc, ok := d.Catalogs.Get(cov.By); ok {
				by = bc.Short
			}
			sv.Coverage = &CoverageView{By: by, Covered: cov.Covered, Of: cov.Applicable, Percent: cov.Percent()}
		}
		for _, row := range SoA(d, c) {
			sv.SoA.Controls++
			switch row.Applicable {
			case "yes":
				sv.SoA.Applicable++
			case "no":
				sv.SoA.Excluded++
			default:
				sv.SoA.Undecided++
			}
			if row.Status == assessments.Implemented {
				sv.SoA.Implemented++
			}
		}
		v.Views = append(v.Views, sv)
	}
	v.Docs = d.docs()
	v.Actions = d.actions()
	v.Contents = packContents(d)
	v.Control, v.Exec, v.SoAView, v.Method, v.Plan = buildControl(d), d.exec(), buildSoA(d), buildMethod(d), buildPlan(d)
	v.ActionsView, v.DocsLong, v.History = buildActions(v.Actions, v.AtDate), docsLong(v.Docs), buildHistory(d)
	v.parts = d.partsView()
	return v
}

// actionPlan lists open gaps (applicable requirements not or partly implemented) and the
// parts' open actions, by due date (undated last), then by item.
func actionPlan(d *Data) []Action {
	var out []Action
	now := d.At
	for _, c := range d.Standards() {
		for _, req := range c.Requirements {
			r := d.Result(c.ID, req.Ref)
			st := r.EffectiveStatus()
			if st != assessments.NotImplemented && st != assessments.Partial {
				continue
			}
			out = append(out, Action{Kind: "gap", Item: c.Short + " " + req.Ref, Title: req.Title, State: st.Label(), Owner: r.Owner,
				Due: r.TargetDate, Overdue: assessments.Overdue(r.TargetDate, now), Detail: firstLine(r.Notes, 160), standards: []string{c.ID}})
		}
	}
	out = append(out, partActions(d)...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Due == "") != (b.Due == "") {
			return a.Due != ""
		}
		if a.Due != b.Due {
			return a.Due < b.Due
		}
		return false
	})
	return out
}

// firstLine is the first line of a text, cut to n runes.
func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

var reportFuncs = template.FuncMap{
	"pct":  func(f float64) string { return fmt.Sprintf("%.0f%%", f) },
	"f1":   func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"join": strings.Join,
	"lines": func(s string) []string {
		return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	},
	"add":    func(a, b int) int { return a + b },
	"plural": plural,
	"mul":    func(a float64, b float64) float64 { return a * b },
}

// reportTemplate is parsed the first time a report is written, not at every start of the
// binary (the workbench never writes one).
var reportTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(reportFuncs).Parse(reportHTML + docsHTML + execHTML + soaHTML + methodHTML + planHTML + annexHTML))
})

// ReportHTML is the self-contained management report: inline CSS and SVG, no external
// resource, printable. Every user text goes through html/template's escaping.
func ReportHTML(d *Data) ([]byte, error) {
	v := buildReportView(d)
	parts, err := renderParts(d)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	progress, err := renderProgress(d)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	v.Parts = progress + parts
	var buf bytes.Buffer
	if err := reportTemplate().Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

// dateText shows a stored date or a dash.
func dateText(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// plural counts: "1 file", "3 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
