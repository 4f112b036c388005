package auditpack

import (
	"archive/zip"
	"bufio"
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

	"github.com/annex-grc/annex/store"
)

// ManifestName is the pack's table of contents; it lists every other file.
const ManifestName = "manifest.json"

// PackFormat and PackFormatVersion identify manifest.json. Version 2 covers the manifest's
// own fields (manifest.json.sha256, the canonical form, data.json and history.jsonl agree with
// them); version 1 packs are still read, their manifest fields unchecked. A manifest field
// added later raises the version: an annex cannot vouch for a field it does not know.
const (
	PackFormat        = "annex-audit-pack"
	PackFormatVersion = 2
)

// DigestName holds the SHA-256 of manifest.json in sha256sum's format; SignatureName is the
// minisign signature of manifest.json (annex export --sign). Neither is listed in the
// manifest: they are about it.
const (
	DigestName    = ManifestName + ".sha256"
	SignatureName = ManifestName + ".minisig"
)

// Manifest is manifest.json.
type Manifest struct {
	Format        string         `json:"format"`
	FormatVersion int            `json:"format_version"`
	AnnexVersion  string         `json:"annex_version"`
	Engagement    ManifestEngage `json:"engagement"`
	LastChangeAt  string         `json:"last_change_at"`
	Standards     []string       `json:"standards"`
	// Chain is the end of the workspace's change history when the pack was made, so
	// `annex log --verify --since PACK` can prove later that no row of it was cut or
	// rewritten. Absent in packs made before annex recorded it.
	Chain *store.ChainHead `json:"chain,omitempty"`
	// History describes history.jsonl (absent in packs of version 1).
	History *ManifestHistory `json:"history,omitempty"`
	Files   []ManifestEntry  `json:"files"`
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

// File is one file of a pack, in memory, or, for the large history files, written again
// each time it is needed (Stream, with its Size and SHA-256 measured once), so the pack
// never holds their bytes.
type File struct {
	Path string
	Data []byte

	Stream func(w io.Writer) error
	Size   int64
	SHA256 string
}

// streamed makes a File from a deterministic writer: it runs once into a hash to learn the
// size and SHA-256; the zip writer runs it again.
func streamed(path string, gen func(w io.Writer) error) (File, error) {
	h := sha256.New()
	cw := &countingWriter{w: h}
	if err := gen(cw); err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return File{Path: path, Stream: gen, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// bytes returns a file's content (generating a streamed one).
func (f File) bytes() ([]byte, error) {
	if f.Stream == nil {
		return f.Data, nil
	}
	var buf bytes.Buffer
	buf.Grow(int(f.Size))
	err := f.Stream(&buf)
	return buf.Bytes(), err
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
		LastChangeAt: d.At.Format(time.RFC3339), Standards: nonNil(d.Engagement.Standards), Chain: d.Chain, History: historySummary(d),
		Files: []ManifestEntry{}}
	seen := map[string]bool{}
	for _, f := range files {
		if _, err := CleanName(f.Path); err != nil {
			return nil, err
		}
		if seen[f.Path] || reserved(f.Path) {
			return nil, fmt.Errorf("pack file %s is written twice", f.Path)
		}
		seen[f.Path] = true
		if f.Stream != nil {
			m.Files = append(m.Files, ManifestEntry{Path: f.Path, Size: f.Size, SHA256: f.SHA256})
			continue
		}
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestEntry{Path: f.Path, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	b, err := marshalJSON(m)
	if err != nil {
		return nil, err
	}
	all := append(files, File{Path: ManifestName, Data: b}, File{Path: DigestName, Data: manifestDigest(b)})
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	return &Pack{Manifest: m, Files: all, At: d.At}, nil
}

// reserved names are the manifest and the files about it.
func reserved(name string) bool {
	return name == ManifestName || name == DigestName || name == SignatureName
}

// manifestDigest is manifest.json.sha256: one line as sha256sum writes it, so
// `sha256sum -c manifest.json.sha256` checks the manifest without annex.
func manifestDigest(manifest []byte) []byte {
	sum := sha256.Sum256(manifest)
	return []byte(hex.EncodeToString(sum[:]) + "  " + ManifestName + "\n")
}

// Canonical is the one encoding annex writes for a manifest: two-space indentation, fields
// in the struct's order, no HTML escaping, a final newline. Verify refuses a manifest whose
// bytes are not its own canonical encoding, so what a signature covers is exactly what
// annex reads and shows.
func (m Manifest) Canonical() ([]byte, error) { return marshalJSON(m) }

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
		if err := writeEntry(zw, f, p.At); err != nil {
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

func writeEntry(zw *zip.Writer, f File, at time.Time) error {
	h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: at}
	h.SetMode(0o600)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("zip %s: %w", f.Path, err)
	}
	if f.Stream != nil {
		bw := bufio.NewWriterSize(fw, 64<<10)
		if err := f.Stream(bw); err != nil {
			return fmt.Errorf("zip %s: %w", f.Path, err)
		}
		return bw.Flush()
	}
	_, err = fw.Write(f.Data)
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
			b, err := f.bytes()
			return b, err == nil
		}
	}
	return nil, false
}
