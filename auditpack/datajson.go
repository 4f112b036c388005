package auditpack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// DataFormat and DataFormatVersion identify data.json (docs/DATA-FORMAT.md). A reader
// refuses a newer version; fields added within a version are optional.
const (
	DataFormat        = "annex-engagement"
	DataFormatVersion = 2
)

// Document is data.json: one engagement, complete, in a stable order.
// It holds no export time, so exporting, importing and exporting again gives the same bytes.
type Document struct {
	Format        string         `json:"format"`
	FormatVersion int            `json:"format_version"`
	Engagement    EngagementJSON `json:"engagement"`
	Results       []ResultJSON   `json:"results"`
	PartsJSON
	PlanJSON
}

// EngagementJSON is an engagement in data.json.
type EngagementJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Organisation string   `json:"organisation"`
	Scope        string   `json:"scope"`
	Standards    []string `json:"standards"`
	Lead         string   `json:"lead"`
	StartDate    string   `json:"start_date"`
	EndDate      string   `json:"end_date"`
	Status       string   `json:"status"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
}

// ResultJSON is one requirement result in data.json.
type ResultJSON struct {
	Standard      string   `json:"standard"`
	Ref           string   `json:"ref"`
	Status        string   `json:"status"`
	Maturity      *int     `json:"maturity"` // null: not rated (format 1 wrote 0 for not rated)
	Notes         string   `json:"notes"`
	Owner         string   `json:"owner"`
	TargetDate    string   `json:"target_date"`
	Justification string   `json:"justification"`
	Reasons       []string `json:"reasons"`
	NeedsReview   bool     `json:"needs_review"`
	Provenance    string   `json:"provenance"`
	UpdatedAt     string   `json:"updated_at"`
	UpdatedBy     string   `json:"updated_by"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseStamp(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, s)
	}
	return t, nil
}

// NewDocument builds data.json's content from d.
func NewDocument(d *Data) Document {
	e := d.Engagement
	doc := Document{Format: DataFormat, FormatVersion: DataFormatVersion, Engagement: EngagementJSON{
		ID: e.ID, Name: e.Name, Organisation: e.Organisation, Scope: e.Scope, Standards: nonNil(e.Standards), Lead: e.Lead,
		StartDate: e.StartDate, EndDate: e.EndDate, Status: string(e.Status), CreatedAt: stamp(e.CreatedAt), UpdatedAt: stamp(e.UpdatedAt),
	}, Results: []ResultJSON{}}
	var stds []string
	for std := range d.Results {
		stds = append(stds, std)
	}
	sort.Strings(stds)
	for _, std := range stds {
		var refs []string
		for ref := range d.Results[std] {
			refs = append(refs, ref)
		}
		sort.Slice(refs, func(i, j int) bool { return catalogs.CompareRefs(refs[i], refs[j]) < 0 })
		for _, ref := range refs {
			r := d.Results[std][ref]
			reasons := []string{}
			for _, x := range r.Reasons {
				reasons = append(reasons, string(x))
			}
			doc.Results = append(doc.Results, ResultJSON{Standard: std, Ref: ref, Status: string(r.EffectiveStatus()), Maturity: r.Maturity,
				Notes: r.Notes, Owner: r.Owner, TargetDate: r.TargetDate, Justification: r.Justification, Reasons: reasons,
				NeedsReview: r.NeedsReview, Provenance: r.Provenance, UpdatedAt: stamp(r.UpdatedAt), UpdatedBy: r.UpdatedBy})
		}
	}
	doc.PartsJSON = partsJSON(d)
	doc.PlanJSON = planJSON(d)
	return doc
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Marshal writes data.json: indented, keys in struct order, a final newline.
func (doc Document) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseDocument reads data.json, refusing what is not annex's format or is newer.
func ParseDocument(b []byte) (*Document, error) {
	var head struct {
		Format        string `json:"format"`
		FormatVersion int    `json:"format_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("the file is not valid JSON: %s", jsonProblem(b, err))
	}
	if head.Format != DataFormat {
		return nil, fmt.Errorf("the JSON is not an annex engagement export (its format is %q, expected %q)", head.Format, DataFormat)
	}
	if head.FormatVersion < 1 || head.FormatVersion > DataFormatVersion {
		return nil, fmt.Errorf("the export has format version %d; this annex reads up to version %d, so update annex to import it", head.FormatVersion, DataFormatVersion)
	}
	var doc Document
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("the export does not match the annex format: %s", jsonProblem(b, err))
	}
	if head.FormatVersion == 1 {
		// Format 1 wrote maturity 0 for "not rated" (level 0 could not be recorded).
		for i := range doc.Results {
			if m := doc.Results[i].Maturity; m != nil && *m == 0 {
				doc.Results[i].Maturity = nil
			}
		}
	}
	return &doc, nil
}

// jsonProblem says where JSON went wrong, in words.
func jsonProblem(b []byte, err error) string {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
		if e.Field != "" {
			return fmt.Sprintf("field %s holds %s where %s was expected (line %d)", e.Field, e.Value, e.Type, lineAt(b, off))
		}
	}
	if off >= 0 {
		return fmt.Sprintf("%s (line %d)", err.Error(), lineAt(b, off))
	}
	return err.Error()
}

func lineAt(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// Engagement converts the document's engagement to the domain type.
func (doc *Document) EngagementValue() (assessments.Engagement, error) {
	j := doc.Engagement
	e := assessments.Engagement{ID: j.ID, Name: j.Name, Organisation: j.Organisation, Scope: j.Scope, Standards: j.Standards,
		Lead: j.Lead, StartDate: j.StartDate, EndDate: j.EndDate, Status: assessments.EngagementStatus(j.Status)}
	var err error
	if e.CreatedAt, err = parseStamp("engagement created_at", j.CreatedAt); err != nil {
		return e, err
	}
	if e.UpdatedAt, err = parseStamp("engagement updated_at", j.UpdatedAt); err != nil {
		return e, err
	}
	return e, nil
}

// ResultValues converts the document's results to domain values.
func (doc *Document) ResultValues(engagementID string) ([]assessments.Result, error) {
	out := make([]assessments.Result, 0, len(doc.Results))
	for i, j := range doc.Results {
		r := assessments.Result{EngagementID: engagementID, Standard: j.Standard, Ref: j.Ref, Status: assessments.Status(j.Status),
			Maturity: j.Maturity, Notes: j.Notes, Owner: j.Owner, TargetDate: j.TargetDate, Justification: j.Justification,
			NeedsReview: j.NeedsReview, Provenance: j.Provenance, UpdatedBy: j.UpdatedBy}
		for _, x := range j.Reasons {
			r.Reasons = append(r.Reasons, assessments.InclusionReason(x))
		}
		var err error
		if r.UpdatedAt, err = parseStamp(fmt.Sprintf("results[%d].updated_at", i), j.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
