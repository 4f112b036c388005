// Package store keeps annex's domain in one SQLite file per workspace (modernc.org/sqlite,
// pure Go), or for a team in a PostgreSQL schema (postgres.go). Migrations are embedded
// numbered SQL files per dialect, tracked with PRAGMA user_version or the schema_migrations
// table. SQL stays here; callers see the types of package assessments.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Handler is what both *sql.DB and *sql.Tx offer. Every query of the store goes through
// the handler of its *Store (the pool, or the transaction WithTx bound it to), so a backend
// that needs to rewrite SQL (PostgreSQL's $1 placeholders) wraps this one interface.
type Handler interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Options tune a workspace handle.
type Options struct {
	// Author is written into every change row; defaults to the OS user name.
	Author string
	// Now is the clock; defaults to time.Now. Tests inject a fixed one.
	Now func() time.Time
	// ReadOnly opens without creating, migrating or writing anything: every write returns
	// ErrReadOnly. A workspace that cannot be written is opened read-only without asking.
	ReadOnly bool
}

// Store is an open workspace. A *Store handed to the function of WithTx is bound to that
// transaction: everything called on it runs inside it.
type Store struct {
	db     *sql.DB
	h      Handler // what queries run on: db, or tx when bound
	tx     *sql.Tx // the transaction this handle is bound to; nil for the pool
	path   string
	author string
	now    func() time.Time
	// readOnly: every write returns ErrReadOnly (readOnlyWhy says why).
	readOnly    bool
	readOnlyWhy string
	notices     []string
	// pg: the workspace lives in PostgreSQL (postgres.go); info describes server and role.
	pg   bool
	info ServerInfo
}

// Errors a caller may want to tell apart.
var (
	ErrNotWorkspace = errors.New("not an annex workspace")
	ErrTooNew       = errors.New("workspace made by a newer annex")
	ErrConflict     = errors.New("changed by someone else")
	ErrNotFound     = errors.New("not found")
)

const sqliteHeader = "SQLite format 3\x00"

// DefaultAuthor is the OS user name, or "unknown".
func DefaultAuthor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := os.Getenv("USER"); v != "" {
		return v
	}
	return "unknown"
}

// DefaultPath is $ANNEX_DB, else $XDG_DATA_HOME/annex/workspace.db (~/.local/share/annex/workspace.db).
func DefaultPath() (string, error) {
	if p := os.Getenv("ANNEX_DB"); p != "" {
		return p, nil
	}
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find home directory for the default workspace: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "annex", "workspace.db"), nil
}

