package auditpack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Progress between baselines: progress.json and progress.csv in the pack, and the report's
// "Progress since <last baseline>" section with its trend chart. `annex baseline diff`
// writes the same JSON and CSV shapes (ComparisonJSON, ProgressCSV).

// ProgressFormat names the progress.json format.
const ProgressFormat = "annex-progress/1"

// Baselines is what a pack knows of the engagement's baselines.
type Baselines struct {
	Baselines []store.Baseline
	// Trend has one point per baseline (in history order) and the pack's moment last.
	Trend []assessments.TrendPoint
	// Since is the comparison of the latest baseline (not a cycle start) with the pack's
	// moment; nil without a baseline.
	Since     *assessments.Comparison
	SinceName string
}

// loadProgress reads the baselines, the trend across them, and rebuilds the latest baseline
// to compare it with the engagement as the pack shows it.
func loadProgress(ctx context.Context, s *store.Store, d *Data) error {
	list, err := s.Baselines(ctx, d.Engagement.ID)
	if err != nil {
		return err
	}
	p := &Baselines{Baselines: list}
	d.Baselines = p
	now := d.Snapshot()
	if len(list) > 0 {
		seqs := make([]int64, len(list))
		for i, b := range list {
			seqs[i] = b.Seq
		}
		points, err := s.StatusesAt(ctx, d.Engagement.ID, seqs)
		if err != nil {
			return err
		}
		for i, pt := range points {
			if list[i].IsCycle() {
				continue // a cycle starts from a baseline already in the trend
			}
			p.Trend = append(p.Trend, assessments.TrendPoint{Name: list[i].Name, At: list[i].At,
				Readiness: assessments.ReadinessAt(d.Catalogs, pt.Standards, pt.Statuses)})
		}
		var last *store.Baseline
		for i := range list {
			if !list[i].IsCycle() {
				last = &list[i]
			}
		}
		if last != nil {
			st, err := s.BaselineState(ctx, *last)
			if err != nil {
				return fmt.Errorf("rebuild baseline %q: %w", last.Name, err)
			}
			c := assessments.Compare(d.Catalogs, st.Snapshot, now)
			p.Since, p.SinceName = &c, last.Name
		}
	}
	statuses := map[string]map[string]assessments.Status{}
	for std, byRef := range d.Results {
		statuses[std] = map[string]assessments.Status{}
		for ref, r := range byRef {
			statuses[std][ref] = r.EffectiveStatus()
		}
	}
	p.Trend = append(p.Trend, assessments.TrendPoint{Name: "now", At: d.At,
		Readiness: assessments.ReadinessAt(d.Catalogs, d.Engagement.Standards, statuses)})
	return nil
}

// Snapshot is the engagement as the pack shows it.
func (d *Data) Snapshot() assessments.Snapshot {
	s := assessments.Snapshot{At: d.At, Engagement: d.Engagement, Results: d.Results, Matrix: d.Parts.Matrix,
		Risks: d.Parts.Risks, AISystems: d.Parts.AISystems, Evidence: d.Parts.Evidence}
	for _, sys := range d.Parts.AISystems {
		s.Assessments = append(s.Assessments, d.Parts.Assessments[sys.ID]...)
	}
	return s
}

// PointJSON names a moment compared: a baseline, or now.
type PointJSON struct {
	Name string `json:"name"`
	At   string `json:"at"`
	// Seq and Hash are the baseline's anchor in the change history (absent for now).
	Seq  int64  `json:"seq,omitempty"`
	Hash string `json:"hash,omitempty"`
	Kind string `json:"kind,omitempty"`
}

