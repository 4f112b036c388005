package auditpack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"filippo.io/age"
)

// Problem kinds a verification reports.
const (
	Changed = "changed"
	Missing = "missing"
	Extra   = "extra"
	Unsafe  = "unsafe"
)

// Problem is one file that does not hold.
type Problem struct {
	Path   string
	Kind   string
	Detail string
}

func (p Problem) String() string {
	if p.Detail == "" {
		return fmt.Sprintf("%s: %s", p.Kind, p.Path)
	}
	return fmt.Sprintf("%s: %s (%s)", p.Kind, p.Path, p.Detail)
}

// Report is the outcome of a verification.
type Report struct {
	Manifest Manifest
	Checked  int // files listed in the manifest whose hash holds
	Problems []Problem
}

// OK reports whether every file holds and nothing is missing or extra.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Limits that protect verify and import against hostile zips.
const (
	MaxEntrySize = 1 << 30   // one file inside a pack, uncompressed
	MaxEntries   = 100_000   // files in a pack
	MaxJSONSize  = 256 << 20 // data.json or manifest.json
)

// ErrNeedsKey is returned for an encrypted pack when no passphrase or identity was given.
var ErrNeedsKey = errors.New("the pack is encrypted; give its passphrase or an identity file")

// ageHeader starts every age file.
const ageHeader = "age-encryption.org/v1\n"

// IsEncrypted reports whether b starts like an age file.
func IsEncrypted(head []byte) bool { return bytes.HasPrefix(head, []byte(ageHeader)) }

// Source is an opened pack file, plain or decrypted on demand: nothing is read into
// memory until an entry is.
type Source struct {
	R         io.ReaderAt
	Size      int64
	Encrypted bool
	f         *os.File
}

// Close closes the file.
func (s *Source) Close() error {
	if s == nil || s.f == nil {
		return nil
	}
	return s.f.Close()
}

// Head returns the first n bytes (fewer when the file is shorter).
func (s *Source) Head(n int) []byte {
	b := make([]byte, min(int64(n), s.Size))
	k, _ := s.R.ReadAt(b, 0)
	return b[:k]
}

// Bytes reads the whole (decrypted) content, at most limit bytes.
func (s *Source) Bytes(limit int64) ([]byte, error) {
	if s.Size > limit {
		return nil, fmt.Errorf("the file is %d bytes, more than the %d annex reads", s.Size, limit)
	}
	b := make([]byte, s.Size)
	if _, err := s.R.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// Open opens a pack file (zip or age-encrypted zip). identities decrypt an encrypted pack
// (a passphrase is an age.ScryptIdentity); without them an encrypted pack is ErrNeedsKey.
func Open(path string, identities ...age.Identity) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a folder, not a file", path)
	}
	head := make([]byte, len(ageHeader))
	n, _ := f.ReadAt(head, 0)
	if !IsEncrypted(head[:n]) {
		return &Source{R: f, Size: st.Size(), f: f}, nil
	}
	if len(identities) == 0 {
		f.Close()
		return nil, ErrNeedsKey
	}
	r, size, err := age.DecryptReaderAt(f, st.Size(), identities...)
	if err != nil {
		f.Close()
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, fmt.Errorf("cannot decrypt %s: wrong passphrase or identity", path)
		}
		return nil, fmt.Errorf("cannot decrypt %s: %w", path, err)
	}
	return &Source{R: r, Size: size, Encrypted: true, f: f}, nil
}

// VerifyFile checks a pack on disk.
func VerifyFile(path string, identities ...age.Identity) (*Report, error) {
	src, err := Open(path, identities...)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return VerifySource(src)
}