// Open opens or creates the workspace at path and migrates it to the current schema.
// What is at path is decided without writing a byte (probe): a file that is not SQLite,
// another program's SQLite database, or a workspace from a newer annex is refused
// untouched. A workspace that cannot be written (Options.ReadOnly, or a file or folder
// without write permission) is opened read-only: every read works, every write returns
// ErrReadOnly. Notices says what a person should know about the opening.
//
// A path starting with postgres:// or postgresql:// opens a team workspace in PostgreSQL
// instead (postgres.go).
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, opt)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("workspace path %q contains '?' or '#'; choose a plain file name", path)
	}
	latest := SchemaVersion()
	kind, err := probe(ctx, path, latest)
	if err != nil {
		return nil, err
	}
	readOnly, why := opt.ReadOnly, ""
	if readOnly {
		why = "opened in read-only mode"
	}
	var notices []string
	switch kind {
	case kindMissing:
		if readOnly {
			return nil, fmt.Errorf("workspace %s does not exist", path)
		}
		if err := createFile(path); err != nil {
			return nil, err
		}
	case kindEmpty, kindBlankDB:
		what := "an empty file"
		if kind == kindBlankDB {
			what = "an empty SQLite database"
		}
		if readOnly {
			return nil, fmt.Errorf("%s is %s, not a workspace yet; open it once without read-only mode to make it one", path, what)
		}
		if w := writable(path); w != "" {
			return nil, fmt.Errorf("%s is %s that cannot become a workspace: %s", path, what, w)
		}
		n, err := adopt(path, what)
		if err != nil {
			return nil, err
		}
		notices = append(notices, n)
	case kindWorkspace:
		if !readOnly {
			if w := writable(path); w != "" {
				readOnly, why = true, w
				notices = append(notices, fmt.Sprintf("%s is opened read-only: %s.", path, w))
			}
		}
	}
	if open := OpenToOthers(path); len(open) > 0 {
		notices = append(notices, fmt.Sprintf("%s can be read by other users (mode %04o); 'annex doctor --fix' makes it owner-only (0600).",
			path, Modes(path)[open[0]]))
	}
	var db *sql.DB
	if readOnly {
		db, err = openReadOnly(ctx, path)
	} else {
		db, err = sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate&_pragma=journal_mode(WAL)")
	}
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	s := &Store{db: db, h: db, path: path, author: opt.Author, now: opt.Now, readOnly: readOnly, readOnlyWhy: why, notices: notices}
	if readOnly {
		s.h = readOnlyHandler{db, &readOnlyError{path, why}}
	}
	if s.author == "" {
		s.author = DefaultAuthor()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx, readOnly); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// createFile creates a new, empty workspace file readable by its owner only.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot create the folder for workspace %s: %w", path, unwrapPathErr(err))
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("cannot create workspace %s: %w", path, unwrapPathErr(err))
	}
	return f.Close()
}

// adopt makes an empty file a workspace: owner-only first, and a notice saying so.
func adopt(path, what string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("cannot use workspace %s: %w", path, unwrapPathErr(err))
	}
	was := st.Mode().Perm()
	if was != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", fmt.Errorf("cannot make %s owner-only: %w", path, unwrapPathErr(err))
		}
		return fmt.Sprintf("%s was %s: it is now an annex workspace, readable by you only (mode 0600, was %04o).", path, what, was), nil
	}
	return fmt.Sprintf("%s was %s: it is now an annex workspace (mode 0600).", path, what), nil
}

// sqliteURI is path as a SQLite file: URI, so that URI parameters (mode=ro) are honoured.
func sqliteURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(path)
}

// openReadOnly opens path with SQLite in read-only mode (a file: URI, so that mode=ro is
// honoured) and checks that it can be read. A WAL workspace in a folder that cannot be
// written, whose -shm file does not exist, cannot be opened that way; it is then opened as
// immutable (no locks, no WAL): nobody can be writing it there anyway.
func openReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	var last error
	for _, params := range []string{"?mode=ro", "?mode=ro&immutable=1"} {
		db, err := sql.Open("sqlite", sqliteURI(path)+params+"&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
		if err != nil {
			return nil, err
		}
		var n int
		if last = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); last == nil {
			return db, nil
		}
		db.Close()
		// SQLite cannot make the -shm of a WAL file in a folder it may not write: "unable
		// to open", or "attempt to write a readonly database" (SQLITE_READONLY_DIRECTORY).
		if !strings.Contains(last.Error(), "unable to open") && !strings.Contains(last.Error(), "readonly database") {
			break
		}
	}
	return nil, last
}

// openImmutable opens path read-only as immutable: no locks, no WAL, nothing created.
func openImmutable(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", sqliteURI(path)+"?mode=ro&immutable=1&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ReadOnly reports whether the workspace was opened read-only; every write returns
// ErrReadOnly then.
func (s *Store) ReadOnly() bool { return s.readOnly }

// ReadOnlyReason says why the workspace is read-only ("the file is not writable"), or "".
func (s *Store) ReadOnlyReason() string { return s.readOnlyWhy }

// Notices are what a person should know about how the workspace was opened: an empty file
// made a workspace, files others can read, a workspace opened read-only because it cannot
// be written. Commands print them on stderr.
func (s *Store) Notices() []string { return append([]string(nil), s.notices...) }

// readOnlyHandler refuses statements that write, before SQLite sees them.
type readOnlyHandler struct {
	*sql.DB
	err error
}

func (h readOnlyHandler) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, h.err
}