// FigureJSON is a readiness and evidenced figure at both moments, in percent.
type FigureJSON struct {
	Group             string  `json:"group,omitempty"`
	Title             string  `json:"title,omitempty"`
	ReadinessFrom     float64 `json:"readiness_from"`
	ReadinessTo       float64 `json:"readiness_to"`
	ReadinessDelta    float64 `json:"readiness_delta"`
	EvidencedFrom     float64 `json:"evidenced_from"`
	EvidencedTo       float64 `json:"evidenced_to"`
	EvidencedDelta    float64 `json:"evidenced_delta"`
	ApplicableFrom    int     `json:"applicable_from"`
	ApplicableTo      int     `json:"applicable_to"`
	ImplementedFrom   int     `json:"implemented_from"`
	ImplementedTo     int     `json:"implemented_to"`
	NotInScopeAtFirst bool    `json:"not_in_scope_at_first,omitempty"`
}

// StandardProgressJSON is one standard's progress.
type StandardProgressJSON struct {
	Standard string         `json:"standard"`
	Name     string         `json:"name"`
	Total    FigureJSON     `json:"total"`
	Groups   []FigureJSON   `json:"groups"`
	Counts   map[string]int `json:"counts"`
}

// RequirementChangeJSON is one requirement at both moments.
type RequirementChangeJSON struct {
	Standard   string `json:"standard"`
	Ref        string `json:"ref"`
	Title      string `json:"title"`
	Class      string `json:"class"`
	From       string `json:"from"`
	To         string `json:"to"`
	OwnerFrom  string `json:"owner_from"`
	OwnerTo    string `json:"owner_to"`
	TargetFrom string `json:"target_from"`
	TargetTo   string `json:"target_to"`
}

// ComparisonJSON is `annex baseline diff --json` and the "since" part of progress.json.
type ComparisonJSON struct {
	From         PointJSON               `json:"from"`
	To           PointJSON               `json:"to"`
	Summary      map[string]int          `json:"summary"`
	Standards    []StandardProgressJSON  `json:"standards"`
	Filter       string                  `json:"filter,omitempty"`
	Requirements []RequirementChangeJSON `json:"requirements"`
	Risks        []riskChangeJSON        `json:"risks"`
	Evidence     []evidenceChangeJSON    `json:"evidence"`
	Approvals    []impactApprovalJSON    `json:"impact_assessments_approved"`
}

type riskChangeJSON struct {
	Kind      string `json:"kind"`
	Ref       string `json:"ref"`
	Title     string `json:"title"`
	FromLevel string `json:"from_level,omitempty"`
	ToLevel   string `json:"to_level,omitempty"`
}

