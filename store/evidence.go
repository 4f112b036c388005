package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// DefaultKeepLimit is the largest file whose bytes are kept in the workspace unless the
// caller says otherwise. Larger files are linked by path and hash only.
const DefaultKeepLimit int64 = 50 << 20

// AttachOptions say how a file is attached.
type AttachOptions struct {
	// NoKeep links the file by path and hash only, whatever its size.
	NoKeep bool
	// KeepLimit is the largest file (in bytes) whose bytes are kept; 0 means DefaultKeepLimit.
	KeepLimit int64
}

func (o AttachOptions) limit() int64 {
	if o.KeepLimit <= 0 {
		return DefaultKeepLimit
	}
	return o.KeepLimit
}

// EvidenceFile is a file read for attaching: its fingerprint and, when kept, its bytes.
type EvidenceFile struct {
	Path    string // absolute, cleaned
	Name    string // base name, for export
	SHA256  string
	Size    int64
	ModTime time.Time
	Data    []byte // nil when the bytes are not kept
}

func pathError(format string, a ...any) error {
	return &assessments.ValidationError{Field: "path", Message: fmt.Sprintf(format, a...)}
}

// ReadEvidenceFile hashes the file at path and keeps its bytes when opt allows. It takes no
// lock on the workspace: call it before the transaction that stores the result. A path that
// does not exist, a folder, a special file or an unreadable file is a *ValidationError on
// the "path" field.
func ReadEvidenceFile(path string, opt AttachOptions) (EvidenceFile, error) {
	abs, err := absPath(path)
	if err != nil {
		return EvidenceFile{}, err
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return EvidenceFile{}, pathError("File %s does not exist.", abs)
	case errors.Is(err, fs.ErrPermission):
		return EvidenceFile{}, pathError("File %s cannot be read: permission denied.", abs)
	case err != nil:
		return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
	case st.IsDir():
		return EvidenceFile{}, pathError("%s is a folder; attach a file in it.", abs)
	case !st.Mode().IsRegular():
		return EvidenceFile{}, pathError("%s is not a regular file.", abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return EvidenceFile{}, pathError("File %s cannot be read: permission denied.", abs)
		}
		return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
	}
	out := EvidenceFile{Path: abs, Name: filepath.Base(abs), ModTime: st.ModTime().UTC().Truncate(time.Second)}
	h := sha256.New()
	keep := !opt.NoKeep && st.Size() <= opt.limit()
	if keep {
		// Read at most limit+1 bytes: a file that grew past the limit meanwhile is not kept.
		data, err := io.ReadAll(io.LimitReader(f, opt.limit()+1))
		if err != nil {
			return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
		}
		h.Write(data)
		out.Size = int64(len(data))
		if out.Size <= opt.limit() {
			out.Data = data
		} else {
			n, err := io.Copy(h, f)
			if err != nil {
				return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
			}
			out.Size += n
		}
	} else {
		n, err := io.Copy(h, f)
		if err != nil {
			return EvidenceFile{}, pathError("File %s cannot be read: %v.", abs, unwrapPathErr(err))
		}
		out.Size = n
	}
	out.SHA256 = hex.EncodeToString(h.Sum(nil))
	if out.Data == nil && keep && out.Size == 0 {
		out.Data = []byte{}
	}
	return out, nil
}

// ObserveFile re-hashes a recorded evidence file for the integrity check.
func ObserveFile(path string) assessments.FileObservation {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return assessments.FileObservation{Problem: "no file at " + path}
		}
		return assessments.FileObservation{Problem: "cannot read " + path + ": " + unwrapPathErr(err).Error()}
	}
	if !st.Mode().IsRegular() {
		return assessments.FileObservation{Problem: path + " is no longer a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return assessments.FileObservation{Problem: "cannot read " + path + ": " + unwrapPathErr(err).Error()}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return assessments.FileObservation{Problem: "cannot read " + path + ": " + unwrapPathErr(err).Error()}
	}
	return assessments.FileObservation{Exists: true, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// absPath expands a leading ~ and makes the path absolute.
func absPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", pathError("Give the path of the file to attach.")
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", pathError("%s is not a usable path: %v.", p, err)
	}
	return abs, nil
}

var evidenceFields = []string{"title", "kind", "description", "collected_on", "collected_by", "valid_until",
	"path", "sha256", "size", "mtime", "kept", "url"}

func evidenceMap(e assessments.Evidence) map[string]string {
	mtime := ""
	if !e.ModTime.IsZero() {
		mtime = e.ModTime.UTC().Format(time.RFC3339)
	}
	size := ""
	if e.Path != "" {
		size = strconv.FormatInt(e.Size, 10)
	}
	return map[string]string{
		"title": e.Title, "kind": string(e.Kind), "description": e.Description,
		"collected_on": e.CollectedOn, "collected_by": e.CollectedBy, "valid_until": e.ValidUntil,
		"path": e.Path, "sha256": e.SHA256, "size": size, "mtime": mtime,
		"kept": strconv.FormatBool(e.Kept), "url": e.URL,
	}
}

