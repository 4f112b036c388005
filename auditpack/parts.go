package auditpack

import (
	"context"
	"github.com/annex-grc/annex/catalogs"
	"html/template"

	"github.com/annex-grc/annex/store"
)

// Parts holds what the other parts of annex (risk register, AI systems and impact
// assessments, evidence) contribute to a pack. Each is filled once its store lands.
type Parts struct{}

// loadParts reads the parts linked to d.Engagement.
func loadParts(ctx context.Context, s *store.Store, d *Data) error { return nil }

// PartsJSON is the parts' sections of data.json.
type PartsJSON struct{}

func partsJSON(d *Data) PartsJSON { return PartsJSON{} }

// risksTreatedBy lists the refs of risks whose treatment plan links the requirement.
func (d *Data) risksTreatedBy(std, ref string) []string { return nil }

// evidenceFor lists the titles of evidence linked to the requirement.
func (d *Data) evidenceFor(std, ref string) []string { return nil }

// impactAssessmentsFor lists the impact assessments that call for the requirement.
func (d *Data) impactAssessmentsFor(std, ref string) []string { return nil }

// renderParts renders the parts' report sections (already escaped HTML).
func renderParts(d *Data) (template.HTML, error) { return "", nil }

// partActions lists the parts' open actions (risk treatments...) for the action plan.
func partActions(d *Data) []Action { return nil }

// partArtefacts lists the parts' files (risk register, AI systems, evidence index...).
func partArtefacts(opt Options) []artefact { return nil }

// oscalRisksByControl maps "standard ref" to the OSCAL uuids of the risks treated by it.
func oscalRisksByControl(d *Data) map[string][]string { return nil }

// oscalRisks lists the risks of the register relevant to a standard as OSCAL risks.
func oscalRisks(d *Data, std string, origin []oOrigin) []oRisk { return nil }

// poamRiskItem is a POA&M item for a risk treatment.
type poamRiskItem struct {
	UUID, Title, Description string
	Props                    []oProp
	RelatedRisks             []oRelatedRisk
}

// oscalPOAMRisks lists the risks with an open treatment and their POA&M items.
func oscalPOAMRisks(d *Data, origin []oOrigin) ([]oRisk, []poamRiskItem) { return nil, nil }

// partsPDF prints the parts' sections of the PDF report.
func partsPDF(p *pdfDoc, d *Data) {}

// partsImportData converts the parts' sections of a document for the store.
func partsImportData(set *catalogs.Set, doc *Document, in *store.ImportData) error { return nil }

// partsSummary counts the parts' rows of a document for messages (", 12 risks").
func partsSummary(doc *Document) string { return "" }
