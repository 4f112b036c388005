package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 40, Name: "evidence", Run: addEvidence}) }

// EvidenceDir is where the demo writes its evidence files when Options.Dir is empty: a
// folder beside the workspace, named after it ("clients.db" → "clients-demo-evidence").
func EvidenceDir(workspace string) string {
	return strings.TrimSuffix(workspace, filepath.Ext(workspace)) + "-demo-evidence"
}

type demoEvidence struct {
	title, kind, description, by string
	file, content                string // file name in the demo folder and its text
	url                          string
	collected, validFor          int // days relative to today; validFor 0 = no expiry
	links                        []assessments.EvidenceLink
	// changeAfter rewrites the file after attaching it, so the check flags it.
	changeAfter string
}

func r27(ref string) assessments.EvidenceLink {
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: ref}
}

func r42(ref string) assessments.EvidenceLink {
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: catalogs.ISO42001, Ref: ref}
}

var demoEvidenceItems = []demoEvidence{
	{title: "Information security policy v3.2", kind: "document", by: "Daniel Okafor", collected: -40, validFor: 325,
		description: "Policy signed by the CEO, with the list of topic-specific policies it governs.",
		file:        "information-security-policy-v3.2.md", content: "# Medivance Health: information security policy (v3.2)\n\nApproved by the CEO. Scope: Lens platform, data pipelines, London and Leeds offices.\nTopic-specific policies: access control, backup, cryptography, supplier security.\nReviewed every year or after a major change.\n",
		links: []assessments.EvidenceLink{r27("5.2"), r27("A.5.1")}},
	{title: "Quarterly access review, Q3", kind: "record", by: "Tomás Silva", collected: -20, validFor: 100,
		description: "Export of the Okta and AWS access review, each line signed off by the system owner.",
		file:        "access-review-q3.csv", content: "system,user,role,owner decision\nokta,a.nwosu,admin,keep\naws-prod,r.patel,deployer,keep\naws-prod,contractor-7,admin,remove\n",
		links: []assessments.EvidenceLink{r27("A.5.15"), r27("A.5.18"), r42("A.3.2")}},
	{title: "Lens model validation report 2026", kind: "document", by: "Ravi Patel", collected: -35, validFor: 330,
		description: "Held-out multi-site validation of the chest X-ray triage model, with sensitivity and specificity per subgroup.",
		file:        "lens-validation-report-2026.md", content: "# Medivance Lens: validation report\n\nTest set: 4 hospital sites, none used in training.\nSensitivity 0.94, specificity 0.91 overall; lowest subgroup sensitivity 0.89 (portable X-ray).\nSign-off: clinical safety officer.\n",
		links: []assessments.EvidenceLink{r42("A.6.2.4"), r27("A.8.29")}},
	{title: "Incident response runbook", kind: "document", by: "Tomás Silva", collected: -60, validFor: 300,
		description: "Runbook for security incidents; the copy attached at the workshop was edited afterwards.",
		file:        "incident-runbook.md", content: "# Incident response runbook\n\n1. Triage within 30 minutes.\n2. Page the on-call lead.\n3. Notify the DPO for personal data.\n",
		changeAfter: "# Incident response runbook\n\n1. Triage within 60 minutes.\n2. Page the on-call lead.\n",
		links:       []assessments.EvidenceLink{r27("A.5.24"), r27("A.5.26")}},
	{title: "Penetration test summary 2025", kind: "document", by: "Tomás Silva", collected: -400, validFor: 365,
		description: "External test of the Lens web portal and API; its year of validity has run out.",
		file:        "pentest-summary-2025.md", content: "# Penetration test summary (2025)\n\nScope: Lens portal and public API.\n2 high findings (fixed), 5 medium (3 open).\n",
		links: []assessments.EvidenceLink{r27("A.8.8"), r27("A.8.29")}},
	{title: "Cloud guardrails console view", kind: "screenshot", by: "Tomás Silva", collected: -15,
		description: "Screenshot of the landing-zone guardrails enabled on the production organisation.",
		file:        "cloud-guardrails.png", links: []assessments.EvidenceLink{r27("A.5.23"), r42("A.4.5")}},
	{title: "Central logging retention settings", kind: "link", by: "Tomás Silva", collected: -10,
		description: "Intranet page with the log sources, the 13-month retention and who reviews alerts.",
		url:         "https://intranet.medivance.example/security/logging", links: []assessments.EvidenceLink{r27("A.8.15"), r42("A.6.2.8")}},
	{title: "Interview: clinical safety officer", kind: "interview", by: "Priya Raman", collected: -12,
		description: "Roles for Lens: model owner, clinical safety officer and escalation to the medical director. No RACI yet for the chatbot.",
		links:       []assessments.EvidenceLink{r42("A.3.2"), r42("A.9.4")}},
	{title: "Observation: badge readers, Leeds office", kind: "observation", by: "Priya Raman", collected: -12,
		description: "Walked the Leeds office: badge readers at both doors, visitor book at reception, no tailgating seen.",
		links:       []assessments.EvidenceLink{r27("A.7.1"), r27("A.7.2")}},
	{title: "DPIA: Medivance Lens", kind: "document", by: "Lena Fischer", collected: -340, validFor: 360,
		description: "Data protection impact assessment of Lens; due for its yearly review within the month.",
		file:        "dpia-lens.md", content: "# DPIA: Medivance Lens\n\nLawful basis: health care provision.\nRisks: re-identification from images; mitigated by de-identification at ingestion.\n",
		links: []assessments.EvidenceLink{r27("A.5.34"), r42("A.7.3")}},
	{title: "Awareness training completion", kind: "record", by: "Hannah Berg", collected: -25, validFor: 340,
		description: "LMS export: 94% completion of the annual course; phishing simulation results attached.",
		file:        "awareness-completion.csv", content: "team,staff,completed\nengineering,42,41\nclinical,18,16\noperations,25,23\n",
		links: []assessments.EvidenceLink{r27("A.6.3")}},
	{title: "Change advisory board minutes, October", kind: "record", by: "Ravi Patel", collected: -30,
		description: "CAB approval of the Lens 2.3 model release with rollback plan.",
		file:        "cab-minutes-october.md", content: "# CAB minutes\n\nApproved: Lens 2.3 model release, rollback to 2.2 within 15 minutes.\n",
		links: []assessments.EvidenceLink{r27("A.8.32")}},
}

