// Package demo fills a workspace with a realistic sample engagement: Medivance Health, a
// fictional health-tech company that trains an AI diagnostic model on patient data. All
// names, people and notes are invented and written in annex's own words.
package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Options shape the demo.
type Options struct {
	// Size is "normal" (default) or "large" (for benchmarks: thousands of rows).
	Size string
	// Dir is where demo evidence files are written; defaults to a folder beside the workspace.
	Dir string
	// Name replaces the engagement's name (a second copy in one workspace gets its own).
	Name string
	// Client, when above 0, makes the engagement of another fictional client (for workspaces
	// of hundreds of engagements): its own name, organisation, standards in scope, status
	// and gap-analysis answers; the risks, AI systems and evidence are the demo's. Client 0
	// is Medivance Health.
	Client int
}

// Step adds one part of the demo (results, risks, AI systems, evidence...) to the engagement.
type Step struct {
	Order int
	Name  string
	Run   func(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error
}

var steps []Step

// register adds a step; the files of this package call it from init.
func register(st Step) {
	steps = append(steps, st)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Order < steps[j].Order })
}

// Name is the demo engagement's name.
const Name = "Medivance Health — ISMS & AIMS readiness"

// Create adds the demo engagement and runs every step, in one transaction: the engagement
// lands complete or not at all (a process killed half-way, a full disk, a failing step
// leave no partial engagement). Only the demo's evidence files, written beside the
// workspace, may remain after a failure.
func Create(ctx context.Context, s *store.Store, set *catalogs.Set, opt Options) (assessments.Engagement, error) {
	if opt.Size == "" {
		opt.Size = "normal"
	}
	if opt.Size != "normal" && opt.Size != "large" {
		return assessments.Engagement{}, fmt.Errorf("demo size %q: use normal or large", opt.Size)
	}
	today := s.Now()
	e := assessments.Engagement{
		Name:         Name,
		Organisation: "Medivance Health Ltd",
		Scope: "Design, training and operation of the Medivance Lens diagnostic model (chest X-ray triage) " +
			"and the patient support chatbot, including the cloud platform, data pipelines and the " +
			"London and Leeds offices.",
		Standards: []string{catalogs.ISO27001, catalogs.ISO42001},
		Lead:      "Priya Raman",
		StartDate: today.AddDate(0, -2, 0).Format(assessments.DateLayout),
		EndDate:   today.AddDate(0, 4, 0).Format(assessments.DateLayout),
		Status:    assessments.EngagementActive,
	}
	if opt.Size == "large" {
		e.Name = Name + " (large)"
	}
	if opt.Client > 0 {
		client(&e, opt.Client)
	}
	if opt.Name != "" {
		e.Name = opt.Name
	}
	if err := e.Validate(func(id string) bool { _, ok := set.Get(id); return ok }); err != nil {
		return e, err
	}
	err := s.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if e, err = tx.CreateEngagement(ctx, e); err != nil {
			return err
		}
		for _, st := range steps {
			if err := st.Run(ctx, tx, set, e, opt); err != nil {
				return fmt.Errorf("demo %s: %w", st.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return assessments.Engagement{}, err
	}
	return e, nil
}

func dateIn(now time.Time, days int) string {
	return now.AddDate(0, 0, days).Format(assessments.DateLayout)
}

// Fictional client organisations for Options.Client: a name part and a sector each.
var (
	clientNames   = []string{"Northwind", "Bluefield", "Harbourline", "Kestrel", "Oakridge", "Silverbeck", "Larkspur", "Meridian", "Thornbury", "Calloway", "Redfern", "Ashgrove", "Whitmore", "Fenwick", "Brightwater", "Hollins", "Marlow", "Pennant", "Quayside", "Rookwood"}
	clientSectors = []string{"Logistics", "Insurance", "Health Analytics", "Retail Group", "Energy", "Legal Services", "Payments", "Biotech", "Learning", "Housing Association", "Media", "Travel", "Engineering", "Foods", "Telecom"}
)

// client turns the demo engagement into fictional client n's: names repeat only after
// 300 clients; the standards in scope, the status and the dates vary with n.
func client(e *assessments.Engagement, n int) {
	org := clientNames[n%len(clientNames)] + " " + clientSectors[(n/len(clientNames))%len(clientSectors)]
	if n >= len(clientNames)*len(clientSectors) {
		org += fmt.Sprintf(" %d", n/(len(clientNames)*len(clientSectors))+1)
	}
	e.Organisation = org + " Ltd"
	switch n % 4 {
	case 0:
		e.Standards = []string{catalogs.ISO27001}
		e.Name = org + " — ISMS readiness"
	case 1:
		e.Standards = []string{catalogs.ISO42001}
		e.Name = org + " — AIMS readiness"
	default:
		e.Name = org + " — ISMS & AIMS readiness"
	}
	e.Scope = "Information security and AI management systems of " + org + ": products, platforms and offices."
	switch n % 10 {
	case 7:
		e.Status = assessments.EngagementOnHold
	case 8, 9:
		e.Status = assessments.EngagementClosed
	}
}