// applyFile copies a freshly read file's fingerprint into e.
func applyFile(e *assessments.Evidence, f EvidenceFile, at time.Time) {
	e.Path, e.SHA256, e.Size, e.ModTime, e.Kept = f.Path, f.SHA256, f.Size, f.ModTime, f.Data != nil
	e.Integrity, e.CheckDetail, e.CheckedAt = assessments.IntegrityOK, "", at
}

func clearFile(e *assessments.Evidence) {
	e.Path, e.SHA256, e.Size, e.ModTime, e.Kept = "", "", 0, time.Time{}, false
	e.Integrity, e.CheckDetail, e.CheckedAt = assessments.IntegrityUnchecked, "", time.Time{}
}

// CreateEvidence adds an evidence item with its links. When e.Path is set the file is hashed
// (and its bytes kept, within opt's limit) before the write transaction begins. Bad input is
// a *assessments.ValidationError and nothing is written.
func (s *Store) CreateEvidence(ctx context.Context, e assessments.Evidence, opt AttachOptions) (assessments.Evidence, error) {
	if err := e.Validate(); err != nil {
		return e, err
	}
	var file EvidenceFile
	if strings.TrimSpace(e.Path) != "" {
		var err error
		if file, err = ReadEvidenceFile(e.Path, opt); err != nil {
			return e, err
		}
		applyFile(&e, file, s.now().UTC())
	} else {
		clearFile(&e)
	}
	if e.ID == "" {
		e.ID = NewID()
	}
	now := s.now().UTC()
	e.CreatedAt, e.UpdatedAt, e.UpdatedBy = now, now, s.author
	e.Links = dedupeLinks(e.Links)
	var saved assessments.Evidence
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO evidence(id, engagement_id, title, kind, description, collected_on, collected_by, valid_until,
			path, sha256, size, mtime, kept, url, check_state, check_detail, checked_at, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.EngagementID, e.Title, string(e.Kind), e.Description, e.CollectedOn, e.CollectedBy, e.ValidUntil,
			e.Path, e.SHA256, e.Size, evidenceMap(e)["mtime"], boolInt(e.Kept), e.URL, string(e.Integrity), e.CheckDetail,
			stampOf(e.CheckedAt), now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), tx.author); err != nil {
			return fmt.Errorf("save evidence: %w", friendlyFK(err))
		}
		if err := writeBlob(ctx, tx.h, e.ID, file); err != nil {
			return err
		}
		if err := tx.Record(ctx, e.EngagementID, "evidence", e.ID, Diff(append([]string{"created"}, evidenceFields...),
			map[string]string{}, withCreated(evidenceMap(e)))); err != nil {
			return err
		}
		if _, err := tx.link(ctx, e.EngagementID, e.ID, e.Links); err != nil {
			return err
		}
		var err error
		saved, err = tx.EvidenceItem(ctx, e.ID)
		return err
	})
	if err != nil {
		return e, err
	}
	return saved, nil
}

func friendlyFK(err error) error {
	if strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("the engagement no longer exists: %w", ErrNotFound)
	}
	return err
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func writeBlob(ctx context.Context, h Handler, id string, f EvidenceFile) error {
	if _, err := h.ExecContext(ctx, "DELETE FROM evidence_blobs WHERE evidence_id = ?", id); err != nil {
		return fmt.Errorf("replace kept copy: %w", err)
	}
	if f.Data == nil {
		return nil
	}
	if _, err := h.ExecContext(ctx, "INSERT INTO evidence_blobs(evidence_id, name, sha256, size, data) VALUES (?, ?, ?, ?, ?)",
		id, f.Name, f.SHA256, f.Size, f.Data); err != nil {
		return fmt.Errorf("keep a copy of %s: %w", f.Name, err)
	}
	return nil
}

func dedupeLinks(in []assessments.EvidenceLink) []assessments.EvidenceLink {
	seen := map[string]bool{}
	var out []assessments.EvidenceLink
	for _, l := range in {
		k := l.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, l)
	}
	return out
}

// evidenceFileFields are the fields that describe the attached file; a change to any of them
// is a new file (or none), which takes a fresh check state and replaces the kept copy.
var evidenceFileFields = map[string]bool{"path": true, "sha256": true, "size": true, "mtime": true, "kept": true, "check": true}