// openZip opens a zip and refuses a damaged or hostile one before anything is read.
func openZip(r io.ReaderAt, size int64) (*zip.Reader, error) {
	tail := make([]byte, min(size, 22+65535))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the file cannot be read: %w", err)
	}
	if !endsWithDirectory(tail) {
		return nil, errors.New("the file is not a complete zip archive (it may be truncated or damaged)")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) {
			return nil, errors.New("the file is not a complete zip archive (it may be truncated or damaged)")
		}
		return nil, fmt.Errorf("the file is not a readable zip archive: %w", err)
	}
	if len(zr.File) > MaxEntries {
		return nil, fmt.Errorf("the archive has %d entries, more than the %d annex accepts", len(zr.File), MaxEntries)
	}
	return zr, nil
}

// endsWithDirectory reports whether the tail of a file ends with a zip's end-of-directory
// record (and its comment). A truncated pack may still contain a complete zip inside it, an
// XLSX stored as is, which a zip reader would otherwise take for the whole archive.
func endsWithDirectory(b []byte) bool {
	const eocd = "PK\x05\x06"
	p := bytes.LastIndex(b, []byte(eocd))
	if p < 0 {
		return false
	}
	if p+22 > len(b) {
		return false
	}
	comment := int(b[p+20]) | int(b[p+21])<<8
	return p+22+comment == len(b)
}

// readEntry reads one zip entry, at most limit bytes.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("entry %s is %d bytes, more than the %d allowed", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("entry %s cannot be read: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("entry %s is damaged: %w", f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("entry %s is larger than the %d bytes allowed", f.Name, limit)
	}
	return b, nil
}

// Verify checks a pack's bytes: every file listed in the manifest must be present with
// its size and SHA-256, and nothing else may be there.
func Verify(b []byte) (*Report, error) {
	return VerifySource(&Source{R: bytes.NewReader(b), Size: int64(len(b))})
}

// VerifySource checks an opened pack.
func VerifySource(src *Source) (*Report, error) {
	zr, err := openZip(src.R, src.Size)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, err := CleanName(f.Name); err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: f.Name, Kind: Unsafe, Detail: err.Error()})
			continue
		}
		if _, dup := byName[f.Name]; dup {
			rep.Problems = append(rep.Problems, Problem{Path: f.Name, Kind: Extra, Detail: "the archive holds this name twice"})
			continue
		}
		byName[f.Name] = f
	}
	mf, ok := byName[ManifestName]
	if !ok {
		return nil, errors.New("the archive has no manifest.json, so it is not an annex audit pack")
	}
	mb, err := readEntry(mf, MaxJSONSize)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(mb, &rep.Manifest); err != nil {
		return nil, fmt.Errorf("manifest.json is damaged: %s", jsonProblem(mb, err))
	}
	if rep.Manifest.Format != PackFormat {
		return nil, fmt.Errorf("manifest.json is not an annex audit pack manifest (format %q)", rep.Manifest.Format)
	}
	if rep.Manifest.FormatVersion > PackFormatVersion {
		return nil, fmt.Errorf("the pack has manifest version %d; this annex reads up to %d", rep.Manifest.FormatVersion, PackFormatVersion)
	}
	listed := map[string]bool{ManifestName: true}
	for _, e := range rep.Manifest.Files {
		listed[e.Path] = true
		f, ok := byName[e.Path]
		if !ok {
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Missing})
			continue
		}
		sum, size, err := hashEntry(f)
		switch {
		case err != nil:
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Changed, Detail: err.Error()})
		case size != e.Size:
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Changed, Detail: fmt.Sprintf("%d bytes, manifest says %d", size, e.Size)})
		case !strings.EqualFold(sum, e.SHA256):
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Changed, Detail: "SHA-256 differs from the manifest"})
		default:
			rep.Checked++
		}
	}
	var extra []string
	for name := range byName {
		if !listed[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		rep.Problems = append(rep.Problems, Problem{Path: name, Kind: Extra, Detail: "not listed in the manifest"})
	}
	return rep, nil
}

func hashEntry(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, fmt.Errorf("cannot be read: %v", err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(rc, MaxEntrySize+1))
	if err != nil {
		return "", n, fmt.Errorf("damaged: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
