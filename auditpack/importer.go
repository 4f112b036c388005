package auditpack

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Imported is what ReadImport found: the document and, for a pack, its other files.
type Imported struct {
	Doc  *Document
	Pack map[string]*zip.File // entries of a pack by name (nil for a plain data.json)
	// History is the change history the pack carries (history.jsonl), checked; Report is
	// the pack's verification (nil for a plain data.json).
	History []store.HistorySegment
	Report  *Report
}

// ReadImport reads an engagement from FILE.json (data.json) or FILE.zip / FILE.zip.age (an
// audit pack). A pack is checked first: an unsafe entry name, an oversized entry, a
// truncated archive, or a file that fails its manifest refuses the whole import. The
// returned Source must stay open until the import is done.
func ReadImport(path string, identities ...age.Identity) (*Imported, *Source, error) {
	src, err := Open(path, identities...)
	if err != nil {
		return nil, nil, err
	}
	im, err := ReadImportSource(path, src)
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	return im, src, nil
}

// ReadImportSource is ReadImport on a pack already opened; name tells a zip from JSON when
// the content does not.
func ReadImportSource(name string, src *Source) (*Imported, error) {
	lower := strings.ToLower(name)
	if string(src.Head(2)) == "PK" || strings.HasSuffix(lower, ".zip") || strings.HasSuffix(lower, ".zip.age") {
		return readPackImport(src)
	}
	if src.Size > MaxJSONSize {
		return nil, fmt.Errorf("%s is larger than the %d bytes annex imports", filepath.Base(name), MaxJSONSize)
	}
	b, err := src.Bytes(MaxJSONSize)
	if err != nil {
		return nil, err
	}
	doc, err := ParseDocument(b)
	if err != nil {
		return nil, err
	}
	return &Imported{Doc: doc}, nil
}

// ReadImportBytes is ReadImportSource on bytes in memory.
func ReadImportBytes(name string, b []byte) (*Imported, error) {
	return ReadImportSource(name, &Source{R: bytes.NewReader(b), Size: int64(len(b))})
}

func readPackImport(src *Source) (*Imported, error) {
	zr, err := openZip(src.R, src.Size)
	if err != nil {
		return nil, err
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, err := CleanName(f.Name); err != nil {
			return nil, fmt.Errorf("the archive is refused: %w", err)
		}
		if f.UncompressedSize64 > MaxEntrySize {
			return nil, fmt.Errorf("the archive is refused: entry %s is %d bytes, more than the %d allowed", f.Name, f.UncompressedSize64, int64(MaxEntrySize))
		}
		entries[f.Name] = f
	}
	// Every pack is verified first, its manifest's own fields included: a pack that fails
	// 'annex verify' is never imported.
	rep, err := VerifySource(src)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("the pack fails verification (%s, first: %s); nothing was imported", countNoun(len(rep.Problems), "problem", "problems"), rep.Problems[0])
	}
	f, ok := entries["data.json"]
	if !ok {
		return nil, errors.New("the archive has no data.json, so there is nothing annex can import")
	}
	data, err := readEntry(f, MaxJSONSize)
	if err != nil {
		return nil, err
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("data.json: %w", err)
	}
	im := &Imported{Doc: doc, Pack: entries, Report: rep}
	if f, ok := entries[HistoryName]; ok {
		b, err := readEntry(f, MaxEntrySize)
		if err != nil {
			return nil, err
		}
		if im.History, err = ParseHistory(b); err != nil {
			return nil, fmt.Errorf("history.jsonl: %w", err)
		}
	}
	return im, nil
}

// ImportData checks a document against the catalogs and the domain rules and converts it
// to the store's input.
func ImportData(set *catalogs.Set, doc *Document) (store.ImportData, error) {
	e, err := doc.EngagementValue()
	if err != nil {
		return store.ImportData{}, err
	}
	if strings.TrimSpace(e.ID) == "" {
		return store.ImportData{}, errors.New("engagement: it has no id, which every annex export carries")
	}
	if err := e.Validate(func(id string) bool { _, ok := set.Get(id); return ok }); err != nil {
		var ve *assessments.ValidationError
		if errors.As(err, &ve) && ve.Field == "standards" {
			return store.ImportData{}, fmt.Errorf("engagement: %w Import that catalog into the workspace first: a pack carries it under catalogs/ (annex catalog import FILE).", err)
		}
		return store.ImportData{}, fmt.Errorf("engagement: %w", err)
	}
	results, err := doc.ResultValues(e.ID)
	if err != nil {
		return store.ImportData{}, err
	}
	for _, r := range results {
		if !e.HasStandard(r.Standard) {
			return store.ImportData{}, fmt.Errorf("a result names standard %q, which is not in the engagement's scope", r.Standard)
		}
		c, _ := set.Get(r.Standard)
		if _, ok := c.Requirement(r.Ref); !ok {
			return store.ImportData{}, fmt.Errorf("a result names %s %s, which the catalog does not have", c.Short, r.Ref)
		}
		if err := r.Validate(); err != nil {
			return store.ImportData{}, fmt.Errorf("result %s %s: %w", c.Short, r.Ref, err)
		}
	}
	in := store.ImportData{Engagement: e, Results: results}
	if err := partsImportData(set, doc, &in); err != nil {
		return store.ImportData{}, err
	}
	return in, nil
}

// Import loads an engagement read by ReadImport into the workspace, in one transaction.
func Import(ctx context.Context, s *store.Store, set *catalogs.Set, im *Imported, opt store.ImportOptions) (assessments.Engagement, error) {
	in, err := ImportData(set, im.Doc)
	if err != nil {
		return assessments.Engagement{}, err
	}
	blobs, err := im.evidenceFiles(in.Evidence)
	if err != nil {
		return assessments.Engagement{}, err
	}
	in.Blobs = blobs
	in.History = im.History
	return s.ImportEngagement(ctx, in, opt)
}

// Summary says what besides the results the import holds (", 12 risks, ..."), for messages.
func (im *Imported) Summary() string { return partsSummary(im.Doc) + auditSummary(im.Doc) }

// evidenceFiles reads the evidence files a pack carries (evidence/<id>/<name>).
func (im *Imported) evidenceFiles(items []assessments.Evidence) (map[string]store.ImportBlob, error) {
	out := map[string]store.ImportBlob{}
	if im.Pack == nil {
		return out, nil
	}
	byID := map[string]bool{}
	for _, e := range items {
		byID[e.ID] = true
	}
	for name, f := range im.Pack {
		rest, ok := strings.CutPrefix(name, EvidenceDir+"/")
		if !ok || strings.HasSuffix(name, "/") {
			continue
		}
		id, file, ok := strings.Cut(rest, "/")
		if !ok || !byID[id] || strings.Contains(file, "/") {
			continue
		}
		b, err := readEntry(f, MaxEntrySize)
		if err != nil {
			return nil, err
		}
		out[id] = store.ImportBlob{Name: file, Data: b}
	}
	return out, nil
}

// countNoun writes a count with its noun in agreement ("1 problem", "3 problems").
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
