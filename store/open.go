package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ApplicationID is what annex writes into the SQLite header of a workspace (PRAGMA
// application_id, bytes 68-71): "ANNX". A file carrying another program's id is refused
// from its header alone, before SQLite opens it.
const ApplicationID = 0x414E4E58

// ErrReadOnly is matched (errors.Is) by every write on a workspace opened read-only,
// returned before anything is written.
var ErrReadOnly = errors.New("the workspace is open read-only, so nothing was changed")

// readOnlyError says which workspace is read-only and why, in one sentence.
type readOnlyError struct{ path, why string }

func (e *readOnlyError) Error() string {
	return fmt.Sprintf("the workspace is read-only (%s), so nothing was changed", e.why)
}

func (e *readOnlyError) Is(target error) bool { return target == ErrReadOnly }

// fileKind is what the probe found at a path.
type fileKind int

const (
	kindMissing   fileKind = iota // no file: a new workspace
	kindEmpty                     // a 0-byte file: may become a workspace
	kindBlankDB                   // a SQLite file without any table: may become a workspace
	kindWorkspace                 // an annex workspace
)

// probe decides what the file at path is without writing a byte: the header is read
// with plain file reads, and when that is not enough SQLite opens the file read-only
// (mode=ro) to look for annex's meta table. latest is the newest schema this binary knows.
func probe(ctx context.Context, path string, latest int) (fileKind, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return kindMissing, nil
	case err != nil:
		return 0, fmt.Errorf("cannot use workspace %s: %w", path, unwrapPathErr(err))
	case st.IsDir():
		return 0, fmt.Errorf("%s is a folder, not a workspace file", path)
	case !st.Mode().IsRegular():
		return 0, fmt.Errorf("%s is %w: it is not a regular file, so annex left it alone", path, ErrNotWorkspace)
	case st.Size() == 0:
		return kindEmpty, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))
	}
	head := make([]byte, 100)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if n < len(sqliteHeader) || !bytes.Equal(head[:len(sqliteHeader)], []byte(sqliteHeader)) {
		return 0, fmt.Errorf("%s is %w: it is not a SQLite database, so annex left it alone", path, ErrNotWorkspace)
	}
	foreign := fmt.Errorf("%s is %w: it is a SQLite database of another program, so annex left it alone", path, ErrNotWorkspace)
	if n == len(head) {
		switch id := binary.BigEndian.Uint32(head[68:72]); {
		case id != 0 && id != ApplicationID:
			return 0, foreign
		case id == ApplicationID && int(binary.BigEndian.Uint32(head[60:64])) > latest:
			return kindWorkspace, tooNew(path, int(binary.BigEndian.Uint32(head[60:64])), latest)
		}
	}
	// The header alone does not tell (an older workspace without the id, or one whose
	// newest pages are still in its WAL): ask SQLite, read-only. A file with no -wal
	// beside it has nothing outside the main file, and SQLite may make -wal and -shm to
	// read it even read-only (a WAL header, a short file): it is read as immutable
	// instead, so nothing is created beside another program's file.
	_, walErr := os.Stat(path + "-wal")
	var db *sql.DB
	if errors.Is(walErr, fs.ErrNotExist) {
		db, err = openImmutable(ctx, path)
	} else {
		db, err = openReadOnly(ctx, path)
	}
	if err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return 0, fmt.Errorf("%s is %w: SQLite cannot read it", path, ErrNotWorkspace)
		}
		return 0, fmt.Errorf("read workspace %s: %w", path, err)
	}
	defer db.Close()
	var appID, version, tables int
	if err := db.QueryRowContext(ctx, "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)").
		Scan(&appID, &version, &tables); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return 0, fmt.Errorf("%s is %w: SQLite cannot read it", path, ErrNotWorkspace)
		}
		return 0, fmt.Errorf("read workspace %s: %w", path, err)
	}
	switch {
	case appID != 0 && appID != ApplicationID:
		return 0, foreign
	case tables == 0 && version == 0:
		// It will be written to become a workspace: only if SQLite finds it sound.
		var check string
		if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
			return 0, fmt.Errorf("%s is %w: it is a damaged SQLite file, so annex left it alone", path, ErrNotWorkspace)
		}
		return kindBlankDB, nil
	}
	var app string
	if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'application'").Scan(&app); err != nil || app != "annex" {
		return 0, foreign
	}
	if version > latest {
		return kindWorkspace, tooNew(path, version, latest)
	}
	return kindWorkspace, nil
}

func tooNew(path string, v, latest int) error {
	return fmt.Errorf("%s is a %w (schema %d; this annex knows up to %d): update annex to open it; the file was not changed", path, ErrTooNew, v, latest)
}

// writable says why a workspace that exists cannot be written ("" when it can): the file
// or its folder (where SQLite keeps the -wal and -shm files) is not writable.
func writable(path string) string {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return "the file is not writable"
	}
	if err := unix.Access(filepath.Dir(path), unix.W_OK); err != nil {
		return "its folder is not writable"
	}
	return ""
}

// Modes lists the workspace file and its SQLite companions (-wal, -shm) that exist, with
// their permission bits.
func Modes(path string) map[string]fs.FileMode {
	out := map[string]fs.FileMode{}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil {
			out[p] = st.Mode().Perm()
		}
	}
	return out
}

// OpenToOthers lists the files of Modes that others than the owner may read or write.
func OpenToOthers(path string) []string {
	var out []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m, ok := Modes(path)[p]; ok && m&0o077 != 0 {
			out = append(out, p)
		}
	}
	return out
}

// TightenModes sets the workspace file and its companions to 0600 (owner only) and
// returns the files it changed.
func TightenModes(path string) ([]string, error) {
	var changed []string
	for _, p := range OpenToOthers(path) {
		if err := os.Chmod(p, 0o600); err != nil {
			return changed, fmt.Errorf("cannot change the mode of %s: %w", p, unwrapPathErr(err))
		}
		changed = append(changed, p)
	}
	return changed, nil
}
