package auditpack

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/annex-grc/annex/assessments"
)

// EvidenceDir is the pack folder of evidence files: evidence/<evidence id>/<file name>.
const EvidenceDir = "evidence"

// partArtefacts lists the parts' files.
func partArtefacts(opt Options) []artefact {
	list := []artefact{
		{"risk register", riskRegisterFiles},
		{"risk treatment plan", one("risk-treatment-plan.csv", RiskTreatmentPlanCSV)},
		{"AI systems and impact assessments", aiFiles},
		{"evidence index", one("evidence-index.csv", EvidenceIndexCSV)},
		{"custom catalogs", customCatalogFiles},
		{"internal audits", auditFiles},
		{"findings", findingsFiles},
	}
	if opt.WithEvidenceFiles {
		list = append(list, artefact{"evidence files", evidenceFiles})
	}
	return list
}

// levelOf names the matrix level of a score ("" when not scored) and its 0..4 colour.
func levelOf(m assessments.Matrix, s assessments.Score) (string, int) {
	if !s.Set() {
		return "", -1
	}
	l, ok := m.LevelOf(s)
	if !ok {
		return "", -1
	}
	return l.Name, l.Colour()
}

func scoreText(s assessments.Score) (string, string) {
	if !s.Set() {
		return "", ""
	}
	return strconv.Itoa(s.Likelihood), strconv.Itoa(s.Consequence)
}

var riskHeader = []string{"Ref", "Title", "Scope", "Status", "Owner", "Risk source", "Threat", "Vulnerability", "Scenario", "Asset", "AI system",
	"Properties", "Annex C objectives", "Annex C risk sources", "Consequences (organisation)", "Consequences (individuals)", "Consequences (society)",
	"Inherent likelihood", "Inherent consequence", "Inherent level", "Existing controls", "Treatment", "Treatment plan", "Linked controls",
	"Residual likelihood", "Residual consequence", "Residual level", "Accepted by", "Accepted on", "Acceptance rationale", "Acceptance stale",
	"Review date", "Description"}

// riskRows is the register as cells, with the colour index of the inherent and residual
// level for the workbook.
func riskRows(d *Data) ([][]string, [][2]int) {
	p := d.Parts
	var rows [][]string
	var colours [][2]int
	for _, r := range p.Risks {
		il, ic := scoreText(r.Inherent)
		rl, rc := scoreText(r.Residual)
		iname, icol := levelOf(p.Matrix, r.Inherent)
		rname, rcol := levelOf(p.Matrix, r.Residual)
		var controls []string
		for _, c := range r.Controls {
			controls = append(controls, d.controlLabel(c.Standard, c.Ref))
		}
		var by, on, why, stale string
		if a := r.Acceptance; a != nil {
			by, on, why = a.By, a.Date, a.Rationale
			if r.AcceptanceStale() {
				stale = "yes: residual changed since"
			}
		}
		treatment := ""
		if r.Treatment != "" {
			treatment = r.Treatment.Label()
		}
		rows = append(rows, []string{r.Ref, r.Title, r.Scope.Label(), r.EffectiveStatus().Label(), r.Owner, r.Source, r.Threat, r.Vulnerability,
			r.Scenario, r.Asset, p.systemName[r.AISystemID], strings.Join(r.Properties, ", "), strings.Join(r.Objectives, ", "),
			strings.Join(r.Sources, ", "), r.ConsequenceOrg, r.ConsequenceIndividuals, r.ConsequenceSociety, il, ic, iname,
			r.ExistingControls, treatment, r.TreatmentPlan, strings.Join(controls, ", "), rl, rc, rname, by, on, why, stale, r.ReviewDate, r.Description})
		colours = append(colours, [2]int{icol, rcol})
	}
	return rows, colours
}

// controlLabel is "ISO 27001 A.5.1" for a requirement.
func (d *Data) controlLabel(std, ref string) string {
	if c, ok := d.Catalogs.Get(std); ok {
		return c.Short + " " + ref
	}
	return std + " " + ref
}