func evidenceFromMap(stored assessments.Evidence, m map[string]string) (assessments.Evidence, error) {
	e := stored
	e.Title, e.Kind, e.Description = m["title"], assessments.EvidenceKind(m["kind"]), m["description"]
	e.CollectedOn, e.CollectedBy, e.ValidUntil = m["collected_on"], m["collected_by"], m["valid_until"]
	e.Path, e.SHA256, e.Kept, e.URL = m["path"], m["sha256"], m["kept"] == "true", m["url"]
	e.Size, e.ModTime = 0, time.Time{}
	if v := m["size"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return e, fmt.Errorf("file size %q is not a number", v)
		}
		e.Size = n
	}
	if v := m["mtime"]; v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return e, fmt.Errorf("file time %q is not a time", v)
		}
		e.ModTime = t
	}
	if v, ok := m["check"]; ok {
		e.Integrity = assessments.Integrity(v)
	}
	return e, nil
}

// evidenceEntity is how update saves an evidence item. fields are evidenceFields for an
// edit, the fingerprint and check state for a re-attach; file is the file read for a new
// path (nil when none was read). Links are not fields: LinkEvidence and UnlinkEvidence.
func evidenceEntity(fields []string, file *EvidenceFile) entity[assessments.Evidence] {
	withCheck := false
	for _, f := range fields {
		withCheck = withCheck || f == "check"
	}
	return entity[assessments.Evidence]{
		name:   "evidence",
		fields: fields,
		toMap: func(e assessments.Evidence) map[string]string {
			m := evidenceMap(e)
			if withCheck {
				m["check"] = string(e.Integrity)
			}
			return m
		},
		fromMap: evidenceFromMap,
		load: func(ctx context.Context, tx *Store, key assessments.Evidence) (assessments.Evidence, error) {
			return tx.EvidenceItem(ctx, key.ID)
		},
		validate: func(_ context.Context, _ *Store, _, next assessments.Evidence) error { return next.Validate() },
		write: func(ctx context.Context, tx *Store, stored, next assessments.Evidence, changed []FieldDiff) error {
			newFile, keptChanged := false, false
			for _, d := range changed {
				newFile = newFile || (evidenceFileFields[d.Field] && d.Field != "kept")
				keptChanged = keptChanged || d.Field == "kept"
			}
			if newFile {
				// A file just read is ok as of now; no file is unchecked.
				if next.Path == "" {
					next.Integrity, next.CheckDetail, next.CheckedAt = assessments.IntegrityUnchecked, "", time.Time{}
				} else {
					next.Integrity, next.CheckDetail, next.CheckedAt = assessments.IntegrityOK, "", tx.now().UTC()
				}
			}
			if _, err := tx.h.ExecContext(ctx, `UPDATE evidence SET title=?, kind=?, description=?, collected_on=?, collected_by=?, valid_until=?,
				path=?, sha256=?, size=?, mtime=?, kept=?, url=?, check_state=?, check_detail=?, checked_at=?, updated_at=?, updated_by=? WHERE id=?`,
				next.Title, string(next.Kind), next.Description, next.CollectedOn, next.CollectedBy, next.ValidUntil,
				next.Path, next.SHA256, next.Size, evidenceMap(next)["mtime"], boolInt(next.Kept), next.URL,
				string(next.Integrity), next.CheckDetail, stampOf(next.CheckedAt), tx.stamp(), tx.author, stored.ID); err != nil {
				return fmt.Errorf("save evidence: %w", err)
			}
			if !newFile && !keptChanged {
				return nil
			}
			var blob EvidenceFile // no file read: the kept copy goes
			if file != nil {
				blob = *file
			}
			return writeBlob(ctx, tx.h, stored.ID, blob)
		},
		ids:   func(e assessments.Evidence) (string, string) { return e.ID, e.EngagementID },
		label: func(e assessments.Evidence) string { return "evidence " + strconv.Quote(cutLabel(e.Title, 24)) },
		labels: map[string]string{"path": "file", "sha256": "file fingerprint", "size": "file size", "mtime": "file time",
			"kept": "kept copy", "url": "web address", "check": "file check"},
		words: func(field, v string) string {
			switch field {
			case "kept":
				return yesNo(v)
			case "check":
				if v == "" {
					return "not checked"
				}
			}
			return v
		},
	}
}