type evidenceChangeJSON struct {
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

type impactApprovalJSON struct {
	System   string `json:"system"`
	Version  int    `json:"version"`
	Decision string `json:"decision"`
	Date     string `json:"date"`
}

// roundDelta rounds to one decimal, negative values too.
func roundDelta(f float64) float64 { return math.Round(f*10) / 10 }

func figureJSON(f assessments.FigureChange) FigureJSON {
	return FigureJSON{Group: f.ID, Title: f.Title,
		ReadinessFrom: roundDelta(f.From.Percent()), ReadinessTo: roundDelta(f.To.Percent()), ReadinessDelta: roundDelta(f.ReadinessDelta()),
		EvidencedFrom: roundDelta(f.EvFrom.Percent()), EvidencedTo: roundDelta(f.EvTo.Percent()), EvidencedDelta: roundDelta(f.EvidencedDelta()),
		ApplicableFrom: f.From.Applicable, ApplicableTo: f.To.Applicable,
		ImplementedFrom: f.From.Counts[assessments.Implemented], ImplementedTo: f.To.Counts[assessments.Implemented],
		NotInScopeAtFirst: !f.InScopeBefore}
}

// PointOf describes a baseline (nil: now, at).
func PointOf(b *store.Baseline, at time.Time) PointJSON {
	if b == nil {
		return PointJSON{Name: "now", At: at.UTC().Format(time.RFC3339)}
	}
	return PointJSON{Name: b.Name, At: b.At.UTC().Format(time.RFC3339), Seq: b.Seq, Hash: b.Hash, Kind: b.Kind}
}

// ComparisonDoc turns a comparison into its JSON shape; only, when not empty, keeps the
// requirements of those classes.
func ComparisonDoc(c assessments.Comparison, from, to PointJSON, only ...assessments.ChangeClass) ComparisonJSON {
	out := ComparisonJSON{From: from, To: to, Summary: map[string]int{}, Standards: []StandardProgressJSON{},
		Requirements: []RequirementChangeJSON{}, Risks: []riskChangeJSON{}, Evidence: []evidenceChangeJSON{}, Approvals: []impactApprovalJSON{}}
	for _, cl := range assessments.ChangeClasses {
		out.Summary[string(cl)] = c.Count(cl)
	}
	var names []string
	for _, cl := range only {
		names = append(names, string(cl))
	}
	out.Filter = strings.Join(names, ",")
	for _, sp := range c.Standards {
		sj := StandardProgressJSON{Standard: sp.Standard, Name: sp.Name, Total: figureJSON(sp.Total), Groups: []FigureJSON{}, Counts: map[string]int{}}
		for _, g := range sp.Groups {
			sj.Groups = append(sj.Groups, figureJSON(g))
		}
		for cl, n := range sp.Counts {
			sj.Counts[string(cl)] = n
		}
		out.Standards = append(out.Standards, sj)
	}
	for _, r := range FilterChanges(c.Requirements, only...) {
		out.Requirements = append(out.Requirements, RequirementChangeJSON{Standard: r.Standard, Ref: r.Ref, Title: r.Title, Class: string(r.Class),
			From: string(r.From), To: string(r.To), OwnerFrom: r.OwnerFrom, OwnerTo: r.OwnerTo, TargetFrom: r.TargetFrom, TargetTo: r.TargetTo})
	}
	for _, r := range c.Risks {
		out.Risks = append(out.Risks, riskChangeJSON{Kind: r.Kind, Ref: r.Ref, Title: r.Title, FromLevel: r.FromLevel, ToLevel: r.ToLevel})
	}
	for _, e := range c.Evidence {
		out.Evidence = append(out.Evidence, evidenceChangeJSON{Kind: e.Kind, Title: e.Title, Detail: e.Detail})
	}
	for _, a := range c.Approvals {
		out.Approvals = append(out.Approvals, impactApprovalJSON{System: a.System, Version: a.Version, Decision: string(a.Decision), Date: a.Date})
	}
	return out
}

// FilterChanges keeps the requirements of the classes given (all when none is given).
func FilterChanges(list []assessments.RequirementChange, only ...assessments.ChangeClass) []assessments.RequirementChange {
	if len(only) == 0 {
		return list
	}
	keep := map[assessments.ChangeClass]bool{}
	for _, c := range only {
		keep[c] = true
	}
	var out []assessments.RequirementChange
	for _, r := range list {
		if keep[r.Class] {
			out = append(out, r)
		}
	}
	return out
}

var progressHeader = []string{"Standard", "Ref", "Title", "Change", "Status then", "Status now", "Owner then", "Owner now", "Target then", "Target now"}

// ProgressCSV lists requirements with their change between two moments, one per line.
func ProgressCSV(set *catalogs.Set, list []assessments.RequirementChange) ([]byte, error) {
	rows := make([][]string, len(list))
	for i, r := range list {
		std := r.Standard
		if c, ok := set.Get(r.Standard); ok {
			std = c.Short
		}
		rows[i] = []string{std, r.Ref, r.Title, string(r.Class), r.From.Label(), r.To.Label(), r.OwnerFrom, r.OwnerTo, r.TargetFrom, r.TargetTo}
	}
	return writeCSV(progressHeader, rows)
}

// progressJSON is progress.json.
type progressJSON struct {
	Format     string          `json:"format"`
	Engagement string          `json:"engagement"`
	At         string          `json:"at"`
	Baselines  []baselineJSON  `json:"baselines"`
	Trend      []trendJSON     `json:"trend"`
	Since      *ComparisonJSON `json:"since"`
}

type baselineJSON struct {
	PointJSON
	By string `json:"by"`
	// From is, for a cycle start, the name of the baseline it starts from.
	From string `json:"from,omitempty"`
}

type trendJSON struct {
	Name      string             `json:"name"`
	At        string             `json:"at"`
	Readiness map[string]float64 `json:"readiness"`
}

// ProgressJSON is progress.json: the baselines with their anchors, the readiness trend across
// them, and what moved since the latest baseline.
func ProgressJSON(d *Data) ([]byte, error) {
	p := d.Baselines
	if p == nil {
		p = &Baselines{}
	}
	doc := progressJSON{Format: ProgressFormat, Engagement: d.Engagement.ID, At: d.At.UTC().Format(time.RFC3339),
		Baselines: []baselineJSON{}, Trend: []trendJSON{}}
	names := map[string]string{}
	for _, b := range p.Baselines {
		names[b.ID] = b.Name
	}
	for i := range p.Baselines {
		b := p.Baselines[i]
		doc.Baselines = append(doc.Baselines, baselineJSON{PointJSON: PointOf(&b, b.At), By: b.By, From: names[b.FromID]})
	}
	for _, t := range p.Trend {
		tj := trendJSON{Name: t.Name, At: t.At.UTC().Format(time.RFC3339), Readiness: map[string]float64{}}
		for std, r := range t.Readiness {
			tj.Readiness[std] = roundDelta(r.Percent())
		}
		doc.Trend = append(doc.Trend, tj)
	}
	if p.Since != nil {
		var from PointJSON
		for i := range p.Baselines {
			if p.Baselines[i].Name == p.SinceName {
				from = PointOf(&p.Baselines[i], p.Baselines[i].At)
			}
		}
		c := ComparisonDoc(*p.Since, from, PointOf(nil, d.At))
		doc.Since = &c
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// progressCSVFile is progress.csv: every requirement since the latest baseline (empty, with
// its header, without one).
func progressCSVFile(d *Data) ([]byte, error) {
	var list []assessments.RequirementChange
	if d.Baselines != nil && d.Baselines.Since != nil {
		list = d.Baselines.Since.Requirements
	}
	return ProgressCSV(d.Catalogs, list)
}

// progressArtefacts are the pack's progress files.
func progressArtefacts() []artefact {
	return []artefact{
		{"progress", func(d *Data) ([]File, error) {
			j, err := ProgressJSON(d)
			if err != nil {
				return nil, fmt.Errorf("progress.json: %w", err)
			}
			c, err := progressCSVFile(d)
			if err != nil {
				return nil, fmt.Errorf("progress.csv: %w", err)
			}
			return []File{{Path: "progress.json", Data: j}, {Path: "progress.csv", Data: c}}, nil
		}},
	}
}

// ---- the report's section ----

// trendChart is the readiness trend drawn as lines, one per standard, over the baselines
// and now; coordinates in the chart's own units.
type trendChart struct {
	W, H   int
	Left   int
	Top    int
	PlotW  int
	PlotH  int
	Lines  []trendLine
	XTicks []chartTick
	YTicks []chartTick
}

type trendLine struct {
	Name   string
	Colour string
	Points string // SVG polyline points
	Dots   []chartDot
}

type chartDot struct {
	X, Y  float64
	Label string
}

type chartTick struct {
	X, Y float64
	Text string
}

var trendColours = []string{"#0550ae", "#8250df", "#1a7f37", "#bc4c00"}

// chartOf lays the trend out on a w×h chart.
func chartOf(set *catalogs.Set, e assessments.Engagement, trend []assessments.TrendPoint, w, h int) trendChart {
	c := trendChart{W: w, H: h, Left: 40, Top: 12}
	c.PlotW, c.PlotH = w-c.Left-16, h-c.Top-40
	n := len(trend)
	x := func(i int) float64 {
		if n == 1 {
			return float64(c.Left + c.PlotW/2)
		}
		return float64(c.Left) + float64(i)*float64(c.PlotW)/float64(n-1)
	}
	y := func(pct float64) float64 { return float64(c.Top) + float64(c.PlotH)*(1-pct/100) }
	for _, v := range []float64{0, 25, 50, 75, 100} {
		c.YTicks = append(c.YTicks, chartTick{X: float64(c.Left - 6), Y: y(v), Text: fmt.Sprintf("%.0f%%", v)})
	}
	for i, t := range trend {
		label := t.Name
		if r := []rune(label); len(r) > 18 {
			label = string(r[:17]) + "…"
		}
		c.XTicks = append(c.XTicks, chartTick{X: x(i), Y: float64(c.Top + c.PlotH + 14), Text: label},
			chartTick{X: x(i), Y: float64(c.Top + c.PlotH + 27), Text: t.At.UTC().Format(assessments.DateLayout)})
	}
	for si, std := range e.Standards {
		cat, ok := set.Get(std)
		if !ok {
			continue
		}
		l := trendLine{Name: cat.Short, Colour: trendColours[si%len(trendColours)]}
		var pts []string
		for i, t := range trend {
			r, ok := t.Readiness[std]
			if !ok {
				continue
			}
			px, py := x(i), y(r.Percent())
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
			l.Dots = append(l.Dots, chartDot{X: px, Y: py, Label: fmt.Sprintf("%s at %s: %.0f%%", cat.Short, t.Name, r.Percent())})
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	return c
}

// progressView is the report section's data.
type progressView struct {
	Since      string
	SinceAt    string
	Chart      trendChart
	Standards  []progressStandardView
	Improved   []progressLine
	Regressed  []progressLine
	New        int
	Unchanged  int
	Risks      []assessments.RiskChange
	Evidence   []assessments.EvidenceChange
	Approvals  []assessments.ImpactApproval
	MoreImpr   int
	HasChanges bool
}

type progressStandardView struct {
	Name                           string
	From, To, Delta                string
	EvFrom, EvTo, EvDelta          string
	Improved, Regressed, New, Same int
}

type progressLine struct {
	Item, Title, From, To, Owner string
}

const maxImprovedListed = 40

// signed is the change between two shares as printed (rounded): "+12", "-3", "±0".
func signed(from, to float64) string {
	f := math.Round(to) - math.Round(from)
	if f == 0 {
		return "±0"
	}
	return fmt.Sprintf("%+.0f", f)
}

func pctText(f float64) string { return fmt.Sprintf("%.0f%%", f) }

func buildProgressView(d *Data) (progressView, bool) {
	p := d.Baselines
	if p == nil || p.Since == nil {
		return progressView{}, false
	}
	c := p.Since
	v := progressView{Since: p.SinceName, Chart: chartOf(d.Catalogs, d.Engagement, p.Trend, 640, 220)}
	for _, b := range p.Baselines {
		if b.Name == p.SinceName {
			v.SinceAt = b.At.UTC().Format(assessments.DateLayout)
		}
	}
	for _, sp := range c.Standards {
		v.Standards = append(v.Standards, progressStandardView{Name: sp.Name,
			From: pctText(sp.Total.From.Percent()), To: pctText(sp.Total.To.Percent()), Delta: signed(sp.Total.From.Percent(), sp.Total.To.Percent()),
			EvFrom: pctText(sp.Total.EvFrom.Percent()), EvTo: pctText(sp.Total.EvTo.Percent()), EvDelta: signed(sp.Total.EvFrom.Percent(), sp.Total.EvTo.Percent()),
			Improved: sp.Counts[assessments.Improved], Regressed: sp.Counts[assessments.Regressed], New: sp.Counts[assessments.New], Same: sp.Counts[assessments.Unchanged]})
	}
	line := func(r assessments.RequirementChange) progressLine {
		owner := r.OwnerTo
		if r.OwnerChanged() {
			owner = firstNonEmpty(r.OwnerFrom, "—") + " → " + firstNonEmpty(r.OwnerTo, "—")
		}
		return progressLine{Item: r.Short + " " + r.Ref, Title: r.Title, From: r.From.Label(), To: r.To.Label(), Owner: owner}
	}
	for _, r := range c.Of(assessments.Regressed) {
		v.Regressed = append(v.Regressed, line(r))
	}
	for _, r := range c.Of(assessments.Improved) {
		if len(v.Improved) == maxImprovedListed {
			v.MoreImpr++
			continue
		}
		v.Improved = append(v.Improved, line(r))
	}
	v.New, v.Unchanged = c.Count(assessments.New), c.Count(assessments.Unchanged)
	v.Risks, v.Evidence, v.Approvals = c.Risks, c.Evidence, c.Approvals
	v.HasChanges = len(v.Improved)+len(v.Regressed)+v.New+len(v.Risks)+len(v.Evidence)+len(v.Approvals) > 0
	return v, true
}

const progressHTML = `<section id="progress">
<h2>Progress since {{.Since}}</h2>
<p class="muted">Baseline “{{.Since}}” was frozen on {{.SinceAt}}; it is rebuilt exactly from the change history and compared with the engagement as this report shows it.</p>
<svg class="trend" width="100%" viewBox="0 0 {{.Chart.W}} {{.Chart.H}}" role="img" aria-label="Readiness per standard across the baselines">
<title>Readiness trend</title>
{{range .Chart.YTicks}}<line x1="{{$.Chart.Left}}" x2="{{add $.Chart.Left $.Chart.PlotW}}" y1="{{f1 .Y}}" y2="{{f1 .Y}}" stroke="#d0d7de" stroke-width="0.5"/><text x="{{f1 .X}}" y="{{f1 .Y}}" dy="3" text-anchor="end" font-size="9" fill="#57606a">{{.Text}}</text>
{{end}}{{range .Chart.XTicks}}<text x="{{f1 .X}}" y="{{f1 .Y}}" text-anchor="middle" font-size="9" fill="#57606a">{{.Text}}</text>
{{end}}{{range .Chart.Lines}}<polyline points="{{.Points}}" fill="none" stroke="{{.Colour}}" stroke-width="2"/>
{{$c := .Colour}}{{range .Dots}}<circle cx="{{f1 .X}}" cy="{{f1 .Y}}" r="3" fill="{{$c}}"><title>{{.Label}}</title></circle>
{{end}}{{end}}</svg>
<div class="legend">{{range .Chart.Lines}}<span><i style="background:{{.Colour}}"></i>{{.Name}} readiness</span>{{end}}</div>
<table>
<thead><tr><th>Standard</th><th class="num">Readiness</th><th class="num">Change</th><th class="num">Evidenced</th><th class="num">Change</th><th class="num">Improved</th><th class="num">Regressed</th><th class="num">New</th></tr></thead>
<tbody>
{{range .Standards}}<tr><td>{{.Name}}</td><td class="num">{{.From}} → {{.To}}</td><td class="num">{{.Delta}}</td><td class="num">{{.EvFrom}} → {{.EvTo}}</td><td class="num">{{.EvDelta}}</td><td class="num">{{.Improved}}</td><td class="num">{{.Regressed}}</td><td class="num">{{.New}}</td></tr>
{{end}}</tbody></table>
{{if .Regressed}}<h3>Regressed ({{len .Regressed}})</h3>
<table><thead><tr><th>Requirement</th><th>Status then → now</th><th>Owner</th></tr></thead><tbody>
{{range .Regressed}}<tr><td>{{.Item}}<br><span class="muted">{{.Title}}</span></td><td>{{.From}} → <strong>{{.To}}</strong></td><td>{{.Owner}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No requirement regressed.</p>{{end}}
{{if .Improved}}<h3>Improved ({{add (len .Improved) .MoreImpr}})</h3>
<table><thead><tr><th>Requirement</th><th>Status then → now</th><th>Owner</th></tr></thead><tbody>
{{range .Improved}}<tr><td>{{.Item}}<br><span class="muted">{{.Title}}</span></td><td>{{.From}} → <strong>{{.To}}</strong></td><td>{{.Owner}}</td></tr>
{{end}}</tbody></table>{{if .MoreImpr}}<p class="muted">… and {{.MoreImpr}} more in progress.csv.</p>{{end}}{{else}}<p>No requirement improved.</p>{{end}}
<p class="muted">{{.New}} assessed for the first time, {{.Unchanged}} unchanged; every requirement with its change is in progress.csv.</p>
{{if .Risks}}<h3>Risks</h3><ul>{{range .Risks}}<li><strong>{{.Ref}}</strong> {{.Title}} — {{riskChange .}}</li>{{end}}</ul>{{end}}
{{if .Evidence}}<h3>Evidence</h3><ul>{{range .Evidence}}<li>{{.Kind}}: {{.Title}}{{if .Detail}} <span class="muted">({{.Detail}})</span>{{end}}</li>{{end}}</ul>{{end}}
{{if .Approvals}}<h3>Impact assessments approved</h3><ul>{{range .Approvals}}<li>{{.System}} version {{.Version}} — {{.Decision.Label}}{{if .Date}} on {{.Date}}{{end}}</li>{{end}}</ul>{{end}}
</section>
`

// RiskChangeText says what happened to a risk, in words.
func RiskChangeText(r assessments.RiskChange) string {
	switch r.Kind {
	case assessments.RiskWasAdded:
		if r.ToLevel != "" {
			return "added (" + r.ToLevel + ")"
		}
		return "added"
	case assessments.RiskWasRemoved:
		return "removed from the register"
	case assessments.RiskWasClosed:
		return "closed"
	case assessments.RiskWasReopened:
		return "reopened"
	case assessments.RiskWasAccepted:
		return "residual risk accepted"
	case assessments.RiskLevelMoved:
		dir := "down"
		if r.Up {
			dir = "up"
		}
		return fmt.Sprintf("level %s: %s → %s", dir, firstNonEmpty(r.FromLevel, "not scored"), firstNonEmpty(r.ToLevel, "not scored"))
	}
	return r.Kind
}

var progressTemplate = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{"riskChange": RiskChangeText}
	for k, v := range reportFuncs {
		funcs[k] = v
	}
	return template.Must(template.New("progress").Funcs(funcs).Parse(progressHTML))
})

// renderProgress is the report's progress section ("" without a baseline).
func renderProgress(d *Data) (template.HTML, error) {
	v, ok := buildProgressView(d)
	if !ok {
		return "", nil
	}
	var buf bytes.Buffer
	if err := progressTemplate().Execute(&buf, v); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// progressPDF prints the section in the PDF report, the trend chart drawn with lines.
func progressPDF(p *pdfDoc, d *Data) {
	v, ok := buildProgressView(d)
	if !ok {
		return
	}
	p.heading("Progress since " + v.Since)
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", fmt.Sprintf("Baseline \"%s\" was frozen on %s; it is rebuilt exactly from the change history and compared with the engagement as this report shows it.", v.Since, v.SinceAt))
	p.SetTextColor(31, 35, 40)
	// The chart: 1 chart unit = scale mm.
	scale := p.w / float64(v.Chart.W)
	h := float64(v.Chart.H) * scale
	p.ensure(h + 12)
	x0, y0 := p.GetXY()
	p.SetFont(pdfFont, "", 6.5)
	p.SetDrawColor(208, 215, 222)
	p.SetLineWidth(0.1)
	for _, t := range v.Chart.YTicks {
		y := y0 + t.Y*scale
		p.Line(x0+float64(v.Chart.Left)*scale, y, x0+float64(v.Chart.Left+v.Chart.PlotW)*scale, y)
		p.SetTextColor(87, 96, 106)
		p.Text(x0+t.X*scale-7, y+1, t.Text)
	}
	for _, t := range v.Chart.XTicks {
		w := p.GetStringWidth(p.tr(t.Text))
		p.Text(x0+t.X*scale-w/2, y0+t.Y*scale, p.tr(t.Text))
	}
	p.SetLineWidth(0.6)
	for _, l := range v.Chart.Lines {
		r, g, b := hexRGB(l.Colour)
		p.SetDrawColor(r, g, b)
		p.SetFillColor(r, g, b)
		for i, dot := range l.Dots {
			if i > 0 {
				prev := l.Dots[i-1]
				p.Line(x0+prev.X*scale, y0+prev.Y*scale, x0+dot.X*scale, y0+dot.Y*scale)
			}
			p.Circle(x0+dot.X*scale, y0+dot.Y*scale, 0.9, "F")
		}
	}
	p.SetLineWidth(0.2)
	p.SetXY(x0, y0+h+1)
	p.SetFont(pdfFont, "", 8)
	for _, l := range v.Chart.Lines {
		r, g, b := hexRGB(l.Colour)
		p.SetTextColor(r, g, b)
		p.CellFormat(40, 4, p.tr("— "+l.Name+" readiness"), "", 0, "L", false, 0, "")
	}
	p.Ln(6)
	p.SetTextColor(31, 35, 40)
	rows := make([][]string, len(v.Standards))
	for i, s := range v.Standards {
		rows[i] = []string{s.Name, s.From + " → " + s.To + " (" + s.Delta + ")", s.EvFrom + " → " + s.EvTo + " (" + s.EvDelta + ")",
			strconv.Itoa(s.Improved), strconv.Itoa(s.Regressed), strconv.Itoa(s.New)}
	}
	p.table([]string{"Standard", "Readiness", "Evidenced", "Improved", "Regressed", "New"}, []float64{58, 34, 34, 20, 20, p.w - 166}, rows)
	list := func(title string, lines []progressLine, more int) {
		p.Ln(2)
		p.para(10, "B", title)
		if len(lines) == 0 {
			p.para(9, "", "None.")
			return
		}
		rows := make([][]string, len(lines))
		for i, l := range lines {
			rows[i] = []string{l.Item + "\n" + l.Title, l.From + " → " + l.To, l.Owner}
		}
		p.table([]string{"Requirement", "Status then → now", "Owner"}, []float64{80, 60, p.w - 140}, rows)
		if more > 0 {
			p.para(8.5, "", fmt.Sprintf("… and %d more in progress.csv.", more))
		}
	}
	list(fmt.Sprintf("Regressed (%d)", len(v.Regressed)), v.Regressed, 0)
	list(fmt.Sprintf("Improved (%d)", len(v.Improved)+v.MoreImpr), v.Improved, v.MoreImpr)
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", fmt.Sprintf("%d assessed for the first time, %d unchanged; every requirement with its change is in progress.csv.", v.New, v.Unchanged))
	p.SetTextColor(31, 35, 40)
	if len(v.Risks) > 0 {
		p.Ln(2)
		p.para(10, "B", "Risks")
		for _, r := range v.Risks {
			p.para(9, "", r.Ref+" "+r.Title+": "+RiskChangeText(r))
		}
	}
	if len(v.Evidence) > 0 {
		p.Ln(2)
		p.para(10, "B", "Evidence")
		for _, e := range v.Evidence {
			line := e.Kind + ": " + e.Title
			if e.Detail != "" {
				line += " (" + e.Detail + ")"
			}
			p.para(9, "", line)
		}
	}
	if len(v.Approvals) > 0 {
		p.Ln(2)
		p.para(10, "B", "Impact assessments approved")
		for _, a := range v.Approvals {
			p.para(9, "", fmt.Sprintf("%s version %d: %s %s", a.System, a.Version, a.Decision.Label(), a.Date))
		}
	}
}
