package auditpack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"filippo.io/age"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Progress is reported while a pack is built: Done of Total steps; Step names the step
// just finished (the writers run side by side, so they finish in any order).
type Progress struct {
	Done, Total int
	Step        string
}

// Options shape a pack.
type Options struct {
	// WithEvidenceFiles adds the evidence files kept in the workspace under evidence/.
	WithEvidenceFiles bool
	// Version is annex's version, written into the manifest and the report.
	Version string
	// Progress, when set, is called before each artefact and once at the end.
	Progress func(Progress)
	// AbsolutePaths keeps the evidence files' full paths in evidence-index.csv (by default
	// they are relative to the folder the engagement's files share).
	AbsolutePaths bool
	// Since names an earlier pack the report says what changed against; empty: the last
	// pack written from the workspace of an older state, if any.
	Since string
}

// artefact writes one or more files of the pack.
type artefact struct {
	step  string
	write func(d *Data) ([]File, error)
}

func one(path string, f func(d *Data) ([]byte, error)) func(d *Data) ([]File, error) {
	return func(d *Data) ([]File, error) {
		b, err := f(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []File{{Path: path, Data: b}}, nil
	}
}

// artefacts lists the pack's writers, in the order the progress bar shows them.
func artefacts(opt Options) []artefact {
	list := []artefact{
		{"data.json", one("data.json", func(d *Data) ([]byte, error) { return NewDocument(d).Marshal() })},
		{"report", one("report.html", ReportHTML)},
		{"report PDF", one("report.pdf", ReportPDF)},
		{"Statements of Applicability", soaFiles},
		{"gap-analysis workbook", one("gap-analysis.xlsx", GapXLSX)},
		{"change history", streamedOne("change-history.csv", func(d *Data, w io.Writer) error { return writeChangeHistoryCSV(w, historySegments(d)) })},
		{"change history for import", streamedOne(HistoryName, writeHistoryJSONL)},
		{"OSCAL assessment results", one("oscal/assessment-results.json", OSCALAssessmentResults)},
		{"OSCAL POA&M", one("oscal/poam.json", OSCALPOAM)},
		{"OSCAL mapping", one("oscal/mapping.json", OSCALMapping)},
	}
	list = append(list, partArtefacts(opt)...)
	list = append(list, progressArtefacts()...)
	return list
}

// streamedOne is one for the large history files: written into the zip as they are made.
func streamedOne(path string, gen func(d *Data, w io.Writer) error) func(d *Data) ([]File, error) {
	return func(d *Data) ([]File, error) {
		f, err := streamed(path, func(w io.Writer) error { return gen(d, w) })
		if err != nil {
			return nil, err
		}
		return []File{f}, nil
	}
}

// Build makes the pack of an engagement. It reads the workspace once and never the clock.
func Build(ctx context.Context, s *store.Store, set *catalogs.Set, engagementID string, opt Options) (*Pack, error) {
	list := artefacts(opt)
	total := len(list) + 2 // reading the workspace, writing the manifest
	report := func(done int, step string) {
		if opt.Progress != nil {
			opt.Progress(Progress{Done: done, Total: total, Step: step})
		}
	}
	report(0, "reading the workspace")
	d, err := load(ctx, s, set, engagementID, opt)
	if err != nil {
		return nil, err
	}
	return buildFrom(ctx, d, list, report)
}

// BuildFrom makes a pack from data already loaded (Load), reporting to opt.Progress.
func BuildFrom(ctx context.Context, d *Data, opt Options) (*Pack, error) {
	list := artefacts(opt)
	return buildFrom(ctx, d, list, func(done int, step string) {
		if opt.Progress != nil {
			opt.Progress(Progress{Done: done, Total: len(list) + 2, Step: step})
		}
	})
}

func buildFrom(ctx context.Context, d *Data, list []artefact, report func(int, string)) (*Pack, error) {
	// The writers only read d, so they run side by side; the pack sorts their files, so
	// the order they finish in changes nothing.
	results := make([][]File, len(list))
	errs := make([]error, len(list))
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, a := range list {
		if ctx.Err() != nil {
			break // the writers already running finish; nothing new starts
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], errs[i] = a.write(d)
			mu.Lock()
			done++
			report(done, a.step)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var files []File
	for i := range list {
		if errs[i] != nil {
			return nil, errs[i]
		}
		files = append(files, results[i]...)
	}
	report(len(list)+1, "manifest")
	p, err := newPack(d, files)
	if err != nil {
		return nil, err
	}
	p.Snapshot = d.snapshot()
	report(len(list)+2, "done")
	return p, nil
}

// Encryption says how to encrypt a pack with age; the zero value means no encryption.
type Encryption struct {
	Passphrase string
	Recipients []string // age public keys (age1...)
	// WorkFactor overrides scrypt's work factor (log2); 0 keeps age's default. Tests lower it.
	WorkFactor int
}

// Enabled reports whether the pack is to be encrypted.
func (e Encryption) Enabled() bool { return e.Passphrase != "" || len(e.Recipients) > 0 }

func (e Encryption) recipients() ([]age.Recipient, error) {
	var out []age.Recipient
	if e.Passphrase != "" {
		if len(e.Recipients) > 0 {
			return nil, errors.New("choose a passphrase or recipients, not both (age allows only one passphrase and nothing else)")
		}
		r, err := age.NewScryptRecipient(e.Passphrase)
		if err != nil {
			return nil, err
		}
		if e.WorkFactor > 0 {
			r.SetWorkFactor(e.WorkFactor)
		}
		return []age.Recipient{r}, nil
	}
	for _, k := range e.Recipients {
		rs, err := age.ParseRecipients(strings.NewReader(k))
		if err != nil || len(rs) == 0 {
			return nil, fmt.Errorf("recipient %q is not an age public key (age1...)", k)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// WriteFile writes the pack to path with mode 0600, encrypted when enc asks for it. It
// writes a temporary file beside path and renames it, so a crash leaves no half pack.
func (p *Pack) WriteFile(path string, enc Encryption) (int64, error) {
	var zipBytes bytes.Buffer
	if err := p.WriteZip(&zipBytes); err != nil {
		return 0, err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".annex-pack-*")
	if err != nil {
		return 0, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, err
	}
	var w io.Writer = tmp
	var ew io.WriteCloser
	if enc.Enabled() {
		rs, err := enc.recipients()
		if err != nil {
			tmp.Close()
			return 0, err
		}
		if ew, err = age.Encrypt(tmp, rs...); err != nil {
			tmp.Close()
			return 0, fmt.Errorf("encrypt the pack: %w", err)
		}
		w = ew
	}
	if _, err := w.Write(zipBytes.Bytes()); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if ew != nil {
		if err := ew.Close(); err != nil {
			tmp.Close()
			return 0, fmt.Errorf("encrypt the pack: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	return st.Size(), nil
}