// UpdateEvidence saves the fields that differ between before (what the caller showed) and
// after onto the stored item (the single update path, update.go). A new path attaches that
// file instead (hashed before the transaction); an empty path drops the file and its kept
// copy. A field changed elsewhere meanwhile is a *ConflictError, an item that breaks a rule
// a *assessments.ValidationError; nothing is written then. Links are edited with
// LinkEvidence and UnlinkEvidence (group them with this call in WithTx to save all or none).
func (s *Store) UpdateEvidence(ctx context.Context, before, after assessments.Evidence, opt AttachOptions) (assessments.Evidence, error) {
	if before.ID == "" || before.ID != after.ID {
		return before, errors.New("update evidence: before and after name different items")
	}
	var file *EvidenceFile
	if strings.TrimSpace(after.Path) == "" {
		clearFile(&after)
	} else if abs, _ := absPath(after.Path); abs != before.Path {
		f, err := ReadEvidenceFile(after.Path, opt)
		if err != nil {
			return before, err
		}
		applyFile(&after, f, s.now().UTC())
		file = &f
	} else {
		keep := after.Kept
		after.Path, after.SHA256, after.Size, after.ModTime, after.Kept = before.Path, before.SHA256, before.Size, before.ModTime, before.Kept
		if keep && !before.Kept {
			// Keep a copy of the file already attached: its bytes are read again.
			f, err := keptFile(before, opt)
			if err != nil {
				return before, err
			}
			after.Kept, file = true, &f
		} else if !keep && before.Kept {
			after.Kept = false // the kept copy goes
		}
	}
	return update(ctx, s, evidenceEntity(evidenceFields, file), before, after)
}

func keptError(format string, a ...any) error {
	return &assessments.ValidationError{Field: "kept", Message: fmt.Sprintf(format, a...)}
}