// Path is the workspace file.
func (s *Store) Path() string { return s.path }

// Author is who edits through this handle.
func (s *Store) Author() string { return s.author }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// WithClock is a handle on the same workspace (and, on a bound handle, the same
// transaction) whose clock is now: what is written through it is stamped with that time.
// The demo uses it to date the workshops before today. Close the handle it came from, not
// this one.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// DB exposes the pool, for tests that look at the file behind the store's back.
func (s *Store) DB() *sql.DB { return s.db }

// Handler is what this handle's queries run on: the pool, or its transaction. For tests
// and tools that need a statement the store does not offer inside a grouped transaction.
func (s *Store) Handler() Handler { return s.h }

// Close closes the workspace. A handle bound to a transaction does not own the pool.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("close: this handle belongs to a transaction; close the store that opened it")
	}
	return s.db.Close()
}

// WithTx runs fn in one immediate transaction (the write lock is taken at BEGIN) and hands
// it a *Store bound to that transaction: every store call made on tx is part of it, its
// change rows included. The transaction commits when fn returns nil and rolls back when it
// returns an error, so grouped calls land together or not at all:
//
//	err := s.WithTx(ctx, func(tx *store.Store) error {
//		if _, err := tx.UpdateEvidence(ctx, before, after, opt); err != nil {
//			return err
//		}
//		_, err := tx.LinkEvidence(ctx, id, link)
//		return err
//	})
//
// Called on a handle that is already bound, fn runs in that same transaction (no second
// BEGIN, no savepoint): an error fn returns must be passed up so the whole transaction rolls
// back. tx is only valid until WithTx returns.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.readOnly {
		return &readOnlyError{s.path, s.readOnlyWhy}
	}
	if s.tx != nil {
		return fn(s)
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		if err := s.dbError(err); errors.Is(err, ErrUnavailable) {
			return err
		}
		return fmt.Errorf("begin: %w", err)
	}
	bound := *s
	bound.h, bound.tx = sqlTx, sqlTx
	if s.pg {
		// PostgreSQL: the workspace's write lock, as SQLite's BEGIN IMMEDIATE takes it.
		bound.h = pgHandler{sqlTx}
		if _, err := bound.h.ExecContext(ctx, pgLockSQL); err != nil {
			_ = sqlTx.Rollback()
			if errors.Is(err, ErrUnavailable) {
				return err
			}
			return fmt.Errorf("begin: %w", err)
		}
	}
	if err := fn(&bound); err != nil {
		_ = sqlTx.Rollback()
		return s.dbError(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.dbError(err))
	}
	return nil
}

// dbError turns a PostgreSQL refusal or a lost connection into the store's errors; SQLite's
// errors pass unchanged.
func (s *Store) dbError(err error) error {
	if !s.pg {
		return err
	}
	return pgError(err)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) { return readMigrations(migrationsFS, "migrations") }

