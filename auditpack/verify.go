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

	"github.com/annex-grc/annex/store"
)

// Problem kinds a verification reports.
const (
	Changed   = "changed"
	Missing   = "missing"
	Extra     = "extra"
	Unsafe    = "unsafe"
	Duplicate = "duplicate"
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
	// ManifestBytes are manifest.json as read (what a signature covers); SignatureBytes is
	// manifest.json.minisig when the pack has one.
	ManifestBytes  []byte
	SignatureBytes []byte
	Checked        int // files listed in the manifest whose hash holds
	Problems       []Problem
	// Notes are facts short of a problem (an older pack whose manifest is not covered).
	Notes []string
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

// VerifySource checks an opened pack: the manifest's own bytes (canonical form, its digest,
// fields that agree with data.json and history.jsonl), then every file it lists, and that
// nothing else is in the archive.
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
			rep.Problems = append(rep.Problems, Problem{Path: f.Name, Kind: Duplicate, Detail: "the archive holds this name twice"})
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
	rep.ManifestBytes = mb
	if err := json.Unmarshal(mb, &rep.Manifest); err != nil {
		return nil, fmt.Errorf("manifest.json is damaged: %s", jsonProblem(mb, err))
	}
	if rep.Manifest.Format != PackFormat {
		return nil, fmt.Errorf("manifest.json is not an annex audit pack manifest (format %q)", rep.Manifest.Format)
	}
	if rep.Manifest.FormatVersion > PackFormatVersion {
		return nil, fmt.Errorf("the pack has manifest version %d; this annex reads up to %d", rep.Manifest.FormatVersion, PackFormatVersion)
	}
	if rep.Manifest.FormatVersion >= 2 {
		rep.Problems = append(rep.Problems, checkManifest(mb, rep.Manifest, byName)...)
	} else {
		// A version 1 manifest beside files only version 2 writes is a downgraded manifest.
		for _, name := range []string{DigestName, HistoryName} {
			if _, ok := byName[name]; ok {
				rep.Problems = append(rep.Problems, Problem{Path: ManifestName, Kind: Changed,
					Detail: fmt.Sprintf("it says version 1, but the pack carries %s, which only version 2 writes", name)})
				break
			}
		}
		rep.Notes = append(rep.Notes, "made by an older annex (manifest version 1): the files are checked, the manifest's own fields are not")
	}
	listed := map[string]bool{ManifestName: true, DigestName: true, SignatureName: true}
	for _, e := range rep.Manifest.Files {
		if listed[e.Path] {
			kind, detail := Duplicate, "listed twice in the manifest"
			if reserved(e.Path) {
				kind, detail = Unsafe, "the manifest lists a file that is about the manifest itself"
			}
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: kind, Detail: detail})
			continue
		}
		listed[e.Path] = true
		f, ok := byName[e.Path]
		if !ok {
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Missing, Detail: "listed in the manifest, not in the archive"})
			continue
		}
		sum, size, err := hashEntry(f)
		switch {
		case err != nil:
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Changed, Detail: err.Error()})
		case size != e.Size:
			rep.Problems = append(rep.Problems, Problem{Path: e.Path, Kind: Changed, Detail: fmt.Sprintf("%d bytes, manifest says %d", size, e.Size)})
		case sum != strings.ToLower(e.SHA256):
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
		rep.Problems = append(rep.Problems, Problem{Path: name, Kind: Extra, Detail: "in the archive, not listed in the manifest"})
	}
	if f, ok := byName[SignatureName]; ok {
		if rep.SignatureBytes, err = readEntry(f, 64<<10); err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: SignatureName, Kind: Changed, Detail: err.Error()})
		}
	}
	return rep, nil
}

// checkManifest checks what covers the manifest's own fields: its bytes are its canonical
// encoding, manifest.json.sha256 holds their SHA-256, the file list is sorted with each
// path once and each hash in lower-case hex, and the engagement, standards, time of last
// change and history agree with data.json and history.jsonl (which the list covers).
func checkManifest(mb []byte, m Manifest, byName map[string]*zip.File) []Problem {
	var out []Problem
	bad := func(path, detail string) { out = append(out, Problem{Path: path, Kind: Changed, Detail: detail}) }
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	var strict Manifest
	if err := dec.Decode(&strict); err != nil {
		bad(ManifestName, "it has a field annex does not write: "+err.Error())
	} else if canon, err := m.Canonical(); err != nil || !bytes.Equal(canon, mb) {
		bad(ManifestName, "it is not in the exact form annex writes (a field, a space or the order was changed)")
	}
	if f, ok := byName[DigestName]; !ok {
		out = append(out, Problem{Path: DigestName, Kind: Missing, Detail: "the SHA-256 of manifest.json is not in the pack"})
	} else if b, err := readEntry(f, 1<<10); err != nil || !bytes.Equal(b, manifestDigest(mb)) {
		bad(ManifestName, "its SHA-256 differs from manifest.json.sha256 (the manifest or the digest was changed)")
	}
	for i, e := range m.Files {
		if len(e.SHA256) != 64 || strings.ToLower(e.SHA256) != e.SHA256 || strings.Trim(e.SHA256, "0123456789abcdef") != "" {
			bad(e.Path, "the manifest's SHA-256 for it is not 64 lower-case hex digits")
		}
		if i > 0 && m.Files[i-1].Path >= e.Path && m.Files[i-1].Path != e.Path {
			bad(ManifestName, fmt.Sprintf("its file list is not in order (%s after %s)", e.Path, m.Files[i-1].Path))
		}
	}
	// data.json says who the pack is about; the manifest must say the same.
	if f, ok := byName["data.json"]; !ok {
		out = append(out, Problem{Path: "data.json", Kind: Missing, Detail: "the manifest's engagement cannot be checked without it"})
	} else {
		b, err := readEntry(f, MaxJSONSize)
		if err != nil {
			bad("data.json", "it cannot be read to check the manifest's engagement: "+err.Error())
		} else {
			var doc struct {
				Engagement struct {
					ID           string   `json:"id"`
					Name         string   `json:"name"`
					Organisation string   `json:"organisation"`
					Standards    []string `json:"standards"`
				} `json:"engagement"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				bad("data.json", "it cannot be read to check the manifest's engagement: "+jsonProblem(b, err))
			} else {
				e := doc.Engagement
				for _, c := range [][3]string{{"id", e.ID, m.Engagement.ID}, {"name", e.Name, m.Engagement.Name},
					{"organisation", e.Organisation, m.Engagement.Organisation},
					{"standards", strings.Join(e.Standards, ","), strings.Join(m.Standards, ",")}} {
					if c[1] != c[2] {
						bad(ManifestName, fmt.Sprintf("its engagement %s differs from data.json's", c[0]))
					}
				}
			}
		}
	}
	if m.History == nil {
		bad(ManifestName, "it does not describe the change history (history.jsonl)")
	} else if m.History.File != HistoryName {
		bad(ManifestName, "its history names another file than history.jsonl")
	} else if f, ok := byName[HistoryName]; ok {
		b, err := readEntry(f, MaxEntrySize)
		var segs []store.HistorySegment
		if err == nil {
			segs, err = ParseHistory(b)
		}
		if err == nil {
			if err := checkHistory(m, segs); err != nil {
				bad(ManifestName, "its history does not match history.jsonl: "+err.Error())
			}
		} else {
			bad(HistoryName, err.Error())
		}
	} else {
		out = append(out, Problem{Path: HistoryName, Kind: Missing, Detail: "the manifest describes the change history, the archive does not hold it"})
	}
	return out
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