func riskRegisterFiles(d *Data) ([]File, error) {
	rows, colours := riskRows(d)
	csv, err := writeCSV(riskHeader, rows)
	if err != nil {
		return nil, err
	}
	wb, err := newWorkbook("Risk register — "+d.Engagement.Name, d.At)
	if err != nil {
		return nil, err
	}
	t := table{Name: "Risk register", Header: riskHeader}
	for i := range riskHeader {
		w := 18.0
		switch i {
		case 0:
			w = 8
		case 1, 22, 32:
			w = 40
		case 17, 18, 24, 25:
			w = 10
		}
		t.Widths = append(t.Widths, w)
	}
	for _, r := range rows {
		row := make([]any, len(r))
		for i, c := range r {
			if n, err := strconv.Atoi(c); err == nil && (i == 17 || i == 18 || i == 24 || i == 25) {
				row[i] = n
			} else {
				row[i] = c
			}
		}
		t.Rows = append(t.Rows, row)
	}
	t.Styles = func(i int) map[int]int {
		st := map[int]int{}
		if c := colours[i][0]; c >= 0 {
			st[19] = wb.level[c]
		}
		if c := colours[i][1]; c >= 0 {
			st[26] = wb.level[c]
		}
		return st
	}
	if err := wb.sheet(t); err != nil {
		return nil, err
	}
	for _, hm := range heatMaps(d) {
		if err := wb.sheet(heatTable(wb, d.Parts.Matrix, hm)); err != nil {
			return nil, err
		}
	}
	if err := wb.sheet(planTable(wb, planSheetRows(d))); err != nil {
		return nil, err
	}
	x, err := wb.bytes()
	if err != nil {
		return nil, err
	}
	return []File{{Path: "risk-register.csv", Data: csv}, {Path: "risk-register.xlsx", Data: x}}, nil
}

// HeatMap counts risks per cell of the matrix.
type HeatMap struct {
	Title  string
	Counts [][]int // [likelihood-1][consequence-1]
	Total  int
}

// heatMaps are the inherent and residual heat maps of the register (residual uses the
// inherent score for risks not yet re-scored).
func heatMaps(d *Data) []HeatMap {
	m := d.Parts.Matrix
	mk := func(title string, score func(assessments.Risk) assessments.Score) HeatMap {
		h := HeatMap{Title: title, Counts: make([][]int, m.Size)}
		for i := range h.Counts {
			h.Counts[i] = make([]int, m.Size)
		}
		for _, r := range d.Parts.Risks {
			if r.EffectiveStatus() == assessments.RiskClosed {
				continue
			}
			s := score(r)
			if s.Likelihood >= 1 && s.Likelihood <= m.Size && s.Consequence >= 1 && s.Consequence <= m.Size {
				h.Counts[s.Likelihood-1][s.Consequence-1]++
				h.Total++
			}
		}
		return h
	}
	return []HeatMap{mk("Inherent risk", func(r assessments.Risk) assessments.Score { return r.Inherent }),
		mk("Residual risk", func(r assessments.Risk) assessments.Score { return r.EffectiveResidual() })}
}

func heatTable(wb *workbook, m assessments.Matrix, h HeatMap) table {
	t := table{Name: sheetName(h.Title), Header: []string{"Likelihood \\ consequence"}, NoFrame: true, Widths: []float64{26}}
	for c := 0; c < m.Size; c++ {
		t.Header = append(t.Header, fmt.Sprintf("%d %s", c+1, m.ConsequenceLabels[c]))
		t.Widths = append(t.Widths, 14)
	}
	for l := m.Size; l >= 1; l-- {
		row := []any{fmt.Sprintf("%d %s", l, m.LikelihoodLabels[l-1])}
		for c := 1; c <= m.Size; c++ {
			row = append(row, h.Counts[l-1][c-1])
		}
		t.Rows = append(t.Rows, row)
	}
	t.Styles = func(i int) map[int]int {
		l := m.Size - i
		st := map[int]int{}
		for c := 1; c <= m.Size; c++ {
			if lv, ok := m.Level(l, c); ok {
				st[c] = wb.level[lv.Colour()]
			}
		}
		return st
	}
	return t
}

var aiHeader = []string{"Name", "Purpose", "Type", "Roles", "Life-cycle stage", "Personal data", "Data sources", "Data categories",
	"Deployment context", "Jurisdictions", "Users", "Affected people", "Automation", "Human oversight", "Third-party models or services", "Owner",
	"Assessment versions", "Latest version", "Latest state", "Impact class", "Decision by", "Decision date", "Next review", "Review overdue"}