// readMigrations lists the numbered SQL files of an embedded folder in version order (the
// SQLite and the PostgreSQL dialects each have one).
func readMigrations(fsys fs.ReadFileFS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := fsys.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (s *Store) userVersion(ctx context.Context) (int, error) {
	if s.pg {
		return s.pgVersion(ctx)
	}
	var v int
	if err := s.h.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

func (s *Store) migrate(ctx context.Context, readOnly bool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	v, err := s.userVersion(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "file is not a database") {
			return fmt.Errorf("%s is %w: SQLite cannot read it", s.path, ErrNotWorkspace)
		}
		return fmt.Errorf("read workspace %s: %w", s.path, err)
	}
	latest := ms[len(ms)-1].version
	if v > latest {
		return tooNew(s.path, v, latest)
	}
	if v > 0 {
		if err := s.checkIsAnnex(ctx); err != nil {
			return err
		}
	} else if !readOnly {
		// A SQLite file at version 0 must be empty to become a workspace (probe checked it
		// before this handle could write; check again in case it changed meanwhile).
		var n int
		if err := s.h.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return fmt.Errorf("read workspace %s: %w", s.path, err)
		}
		if n > 0 {
			return fmt.Errorf("%s is %w: it is a SQLite database of another program, so annex left it alone", s.path, ErrNotWorkspace)
		}
	}
	if readOnly {
		if v < latest {
			return fmt.Errorf("workspace %s was made by an older annex and needs an upgrade before it can be read; open it once with write access", s.path)
		}
		return nil
	}
	// Every pending migration in one transaction: a workspace is upgraded whole or not at all,
	// and a new one is written with one sync instead of one per migration.
	if v < latest {
		err = s.WithTx(ctx, func(tx *Store) error {
			// Re-read inside the write lock: another process may have migrated meanwhile.
			cur, err := tx.userVersion(ctx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.version <= cur {
					continue
				}
				if _, err := tx.h.ExecContext(ctx, m.sql); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
				if m.version == 1 {
					if _, err := tx.h.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('application', 'annex'), ('workspace_id', ?), ('created_at', ?)`,
						uuid.Must(uuid.NewV7()).String(), s.now().UTC().Format(time.RFC3339Nano)); err != nil {
						return err
					}
					if _, err := tx.h.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
						return err
					}
				}
				if _, err := tx.h.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("upgrade workspace %s: %w", s.path, err)
		}
	}
	// Workspaces made before annex marked its files carry only meta.application: they get
	// the header's application id on their first writable open.
	id, err := s.AppID(ctx)
	if err != nil {
		return fmt.Errorf("read workspace %s: %w", s.path, err)
	}
	if id != ApplicationID {
		if err := s.WithTx(ctx, func(tx *Store) error {
			_, err := tx.h.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID))
			return err
		}); err != nil {
			return fmt.Errorf("mark workspace %s as annex's: %w", s.path, err)
		}
	}
	return nil
}

// AppID is the application id in the workspace's SQLite header (ApplicationID for a
// workspace marked by annex, 0 for one made before annex marked its files).
func (s *Store) AppID(ctx context.Context) (int, error) {
	if s.pg {
		return ApplicationID, nil // a PostgreSQL workspace is known by its meta table
	}
	var id int
	err := s.h.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id)
	return id, err
}

// UserVersion is the workspace's schema version.
func (s *Store) UserVersion(ctx context.Context) (int, error) { return s.userVersion(ctx) }

func (s *Store) checkIsAnnex(ctx context.Context) error {
	var app string
	err := s.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'application'").Scan(&app)
	if err != nil || app != "annex" {
		return fmt.Errorf("%s is %w: it is a SQLite database of another program, so annex left it alone", s.path, ErrNotWorkspace)
	}
	return nil
}

// WorkspaceID is the id annex gave the workspace when it made it.
func (s *Store) WorkspaceID(ctx context.Context) (string, error) {
	var id string
	if err := s.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'workspace_id'").Scan(&id); err != nil {
		return "", fmt.Errorf("read the workspace id: %w", err)
	}
	return id, nil
}

// NewID returns a fresh UUIDv7 as text.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Store) stamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
//
// On PostgreSQL the server keeps its own pages sound; the check reads every table's row
// count through the handler (a damaged relation fails there) and says "ok".
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.pg {
		var n int
		err := s.h.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM engagements) + (SELECT count(*) FROM results) + (SELECT count(*) FROM changes)
			+ (SELECT count(*) FROM risks) + (SELECT count(*) FROM evidence) + (SELECT count(*) FROM evidence_blobs)`).Scan(&n)
		if err != nil {
			return "", s.dbError(err)
		}
		return "ok", nil
	}
	var res string
	err := s.h.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}