func byteSize(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// keptFile reads the attached file again to keep a copy of it: its bytes must still be the
// ones attached, and within the limit.
func keptFile(before assessments.Evidence, opt AttachOptions) (EvidenceFile, error) {
	file, err := ReadEvidenceFile(before.Path, AttachOptions{KeepLimit: opt.KeepLimit})
	var ve *assessments.ValidationError
	switch {
	case errors.As(err, &ve):
		return file, keptError("No copy can be kept: %s", ve.Message)
	case err != nil:
		return file, err
	case file.SHA256 != before.SHA256:
		return file, keptError("No copy can be kept: %s is no longer the file attached (its bytes changed); accept the changed file first.", before.Path)
	case file.Data == nil:
		return file, keptError("No copy can be kept: %s is larger than %s.", before.Path, byteSize(opt.limit()))
	}
	return file, nil
}

// SaveEvidenceWithLinks saves an evidence item and its link edits in one transaction, so the
// fields, the links removed and the links added land together or not at all. With before nil
// it creates after with after.Links and link. Otherwise it saves the fields that differ
// between *before and after (UpdateEvidence), removes the links in unlink and adds those in
// link.
func (s *Store) SaveEvidenceWithLinks(ctx context.Context, before *assessments.Evidence, after assessments.Evidence,
	unlink, link []assessments.EvidenceLink, opt AttachOptions) (assessments.Evidence, error) {
	for _, l := range append(append([]assessments.EvidenceLink{}, unlink...), link...) {
		if err := l.Validate(); err != nil {
			return after, err
		}
	}
	if before == nil {
		if !after.Kept {
			opt.NoKeep = true
		}
		after.Links = append(append([]assessments.EvidenceLink{}, after.Links...), link...)
		return s.CreateEvidence(ctx, after, opt)
	}
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.UpdateEvidence(ctx, *before, after, opt); err != nil {
			return err
		}
		for _, l := range unlink {
			if err := tx.UnlinkEvidence(ctx, before.ID, l); err != nil {
				return err
			}
		}
		if len(link) > 0 {
			if _, err := tx.LinkEvidence(ctx, before.ID, link...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return *before, err
	}
	return s.EvidenceItem(ctx, before.ID)
}

// ReattachEvidenceFile accepts the file now at the item's path as the new original: it is
// re-hashed (outside the lock), its fingerprint and kept copy replace the old ones, and the
// item reads ok again. Use it after a consultant confirmed that a changed file is legitimate.
func (s *Store) ReattachEvidenceFile(ctx context.Context, id string, opt AttachOptions) (assessments.Evidence, error) {
	cur, err := s.EvidenceItem(ctx, id)
	if err != nil {
		return cur, err
	}
	if cur.Path == "" {
		return cur, pathError("%q has no file to re-attach.", cur.Title)
	}
	file, err := ReadEvidenceFile(cur.Path, opt)
	if err != nil {
		return cur, err
	}
	after := cur
	applyFile(&after, file, s.now().UTC())
	fields := []string{"sha256", "size", "mtime", "kept", "check"}
	return update(ctx, s, evidenceEntity(fields, &file), cur, after)
}

// DeleteEvidence removes an item, its kept copy and its links; it returns the links it
// removed. The history keeps a row for the item and for each link.
func (s *Store) DeleteEvidence(ctx context.Context, id string) ([]assessments.EvidenceLink, error) {
	var links []assessments.EvidenceLink
	err := s.WithTx(ctx, func(tx *Store) error {
		cur, err := tx.EvidenceItem(ctx, id)
		if err != nil {
			return err
		}
		links = cur.Links
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM evidence WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete evidence: %w", err)
		}
		diffs := make([]FieldDiff, 0, len(links)+1)
		for _, l := range links {
			diffs = append(diffs, FieldDiff{Field: "link", Old: l.String(), New: ""})
		}
		diffs = append(diffs, FieldDiff{Field: "deleted", Old: cur.Title, New: "yes"})
		return tx.Record(ctx, cur.EngagementID, "evidence", id, diffs)
	})
	return links, err
}

// LinkEvidence links an item to requirements, risks or impact assessments. Links that
// already exist are left as they are; it returns how many were added.
func (s *Store) LinkEvidence(ctx context.Context, id string, links ...assessments.EvidenceLink) (int, error) {
	for _, l := range links {
		if err := l.Validate(); err != nil {
			return 0, err
		}
	}
	var n int
	err := s.WithTx(ctx, func(tx *Store) error {
		cur, err := tx.EvidenceItem(ctx, id)
		if err != nil {
			return err
		}
		n, err = tx.link(ctx, cur.EngagementID, id, links)
		return err
	})
	return n, err
}

// link adds links to an item; call it on a handle bound to a transaction.
func (s *Store) link(ctx context.Context, engagementID, id string, links []assessments.EvidenceLink) (int, error) {
	var diffs []FieldDiff
	for _, l := range dedupeLinks(links) {
		if err := checkLinkTarget(ctx, s.h, engagementID, l); err != nil {
			return 0, err
		}
		res, err := s.h.ExecContext(ctx, `INSERT INTO evidence_links(evidence_id, engagement_id, target, standard, target_ref, provenance, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, engagementID, string(l.Target), l.Standard, l.Ref, l.Provenance, s.stamp())
		if err != nil {
			return 0, fmt.Errorf("link evidence to %s: %w", l, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			nv := l.String()
			if l.Provenance != "" {
				nv += " (" + l.Provenance + ")"
			}
			diffs = append(diffs, FieldDiff{Field: "link", Old: "", New: nv})
		}
	}
	return len(diffs), s.Record(ctx, engagementID, "evidence", id, diffs)
}

// linkTargetExists is the SQL condition, on a link row l, that its risk or impact
// assessment still exists: those live in other tables, so a deleted one leaves a link
// behind that reads must skip.
const linkTargetExists = `(l.target = 'requirement'
	OR (l.target = 'risk' AND EXISTS (SELECT 1 FROM risks r WHERE r.id = l.target_ref AND r.engagement_id = l.engagement_id))
	OR (l.target = 'impact_assessment' AND EXISTS (SELECT 1 FROM impact_assessments a WHERE a.id = l.target_ref AND a.engagement_id = l.engagement_id)))`

// checkLinkTarget refuses a link to a risk or impact assessment the engagement does not have.
func checkLinkTarget(ctx context.Context, h Handler, engagementID string, l assessments.EvidenceLink) error {
	var table, what string
	switch l.Target {
	case assessments.LinkRisk:
		table, what = "risks", "risk"
	case assessments.LinkImpactAssessment:
		table, what = "impact_assessments", "impact assessment"
	default:
		return nil
	}
	var n int
	if err := h.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE id = ? AND engagement_id = ?", l.Ref, engagementID).Scan(&n); err != nil {
		return fmt.Errorf("look up %s %s: %w", what, l.Ref, err)
	}
	if n == 0 {
		return fmt.Errorf("the engagement has no %s %s: %w", what, l.Ref, ErrNotFound)
	}
	return nil
}

// UnlinkEvidence removes one link; removing a link that does not exist is not an error.
func (s *Store) UnlinkEvidence(ctx context.Context, id string, l assessments.EvidenceLink) error {
	return s.WithTx(ctx, func(tx *Store) error {
		cur, err := tx.EvidenceItem(ctx, id)
		if err != nil {
			return err
		}
		res, err := tx.h.ExecContext(ctx, "DELETE FROM evidence_links WHERE evidence_id = ? AND target = ? AND standard = ? AND target_ref = ?",
			id, string(l.Target), l.Standard, l.Ref)
		if err != nil {
			return fmt.Errorf("unlink evidence: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.Record(ctx, cur.EngagementID, "evidence", id, []FieldDiff{{Field: "link", Old: l.String(), New: ""}})
	})
}

// CopyRequirementEvidence links every item that supports (fromStd, fromRef) to (toStd, toRef)
// as well, keeping provenance (how the adoption came about). It is what adopting a result
// through the crosswalk calls to bring the evidence along; call it and SaveResult on one
// transaction (WithTx) to make both land together. Items already linked are left alone; it
// returns how many links it added.
func (s *Store) CopyRequirementEvidence(ctx context.Context, engagementID, fromStd, fromRef, toStd, toRef, provenance string) (int, error) {
	if fromStd == "" || fromRef == "" || toStd == "" || toRef == "" {
		return 0, errors.New("copy evidence: both requirements must be named")
	}
	if fromStd == toStd && fromRef == toRef {
		return 0, nil
	}
	added := 0
	err := s.WithTx(ctx, func(tx *Store) error {
		rows, err := tx.h.QueryContext(ctx, `SELECT evidence_id FROM evidence_links WHERE engagement_id = ? AND target = 'requirement'
			AND standard = ? AND target_ref = ? ORDER BY evidence_id`, engagementID, fromStd, fromRef)
		if err != nil {
			return fmt.Errorf("read evidence of %s %s: %w", fromStd, fromRef, err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		link := assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: toStd, Ref: toRef, Provenance: provenance}
		for _, id := range ids {
			n, err := tx.link(ctx, engagementID, id, []assessments.EvidenceLink{link})
			if err != nil {
				return err
			}
			added += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// EvidenceItem loads one item with its links.
func (s *Store) EvidenceItem(ctx context.Context, id string) (assessments.Evidence, error) {
	list, err := s.queryEvidence(ctx, "WHERE e.id = ?", id)
	if err != nil {
		return assessments.Evidence{}, err
	}
	if len(list) == 0 {
		return assessments.Evidence{}, fmt.Errorf("evidence %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Evidence lists an engagement's evidence items with their links, by title.
func (s *Store) Evidence(ctx context.Context, engagementID string) ([]assessments.Evidence, error) {
	return s.queryEvidence(ctx, "WHERE e.engagement_id = ?", engagementID)
}

// EvidenceFor lists the items linked to one requirement of an engagement.
func (s *Store) EvidenceFor(ctx context.Context, engagementID, standard, ref string) ([]assessments.Evidence, error) {
	return s.queryEvidence(ctx, `WHERE e.id IN (SELECT evidence_id FROM evidence_links WHERE engagement_id = ?
		AND target = 'requirement' AND standard = ? AND target_ref = ?)`, engagementID, standard, ref)
}

// EvidenceForTarget lists the items linked to a risk or an impact assessment.
func (s *Store) EvidenceForTarget(ctx context.Context, engagementID string, target assessments.LinkTarget, id string) ([]assessments.Evidence, error) {
	return s.queryEvidence(ctx, `WHERE e.id IN (SELECT l.evidence_id FROM evidence_links l WHERE l.engagement_id = ?
		AND l.target = ? AND l.standard = '' AND l.target_ref = ? AND `+linkTargetExists+`)`, engagementID, string(target), id)
}

func (s *Store) queryEvidence(ctx context.Context, where string, args ...any) ([]assessments.Evidence, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT e.id, e.engagement_id, e.title, e.kind, e.description, e.collected_on, e.collected_by, e.valid_until,
		e.path, e.sha256, e.size, e.mtime, e.kept, e.url, e.check_state, e.check_detail, e.checked_at, e.created_at, e.updated_at, e.updated_by
		FROM evidence e `+where+` ORDER BY `+s.nocase("e.title")+`, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	var out []assessments.Evidence
	index := map[string]int{}
	for rows.Next() {
		var e assessments.Evidence
		var kind, mtime, state, checked, created, updated string
		var kept int
		if err := rows.Scan(&e.ID, &e.EngagementID, &e.Title, &kind, &e.Description, &e.CollectedOn, &e.CollectedBy, &e.ValidUntil,
			&e.Path, &e.SHA256, &e.Size, &mtime, &kept, &e.URL, &state, &e.CheckDetail, &checked, &created, &updated, &e.UpdatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		e.Kind, e.Integrity, e.Kept = assessments.EvidenceKind(kind), assessments.Integrity(state), kept == 1
		e.ModTime, _ = time.Parse(time.RFC3339, mtime)
		e.CheckedAt, _ = time.Parse(time.RFC3339Nano, checked)
		e.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		e.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// One query for the links of every item listed.
	lrows, err := s.h.QueryContext(ctx, `SELECT l.evidence_id, l.target, l.standard, l.target_ref, l.provenance FROM evidence_links l
		WHERE l.evidence_id IN (SELECT e.id FROM evidence e `+where+`) AND `+linkTargetExists+`
		ORDER BY CASE l.target WHEN 'requirement' THEN 0 WHEN 'risk' THEN 1 ELSE 2 END, l.standard, l.target_ref`, args...)
	if err != nil {
		return nil, fmt.Errorf("read evidence links: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id, target string
		var l assessments.EvidenceLink
		if err := lrows.Scan(&id, &target, &l.Standard, &l.Ref, &l.Provenance); err != nil {
			return nil, err
		}
		l.Target = assessments.LinkTarget(target)
		if i, ok := index[id]; ok {
			out[i].Links = append(out[i].Links, l)
		}
	}
	return out, lrows.Err()
}

// KeptCopy returns the kept bytes of an item and the file's original name.
func (s *Store) KeptCopy(ctx context.Context, id string) (name string, data []byte, err error) {
	err = s.h.QueryRowContext(ctx, "SELECT name, data FROM evidence_blobs WHERE evidence_id = ?", id).Scan(&name, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("no copy of evidence %s is kept in the workspace: %w", id, ErrNotFound)
	}
	return name, data, err
}

// EvidenceCheck is the outcome of re-hashing one item's file.
type EvidenceCheck struct {
	Evidence  assessments.Evidence // as stored after the check
	Integrity assessments.Integrity
	Detail    string
	// Was is the integrity recorded by the previous check.
	Was assessments.Integrity
}

// EvidenceCheckReport sums up an integrity check.
type EvidenceCheckReport struct {
	Checked []EvidenceCheck
	OK      int
	Changed int
	Missing int
}

// Problems is the number of changed or missing files.
func (r EvidenceCheckReport) Problems() int { return r.Changed + r.Missing }

// CheckEvidence re-hashes the file of every evidence item of an engagement ("" = every
// engagement) and records each outcome. Files are read without holding the workspace lock;
// the outcomes are written in one short transaction at the end. progress, when not nil, is
// called after each file with the number done and the total.
func (s *Store) CheckEvidence(ctx context.Context, engagementID string, progress func(done, total int)) (EvidenceCheckReport, error) {
	var rep EvidenceCheckReport
	where, args := "WHERE e.path <> ''", []any{}
	if engagementID != "" {
		where += " AND e.engagement_id = ?"
		args = append(args, engagementID)
	}
	items, err := s.queryEvidence(ctx, where, args...)
	if err != nil {
		return rep, err
	}
	type outcome struct {
		item   assessments.Evidence
		state  assessments.Integrity
		detail string
	}
	outs := make([]outcome, 0, len(items))
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		obs := ObserveFile(it.Path)
		st := assessments.CompareFile(it.SHA256, obs)
		detail := obs.Problem
		if st == assessments.IntegrityChanged {
			detail = fmt.Sprintf("the file's bytes differ from those attached (now %d bytes, SHA-256 %s…)", obs.Size, obs.SHA256[:12])
		}
		outs = append(outs, outcome{it, st, detail})
		if progress != nil {
			progress(i+1, len(items))
		}
	}
	at := s.stamp()
	err = s.WithTx(ctx, func(tx *Store) error {
		for _, o := range outs {
			cur, err := tx.EvidenceItem(ctx, o.item.ID)
			if errors.Is(err, ErrNotFound) {
				continue // deleted while we were reading
			}
			if err != nil {
				return err
			}
			if cur.SHA256 != o.item.SHA256 || cur.Path != o.item.Path {
				continue // re-attached while we were reading: our outcome is about an older file
			}
			if _, err := tx.h.ExecContext(ctx, "UPDATE evidence SET check_state = ?, check_detail = ?, checked_at = ? WHERE id = ?",
				string(o.state), o.detail, at, cur.ID); err != nil {
				return fmt.Errorf("record the check of %q: %w", cur.Title, err)
			}
			if cur.Integrity != o.state {
				if err := tx.Record(ctx, cur.EngagementID, "evidence", cur.ID, []FieldDiff{{Field: "check", Old: string(cur.Integrity), New: string(o.state)}}); err != nil {
					return err
				}
			}
			was := cur.Integrity
			cur.Integrity, cur.CheckDetail = o.state, o.detail
			cur.CheckedAt, _ = time.Parse(time.RFC3339Nano, at)
			rep.Checked = append(rep.Checked, EvidenceCheck{Evidence: cur, Integrity: o.state, Detail: o.detail, Was: was})
			switch o.state {
			case assessments.IntegrityOK:
				rep.OK++
			case assessments.IntegrityChanged:
				rep.Changed++
			case assessments.IntegrityMissing:
				rep.Missing++
			}
		}
		return nil
	})
	return rep, err
}

// ExportedFile is one kept copy written by ExportEvidenceFiles.
type ExportedFile struct {
	EvidenceID string
	Title      string
	Path       string
	Size       int64
}

// ExportEvidenceFiles writes the kept copies of an engagement's evidence into dir (created
// 0700 when missing), each file 0600 under its original name made safe: no folder parts, no
// control characters, never outside dir, never over an existing file (a number is added).
// A kept copy whose bytes no longer match their recorded hash is refused.
func (s *Store) ExportEvidenceFiles(ctx context.Context, engagementID, dir string) ([]ExportedFile, error) {
	if strings.TrimSpace(dir) == "" {
		return nil, errors.New("name the folder to export the evidence files to")
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("export folder %s: %w", dir, err)
	}
	if st, err := os.Stat(absDir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a folder", absDir)
	}
	rows, err := s.h.QueryContext(ctx, `SELECT b.evidence_id, e.title, b.name, b.sha256 FROM evidence_blobs b JOIN evidence e ON e.id = b.evidence_id
		WHERE e.engagement_id = ? ORDER BY `+s.nocase("e.title")+`, e.id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read kept copies: %w", err)
	}
	type blob struct{ id, title, name, sum string }
	var blobs []blob
	for rows.Next() {
		var b blob
		if err := rows.Scan(&b.id, &b.title, &b.name, &b.sum); err != nil {
			rows.Close()
			return nil, err
		}
		blobs = append(blobs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(blobs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(absDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the export folder %s: %w", absDir, unwrapPathErr(err))
	}
	var out []ExportedFile
	for _, b := range blobs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		_, data, err := s.KeptCopy(ctx, b.id)
		if err != nil {
			return out, err
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != b.sum {
			return out, fmt.Errorf("the kept copy of %q does not match its recorded hash; it was not exported", b.title)
		}
		p, err := writeExclusive(absDir, SafeFileName(b.name), data)
		if err != nil {
			return out, err
		}
		out = append(out, ExportedFile{EvidenceID: b.id, Title: b.title, Path: p, Size: int64(len(data))})
	}
	return out, nil
}

// writeExclusive writes data to dir/name, or "name (2).ext" and so on when taken.
func writeExclusive(dir, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; i < 10000; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		p := filepath.Join(dir, n)
		if rel, err := filepath.Rel(dir, p); err != nil || rel != n {
			return "", fmt.Errorf("refused to write %q outside %s", n, dir)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("cannot write %s: %w", p, unwrapPathErr(err))
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return "", fmt.Errorf("cannot write %s: %w", p, unwrapPathErr(err))
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("cannot write %s: %w", p, unwrapPathErr(err))
		}
		return p, nil
	}
	return "", fmt.Errorf("too many files named %s in %s", name, dir)
}

// SafeFileName turns a stored name into one plain file name: folder separators, control
// characters and characters Windows refuses become '_', leading dots go, and the result is
// at most 150 bytes with its extension kept.
func SafeFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteRune('_')
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	n := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	n = strings.TrimRight(n, ". ")
	if n == "" {
		n = "evidence"
	}
	if len(n) > 150 {
		ext := filepath.Ext(n)
		if len(ext) > 20 {
			ext = ""
		}
		stem := n[:150-len(ext)]
		for len(stem) > 0 && !utf8ValidTail(stem) {
			stem = stem[:len(stem)-1]
		}
		n = stem + ext
	}
	return n
}

// utf8ValidTail reports whether s does not end inside a multi-byte character.
func utf8ValidTail(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s
}

// EvidenceOverview lists an engagement's evidence with only what the figures of an
// overview need: id, title, valid-until date, recorded integrity and the links to
// requirements (in the order Evidence gives them); every other field is empty and links to
// risks and impact assessments are left out (Evidence reads the whole record). The
// dashboard reads a large library this way, in a fifth of the time.
func (s *Store) EvidenceOverview(ctx context.Context, engagementID string) ([]assessments.Evidence, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, title, valid_until, check_state FROM evidence WHERE engagement_id = ?
		ORDER BY `+s.nocase("title")+`, id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	var out []assessments.Evidence
	index := map[string]int{}
	for rows.Next() {
		e := assessments.Evidence{EngagementID: engagementID}
		var state string
		if err := rows.Scan(&e.ID, &e.Title, &e.ValidUntil, &state); err != nil {
			rows.Close()
			return nil, err
		}
		e.Integrity = assessments.Integrity(state)
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	links, err := s.h.QueryContext(ctx, `SELECT evidence_id, standard, target_ref, provenance FROM evidence_links
		WHERE engagement_id = ? AND target = 'requirement' ORDER BY standard, target_ref`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read evidence links: %w", err)
	}
	defer links.Close()
	for links.Next() {
		var id string
		l := assessments.EvidenceLink{Target: assessments.LinkRequirement}
		if err := links.Scan(&id, &l.Standard, &l.Ref, &l.Provenance); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Links = append(out[i].Links, l)
		}
	}
	return out, links.Err()
}