func aiFiles(d *Data) ([]File, error) {
	p := d.Parts
	var rows [][]string
	var files []File
	used := map[string]bool{}
	for _, sys := range p.AISystems {
		// Names are unique per engagement, their file-name forms need not be.
		stem := slug(sys.Name, 40)
		if used[stem] {
			stem += "-" + strings.ReplaceAll(sys.ID, "-", "")[:12]
		}
		used[stem] = true
		latest, inForce := p.latest(sys.ID)
		personal := "no"
		if sys.PersonalData {
			personal = "yes"
		}
		row := []string{sys.Name, sys.Purpose, sys.Type, assessments.RolesLabel(sys.Roles), sys.Stage.Label(), personal, sys.DataSources, sys.DataCategories,
			sys.DeploymentContext, sys.Jurisdictions, sys.Users, sys.AffectedPeople, sys.Automation.Label(), sys.HumanOversight, sys.ThirdParty, sys.Owner,
			strconv.Itoa(len(p.Assessments[sys.ID]))}
		if latest != nil {
			row = append(row, strconv.Itoa(latest.Version), latest.State().Label(), string(latest.Class()), latest.Approver, latest.DecisionDate)
		} else {
			row = append(row, "", "not assessed", "", "", "")
		}
		next, overdue := "", ""
		if inForce != nil {
			next = inForce.NextReview()
			if inForce.ReviewOverdue(d.At) {
				overdue = "yes"
			}
		}
		rows = append(rows, append(append(row, next, overdue), aiCSVColumns(d, sys, latest)...))
		list := append([]assessments.ImpactAssessment(nil), p.Assessments[sys.ID]...)
		sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
		for _, a := range list {
			files = append(files, File{Path: fmt.Sprintf("impact-assessments/%s-v%d.md", stem, a.Version), Data: impactMarkdown(d, sys, a)})
		}
		files = append(files, aiActFiles(d, sys, stem)...)
	}
	csv, err := writeCSV(append(append([]string(nil), aiHeader...), aiCSVHeader...), rows)
	if err != nil {
		return nil, err
	}
	return append(files, File{Path: "ai-systems.csv", Data: csv}), nil
}

