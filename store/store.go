// Package store keeps annex's domain in one SQLite file per workspace (modernc.org/sqlite,
// pure Go). Migrations are embedded numbered SQL files tracked with PRAGMA user_version.
// SQL stays here; callers see the types of package assessments.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
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
	// ReadOnly opens without creating or migrating (for export and summary of a file one must not touch).
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
// A file that is not SQLite, or a workspace from a newer annex, is refused untouched.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("workspace path %q contains '?' or '#'; choose a plain file name", path)
	}
	if err := prepareFile(path, opt.ReadOnly); err != nil {
		return nil, err
	}
	q := "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
	if opt.ReadOnly {
		q = "?mode=ro&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	} else {
		q += "&_pragma=journal_mode(WAL)"
	}
	db, err := sql.Open("sqlite", path+q)
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	s := &Store{db: db, h: db, path: path, author: opt.Author, now: opt.Now}
	if s.author == "" {
		s.author = DefaultAuthor()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx, opt.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// prepareFile refuses what is not a workspace and creates a new one with mode 0600.
func prepareFile(path string, readOnly bool) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("%s is a folder, not a workspace file", path)
	case err == nil:
		if st.Size() == 0 {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", path, err)
		}
		defer f.Close()
		head := make([]byte, len(sqliteHeader))
		if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, []byte(sqliteHeader)) {
			return fmt.Errorf("%s is %w: it is not a SQLite database, so annex left it alone", path, ErrNotWorkspace)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if readOnly {
			return fmt.Errorf("workspace %s does not exist", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("cannot create the folder for workspace %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return nil
			}
			return fmt.Errorf("cannot create workspace %s: %w", path, err)
		}
		return f.Close()
	default:
		return fmt.Errorf("cannot use workspace %s: %w", path, err)
	}
}

// Path is the workspace file.
func (s *Store) Path() string { return s.path }

// Author is who edits through this handle.
func (s *Store) Author() string { return s.author }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

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
	if s.tx != nil {
		return fn(s)
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	bound := *s
	bound.h, bound.tx = sqlTx, sqlTx
	if err := fn(&bound); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationsFS, "migrations")
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
		b, err := migrationsFS.ReadFile("migrations/" + e.Name())
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
		return fmt.Errorf("%s was %w (schema %d; this annex knows up to %d): update annex to open it; the file was not changed", s.path, ErrTooNew, v, latest)
	}
	if v > 0 {
		if err := s.checkIsAnnex(ctx); err != nil {
			return err
		}
	} else if !readOnly {
		// A SQLite file at version 0 must be empty to become a workspace.
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
			return fmt.Errorf("workspace %s needs an upgrade; open it once without read-only mode", s.path)
		}
		return nil
	}
	for _, m := range ms {
		if m.version <= v {
			continue
		}
		err := s.WithTx(ctx, func(tx *Store) error {
			// Re-read inside the write lock: another process may have migrated meanwhile.
			cur, err := tx.userVersion(ctx)
			if err != nil {
				return err
			}
			if cur >= m.version {
				return nil
			}
			if _, err := tx.h.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if m.version == 1 {
				if _, err := tx.h.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('application', 'annex'), ('workspace_id', ?), ('created_at', ?)`,
					uuid.Must(uuid.NewV7()).String(), s.now().UTC().Format(time.RFC3339Nano)); err != nil {
					return err
				}
			}
			_, err = tx.h.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("upgrade workspace %s: %w", s.path, err)
		}
	}
	return nil
}

func (s *Store) checkIsAnnex(ctx context.Context) error {
	var app string
	err := s.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'application'").Scan(&app)
	if err != nil || app != "annex" {
		return fmt.Errorf("%s is %w: it is a SQLite database of another program, so annex left it alone", s.path, ErrNotWorkspace)
	}
	return nil
}

// NewID returns a fresh UUIDv7 as text.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Store) stamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.h.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}
