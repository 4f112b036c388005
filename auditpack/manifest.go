package auditpack

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// ManifestName is the pack's table of contents; it lists every other file.
const ManifestName = "manifest.json"

// PackFormat and PackFormatVersion identify manifest.json.
const (
	PackFormat        = "annex-audit-pack"
	PackFormatVersion = 1
)

// Manifest is manifest.json.
type Manifest struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	AnnexVersion  string          `json:"annex_version"`
	Engagement    ManifestEngage  `json:"engagement"`
	LastChangeAt  string          `json:"last_change_at"`
	Standards     []string        `json:"standards"`
	Files         []ManifestEntry `json:"files"`
}

// ManifestEngage names the engagement a pack is about.
type ManifestEngage struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

// ManifestEntry is one file of the pack.
type ManifestEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// File is one file of a pack, in memory.
type File struct {
	Path string
	Data []byte
}

// Pack is a built audit pack before it is written.
type Pack struct {
	Manifest Manifest
	Files    []File // sorted by path, manifest.json included
	At       time.Time
	// Snapshot sums up what the pack says (RecordPack keeps it for the next pack).
	Snapshot *Snapshot
}

// newPack sorts the files, hashes them and adds the manifest.
func newPack(d *Data, files []File) (*Pack, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	m := Manifest{Format: PackFormat, FormatVersion: PackFormatVersion, AnnexVersion: d.Version,
		Engagement:   ManifestEngage{ID: d.Engagement.ID, Name: d.Engagement.Name, Organisation: d.Engagement.Organisation},
		LastChangeAt: d.At.Format(time.RFC3339), Standards: nonNil(d.Engagement.Standards), Files: []ManifestEntry{}}
	seen := map[string]bool{}
	for _, f := range files {
		if _, err := CleanName(f.Path); err != nil {
			return nil, err
		}
		if seen[f.Path] || f.Path == ManifestName {
			return nil, fmt.Errorf("pack file %s is written twice", f.Path)
		}
		seen[f.Path] = true
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestEntry{Path: f.Path, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	b, err := marshalJSON(m)
	if err != nil {
		return nil, err
	}
	all := append(files, File{Path: ManifestName, Data: b})
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	return &Pack{Manifest: m, Files: all, At: d.At}, nil
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteZip writes the pack as a zip: entries sorted by path, every entry with the pack's
// time (the workspace's last change), so the same pack always gives the same bytes.
func (p *Pack) WriteZip(w io.Writer) error {
	zw := newZipWriter(w)
	for _, f := range p.Files {
		if err := writeEntry(zw, f.Path, f.Data, p.At); err != nil {
			return err
		}
	}
	return zw.Close()
}

// newZipWriter deflates at the fastest level: packs are mostly text that compresses well
// anyway, and a fixed level keeps the bytes the same from one export to the next.
// Compressors are pooled: a flate writer costs more than half a megabyte to make.
func newZipWriter(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw, _ := flatePool.Get().(*flate.Writer)
		if fw == nil {
			var err error
			if fw, err = flate.NewWriter(out, flate.BestSpeed); err != nil {
				return nil, err
			}
		} else {
			fw.Reset(out)
		}
		return &pooledFlate{fw}, nil
	})
	return zw
}

var flatePool sync.Pool

type pooledFlate struct{ *flate.Writer }

func (p *pooledFlate) Close() error {
	err := p.Writer.Close()
	flatePool.Put(p.Writer)
	p.Writer = nil
	return err
}

// marshalCompact writes JSON without indentation (the large OSCAL documents).
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeEntry(zw *zip.Writer, name string, data []byte, at time.Time) error {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at}
	h.SetMode(0o600)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("zip %s: %w", name, err)
	}
	_, err = fw.Write(data)
	return err
}

// Bytes returns the zip.
func (p *Pack) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := p.WriteZip(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// File returns a file of the pack by path.
func (p *Pack) File(path string) ([]byte, bool) {
	for _, f := range p.Files {
		if f.Path == path {
			return f.Data, true
		}
	}
	return nil, false
}