func addEvidence(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	dir := opt.Dir
	if dir == "" {
		dir = s.FileBase() + "-demo-evidence"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the demo evidence folder %s: %w", dir, err)
	}
	now := s.Now()
	risks, _ := s.Risks(ctx, e.ID)
	lensAssessment := latestAssessmentOf(ctx, s, e, LensName)
	for _, d := range demoEvidenceItems {
		ev := assessments.Evidence{EngagementID: e.ID, Title: d.title, Kind: assessments.EvidenceKind(d.kind), Description: d.description,
			CollectedBy: d.by, CollectedOn: dateIn(now, d.collected), URL: d.url}
		if d.validFor != 0 {
			ev.ValidUntil = dateIn(now, d.collected+d.validFor)
		}
		for _, l := range d.links {
			if e.HasStandard(l.Standard) {
				ev.Links = append(ev.Links, l)
			}
		}
		// The validation report also supports the AI risk about the model's accuracy, and
		// it and the DPIA feed the impact assessment of Lens.
		if strings.HasPrefix(d.title, "Lens model validation") {
			for _, r := range risks {
				if r.Scope.AI() {
					ev.Links = append(ev.Links, assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: r.ID})
					break
				}
			}
		}
		if lensAssessment != "" && (strings.HasPrefix(d.title, "Lens model validation") || strings.HasPrefix(d.title, "DPIA")) {
			ev.Links = append(ev.Links, assessments.EvidenceLink{Target: assessments.LinkImpactAssessment, Ref: lensAssessment})
		}
		var path string
		if d.file != "" {
			path = filepath.Join(dir, d.file)
			data := []byte(d.content)
			if strings.HasSuffix(d.file, ".png") {
				data = demoPNG()
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				return fmt.Errorf("write demo evidence file %s: %w", path, err)
			}
			ev.Path = path
		}
		saved, err := s.CreateEvidence(ctx, ev, store.AttachOptions{})
		if err != nil {
			return fmt.Errorf("%s: %w", d.title, err)
		}
		if d.changeAfter != "" {
			if err := os.WriteFile(path, []byte(d.changeAfter), 0o600); err != nil {
				return fmt.Errorf("alter demo evidence file %s: %w", path, err)
			}
		}
		_ = saved
	}
	// Adopting 42001 A.6.2.5 from 27001 A.8.32 through the crosswalk brings the CAB minutes along.
	if e.HasStandard(catalogs.ISO42001) && e.HasStandard(catalogs.ISO27001) {
		for _, m := range set.MappingsFor(catalogs.ISO42001, "A.6.2.5") {
			if m.Standard == catalogs.ISO27001 && m.Ref == "A.8.32" {
				if _, err := s.CopyRequirementEvidence(ctx, e.ID, m.Standard, m.Ref, catalogs.ISO42001, "A.6.2.5", assessments.Provenance(set, m)); err != nil {
					return err
				}
			}
		}
	}
	// The check records the changed runbook, so the workbench shows it flagged straight away.
	if _, err := s.CheckEvidence(ctx, e.ID, nil); err != nil {
		return err
	}
	if opt.Size == "large" {
		return addManyEvidence(ctx, s, set, e)
	}
	return nil
}