// mdEscape keeps user text from turning into Markdown structure or HTML when rendered.
func mdEscape(s string) string {
	return mdEscaper.Replace(strings.ReplaceAll(s, "\r\n", "\n"))
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`, "|", `\|`)

func mdPara(s string) string {
	if strings.TrimSpace(s) == "" {
		return "_Not recorded._"
	}
	return mdEscape(s)
}

// impactMarkdown is one version of an impact assessment as a readable Markdown file.
func impactMarkdown(d *Data, sys assessments.AISystem, a assessments.ImpactAssessment) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# AI system impact assessment: %s, version %d\n\n", mdEscape(sys.Name), a.Version)
	w("| | |\n|---|---|\n")
	w("| Engagement | %s |\n", mdEscape(d.Engagement.Name))
	w("| State | %s |\n", a.State().Label())
	w("| Impact class | %s |\n", mdEscape(a.ClassExplained()))
	if a.ClassOverride != "" {
		w("| Class set by hand | %s: %s |\n", a.ClassOverride, mdEscape(oneLine(a.OverrideReason)))
	}
	w("| Trigger | %s |\n", orDash(a.Trigger.Label()))
	w("| Assessors | %s |\n", mdEscape(orDash(a.Assessors)))
	w("| Next review | %s |\n", orDash(a.NextReview()))
	if a.Frozen() {
		w("| Decision | %s by %s on %s |\n", a.Decision.Label(), mdEscape(a.Approver), a.DecisionDate)
	}
	sections := []struct{ title, text string }{
		{"Scope", a.Scope}, {"Trigger note", a.TriggerNote}, {"Purpose", a.Purpose}, {"Intended uses", a.IntendedUses},
		{"Reasonably foreseeable misuse", a.Misuse}, {"Failure modes", a.FailureModes},
		{"Data sources", a.DataSources}, {"Data provenance", a.DataProvenance}, {"Data quality", a.DataQuality}, {"Known bias", a.KnownBias},
		{"Model", a.ModelKind}, {"Model provider", a.ModelProvider}, {"How the model changes", a.ModelChanges},
		{"Geography", a.Geography}, {"Languages", a.Languages}, {"Jurisdictions", a.Jurisdictions}, {"Deployment context", a.DeploymentContext},
		{"Interested parties", a.InterestedParties}, {"Vulnerable groups", a.VulnerableGroups},
	}
	for _, s := range sections {
		w("\n## %s\n\n%s\n", s.title, mdPara(s.text))
	}
	w("\n## Impacts\n\n| Area | Effect | Severity | Likelihood | Class before | Class after | Rule | Reversibility | Scale |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, area := range assessments.ImpactAreas {
		im := a.Impact(area)
		w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", area.Label(), orDash(im.Effect.Label()), rating(im.Severity), rating(im.Likelihood),
			orDash(string(im.InherentClass())), orDash(string(im.ResidualClass())), orDash(im.ResidualHarm().Cite()), orDash(im.Reversibility.Label()), orDash(im.Scale.Label()))
	}
	w("\nClasses follow annex's class rules (severity, likelihood, reversibility and scale), listed with their reasons in the report.\n")
	for _, area := range assessments.ImpactAreas {
		im := a.Impact(area)
		if strings.TrimSpace(im.Description) == "" && len(im.Measures) == 0 && strings.TrimSpace(im.MeasuresNote) == "" {
			continue
		}
		w("\n### %s\n\n%s\n", area.Label(), mdPara(im.Description))
		if len(im.Measures) > 0 || im.MeasuresNote != "" {
			var ms []string
			for _, m := range im.Measures {
				ms = append(ms, d.controlLabel(m.Standard, m.Ref))
			}
			w("\nMeasures: %s. %s\n", orDash(strings.Join(ms, ", ")), mdEscape(im.MeasuresNote))
		}
		for _, l := range d.Parts.ImpactLinks[a.ID] {
			if l.Area == area {
				if r, ok := d.Parts.riskByID[l.RiskID]; ok {
					w("\nRisk raised: %s %s\n", r.Ref, mdEscape(r.Title))
				}
			}
		}
	}
	if a.Frozen() {
		w("\n## Decision\n\n%s by %s on %s.\n\n%s\n", a.Decision.Label(), mdEscape(a.Approver), a.DecisionDate, mdPara(a.Rationale))
		if a.Conditions != "" {
			w("\nConditions: %s\n", mdEscape(a.Conditions))
		}
	}
	return []byte(b.String())
}

func rating(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", " "), "\n", " ")
}

var evidenceHeader = []string{"Id", "Title", "Kind", "State on the pack date", "Collected on", "Collected by", "Valid until", "File path", "SHA-256",
	"Size (bytes)", "URL", "Last integrity check", "Requirements", "Risks", "Impact assessments", "File in this pack", "Description"}

// EvidenceIndexCSV lists every evidence item with its file hash and what it supports.
func EvidenceIndexCSV(d *Data) ([]byte, error) {
	p := d.Parts
	iaName := map[string]string{}
	for _, list := range p.Assessments {
		for _, a := range list {
			iaName[a.ID] = fmt.Sprintf("%s v%d", p.systemName[a.AISystemID], a.Version)
		}
	}
	var rows [][]string
	zipPaths := evidenceZipPaths(d)
	var all []string
	for _, e := range p.Evidence {
		if e.Path != "" {
			all = append(all, e.Path)
		}
	}
	rel := relativeEvidencePaths(all)
	for _, e := range p.Evidence {
		var reqs, risks, ias []string
		for _, l := range e.Links {
			switch l.Target {
			case assessments.LinkRequirement:
				reqs = append(reqs, d.controlLabel(l.Standard, l.Ref))
			case assessments.LinkRisk:
				if r, ok := p.riskByID[l.Ref]; ok {
					risks = append(risks, r.Ref)
				}
			case assessments.LinkImpactAssessment:
				if n, ok := iaName[l.Ref]; ok {
					ias = append(ias, n)
				}
			}
		}
		size := ""
		if e.Path != "" {
			size = strconv.FormatInt(e.Size, 10)
		}
		check := string(e.Integrity)
		if check == "" {
			check = "never checked"
		}
		if !e.CheckedAt.IsZero() {
			check += " on " + e.CheckedAt.UTC().Format(assessments.DateLayout)
		}
		if e.CheckDetail != "" {
			check += ": " + e.CheckDetail
		}
		inPack := zipPaths[e.ID]
		path := e.Path
		if !d.AbsolutePaths {
			path = rel[e.Path]
		}
		rows = append(rows, []string{e.ID, e.Title, string(e.Kind), e.StateAt(d.At).Label(), e.CollectedOn, e.CollectedBy, e.ValidUntil, path, e.SHA256,
			size, e.URL, check, strings.Join(reqs, ", "), strings.Join(risks, ", "), strings.Join(ias, ", "), inPack, e.Description})
	}
	return writeCSV(evidenceHeader, rows)
}

// evidencePath is where a kept file goes in the pack: its base name made portable.
func evidencePath(id, name string) string {
	base := name
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if base == "." || base == ".." {
		base = ""
	}
	return EvidenceDir + "/" + portableName(id) + "/" + portableName(base)
}

func evidenceFiles(d *Data) ([]File, error) {
	var out []File
	paths := evidenceZipPaths(d)
	for _, e := range d.Parts.Evidence {
		if b, ok := d.Parts.Blobs[e.ID]; ok {
			out = append(out, File{Path: paths[e.ID], Data: b.Data})
		}
	}
	return out, nil
}

// customCatalogFiles puts the source of each imported catalog in scope under catalogs/, as
// it was imported: a receiving workspace runs `annex catalog import` on it before importing
// the engagement.
func customCatalogFiles(d *Data) ([]File, error) {
	var out []File
	for _, std := range d.Engagement.Standards {
		if src, ok := d.Parts.CustomCatalogs[std]; ok {
			out = append(out, File{Path: "catalogs/" + slug(std, 64) + ".yaml", Data: src})
		}
	}
	return out, nil
}