// latestAssessmentOf is the id of the newest impact assessment of the named AI system ("" when
// the demo has none).
func latestAssessmentOf(ctx context.Context, s *store.Store, e assessments.Engagement, name string) string {
	systems, err := s.AISystems(ctx, e.ID)
	if err != nil {
		return ""
	}
	versions, err := s.EngagementImpactAssessments(ctx, e.ID)
	if err != nil {
		return ""
	}
	best, id := 0, ""
	for _, sys := range systems {
		if sys.Name != name {
			continue
		}
		for _, a := range versions[sys.ID] {
			if a.Version > best {
				best, id = a.Version, a.ID
			}
		}
	}
	return id
}

// addManyEvidence adds a few hundred note-style items for benchmarks.
func addManyEvidence(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement) error {
	c, ok := set.Get(catalogs.ISO27001)
	if !ok || !e.HasStandard(catalogs.ISO27001) {
		return nil
	}
	now := s.Now()
	for i := 0; i < 600; i++ {
		req := c.Requirements[i%len(c.Requirements)]
		kind := assessments.KindInterview
		if i%2 == 1 {
			kind = assessments.KindObservation
		}
		ev := assessments.Evidence{EngagementID: e.ID, Title: fmt.Sprintf("Workshop note %03d: %s", i+1, req.Title), Kind: kind,
			CollectedBy: demoOwners[i%len(demoOwners)], CollectedOn: dateIn(now, -(i % 90)), Links: []assessments.EvidenceLink{r27(req.Ref)}}
		if i%7 == 0 {
			// Valid for two months to a year and two months: some lapsed, some about to.
			ev.ValidUntil = dateIn(now, -(i%90)+60+(i*37)%365)
		}
		if _, err := s.CreateEvidence(ctx, ev, store.AttachOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// demoPNG draws a small, always identical picture: a green bar on grey, like a console view.
func demoPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 48, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 48; x++ {
			c := color.RGBA{0xe6, 0xe6, 0xe6, 0xff}
			if y >= 8 && y < 16 && x >= 4 && x < 40 {
				c = color.RGBA{0x1a, 0x7f, 0x37, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
