package store

// The second backend: a workspace in a PostgreSQL schema (15 or newer), for a team. The store
// is the same code on both backends: every query runs through the Store's Handler, which on
// PostgreSQL rebinds '?' placeholders to $n and turns the database's refusals into sentences
// (pgHandler below); the few statements that differ are chosen per dialect where they are
// (s.pg); migrations are per dialect (pgmigrations/, own numbering, version table
// schema_migrations). docs/ARCHITECTURE.md ("Backends") has the rules.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed pgmigrations/*.sql
var pgMigrationsFS embed.FS

// Backend names where a workspace lives.
type Backend string

const (
	SQLite     Backend = "SQLite"
	PostgreSQL Backend = "PostgreSQL"
)

// IsPostgres reports whether loc names a PostgreSQL database (postgres:// or postgresql://)
// rather than a workspace file.
func IsPostgres(loc string) bool {
	l := strings.ToLower(loc)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Backend is where this workspace lives.
func (s *Store) Backend() Backend {
	if s.pg {
		return PostgreSQL
	}
	return SQLite
}

// pgLockSQL takes the workspace's write lock for the rest of the transaction: one advisory
// lock per schema ("ANNX", hash of the schema's name). Every write transaction takes it first
// (WithTx), as SQLite's BEGIN IMMEDIATE takes the file's write lock, so reads in the
// transaction see every earlier commit and the history's appends form one chain. The
// changes table's trigger takes it too (annex_lock), whatever client writes.
const pgLockSQL = "SELECT pg_advisory_xact_lock(1095650904, hashtext(current_schema()))"

// pgMinVersion is the oldest server annex runs on (server_version_num).
const pgMinVersion = 150000

// ServerInfo describes the PostgreSQL server and role of a team workspace.
type ServerInfo struct {
	Version string // "15.18"
	Role    string // the authenticated role (session_user): the history's author
	Schema  string // the schema holding the workspace
	Admin   bool   // the role owns the workspace (or is a member of its owner)
}

func pgMigrations() ([]migration, error) { return readMigrations(pgMigrationsFS, "pgmigrations") }

// PostgresSchemaVersion is the newest PostgreSQL schema this binary knows.
func PostgresSchemaVersion() int {
	ms, err := pgMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// LatestSchema is the newest schema this binary knows for the workspace's backend.
func (s *Store) LatestSchema() int {
	if s.pg {
		return PostgresSchemaVersion()
	}
	return SchemaVersion()
}

// displayDSN names a PostgreSQL workspace without its password: it stands where a SQLite
// workspace shows its path.
func displayDSN(cfg *pgx.ConnConfig) string {
	host := cfg.Host
	q := url.Values{}
	if strings.HasPrefix(host, "/") {
		q.Set("host", host)
		host = "localhost"
	} else if cfg.Port != 0 && cfg.Port != 5432 {
		host = net.JoinHostPort(host, strconv.Itoa(int(cfg.Port)))
	}
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		q.Set("search_path", sp)
	}
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: host, Path: "/" + cfg.Database, RawQuery: q.Encode()}
	return strings.ReplaceAll(u.String(), "%2F", "/")
}

// openPostgres opens (or, in an empty schema, creates) the workspace in the schema that
// dsn's search_path names first (public by default). What is there is decided before
// anything is written: a schema holding another program's tables, or an annex schema newer
// than this binary, is refused untouched.
func openPostgres(ctx context.Context, dsn string, opt Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL address cannot be used: %s", pgMessage(err))
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "annex"
	}
	if cfg.RuntimeParams["lock_timeout"] == "" {
		cfg.RuntimeParams["lock_timeout"] = "10s" // SQLite's busy_timeout
	}
	if opt.ReadOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	display := displayDSN(cfg)
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	fail := func(err error) (*Store, error) {
		db.Close()
		return nil, err
	}
	var role, version string
	var schema sql.NullString
	var num int
	if err := db.QueryRowContext(ctx, "SELECT session_user, current_schema(), current_setting('server_version'), current_setting('server_version_num')::int").
		Scan(&role, &schema, &version, &num); err != nil {
		return fail(fmt.Errorf("cannot reach the PostgreSQL workspace %s: %s", display, pgMessage(err)))
	}
	if num < pgMinVersion {
		return fail(fmt.Errorf("annex needs PostgreSQL 15 or newer; %s runs %s", display, version))
	}
	if !schema.Valid {
		return fail(fmt.Errorf("%s names no schema that exists (search_path %q); create the schema first", display, cfg.RuntimeParams["search_path"]))
	}
	s := &Store{db: db, pg: true, path: display, author: role, now: opt.Now, readOnly: opt.ReadOnly,
		info: ServerInfo{Version: version, Role: role, Schema: schema.String}}
	if s.readOnly {
		s.readOnlyWhy = "opened in read-only mode"
		s.h = pgHandler{readOnlyHandler{db, &readOnlyError{display, s.readOnlyWhy}}}
	} else {
		s.h = pgHandler{db}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opt.Author != "" && opt.Author != role && opt.Author != DefaultAuthor() {
		s.notices = append(s.notices, fmt.Sprintf("On a PostgreSQL workspace the history's author is your database role %q; the name %q is not used.", role, opt.Author))
	}
	if err := s.migratePG(ctx); err != nil {
		return fail(err)
	}
	if err := s.h.QueryRowContext(ctx, "SELECT annex_is_admin()").Scan(&s.info.Admin); err != nil {
		return fail(fmt.Errorf("read workspace %s: %w", display, err))
	}
	return s, nil
}

// pgVersion reads the schema's version: -1 for a schema with no tables (a new workspace).
func (s *Store) pgVersion(ctx context.Context) (int, error) {
	var tables int
	var meta, versions sql.NullString
	err := s.h.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
		to_regclass('meta')::text, to_regclass('schema_migrations')::text`).Scan(&tables, &meta, &versions)
	if err != nil {
		return 0, fmt.Errorf("read workspace %s: %w", s.path, err)
	}
	if tables == 0 {
		return -1, nil
	}
	foreign := fmt.Errorf("%s is %w: schema %s holds tables of another program, so annex left it alone", s.path, ErrNotWorkspace, s.info.Schema)
	if !meta.Valid || !versions.Valid {
		return 0, foreign
	}
	var app string
	if err := s.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'application'").Scan(&app); err != nil || app != "annex" {
		return 0, foreign
	}
	var v int
	if err := s.h.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read workspace %s: %w", s.path, err)
	}
	return v, nil
}

func (s *Store) migratePG(ctx context.Context) error {
	ms, err := pgMigrations()
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	v, err := s.pgVersion(ctx)
	if err != nil {
		return err
	}
	if v > latest {
		return fmt.Errorf("%w: %s has schema %d, this annex knows up to %d; update annex to open it (nothing in the database was changed)", ErrTooNew, s.path, v, latest)
	}
	if v == latest {
		return nil
	}
	if s.readOnly {
		if v < 0 {
			return fmt.Errorf("%s holds no workspace yet; open it once without read-only mode to make one", s.path)
		}
		return fmt.Errorf("workspace %s was made by an older annex and needs an upgrade before it can be read; open it once with write access", s.path)
	}
	if v < 0 {
		s.notices = append(s.notices, fmt.Sprintf("Made a new annex workspace in schema %s of %s; you (role %s) administer it: 'annex team grant' gives others access.", s.info.Schema, s.path, s.info.Role))
	}
	// Every pending migration in one transaction (PostgreSQL's DDL is transactional, as
	// SQLite's is): a workspace is upgraded whole or not at all.
	err = s.WithTx(ctx, func(tx *Store) error {
		// Re-read under the workspace lock: another client may have migrated meanwhile.
		cur, err := tx.pgVersion(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.version <= cur {
				continue
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				if e := pgError(err); errors.Is(e, ErrNotPermitted) || errors.Is(e, ErrUnavailable) {
					return e
				}
				return fmt.Errorf("migration %s: %s", m.name, pgMessage(err))
			}
			if m.version == 1 {
				if _, err := tx.h.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('application', 'annex'), ('workspace_id', ?), ('created_at', ?)`,
					NewID(), s.stamp()); err != nil {
					return err
				}
			}
			if _, err := tx.h.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, s.stamp()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var pe *PermissionError
		if errors.As(err, &pe) && v >= 0 {
			return fmt.Errorf("workspace %s needs an upgrade to schema %d that only its owner can make (role %s may not): ask them to open it once with this annex", s.path, latest, s.info.Role)
		}
		if errors.As(err, &pe) {
			return fmt.Errorf("schema %s of %s holds no workspace yet, and role %s may not create one there: its owner opens it first", s.info.Schema, s.path, s.info.Role)
		}
		return fmt.Errorf("upgrade workspace %s: %w", s.path, err)
	}
	return nil
}

// Server describes the PostgreSQL server, role and schema of a team workspace (zero for SQLite).
func (s *Store) Server() ServerInfo { return s.info }

// pgHandler runs the store's SQL on PostgreSQL: '?' placeholders become $1, $2, …, Go bools
// become 0/1 (both dialects store flags as integers), and errors PostgreSQL raises become
// the store's errors (a refused permission is a *PermissionError, a lost connection an
// *UnavailableError).
type pgHandler struct{ h Handler }

var rebound sync.Map // query → rebound query

// rebind turns '?' placeholders into $n, leaving quoted text, identifiers and comments alone.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	if !strings.Contains(q, "?") {
		rebound.Store(q, q)
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

func pgArgs(args []any) []any {
	for i, a := range args {
		if _, ok := a.(bool); ok {
			out := append([]any(nil), args...)
			for j := i; j < len(out); j++ {
				if v, ok := out[j].(bool); ok {
					out[j] = boolInt(v)
				}
			}
			return out
		}
	}
	return args
}

func (p pgHandler) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := p.h.ExecContext(ctx, rebind(q), pgArgs(args)...)
	return res, pgError(err)
}

func (p pgHandler) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := p.h.QueryContext(ctx, rebind(q), pgArgs(args)...)
	return rows, pgError(err)
}

// QueryRowContext cannot wrap the error a *sql.Row carries; Scan's errors are turned into
// sentences where the store reports them (pgError on the way out of WithTx and update).
func (p pgHandler) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.h.QueryRowContext(ctx, rebind(q), pgArgs(args)...)
}

// ErrNotPermitted is matched (errors.Is) by every write PostgreSQL refused because the role
// has no write access to the engagement (a team workspace's grants).
var ErrNotPermitted = errors.New("not permitted")

// PermissionError is PostgreSQL refusing an action to the connected role (SQLSTATE 42501, a
// row-level security policy). Nothing was written.
type PermissionError struct{ Detail string }

func (e *PermissionError) Error() string {
	return "the database refused: your role may not change this, so nothing was changed"
}

func (e *PermissionError) Is(target error) bool { return target == ErrNotPermitted }

// ErrUnavailable is matched by errors of a lost or unreachable database server.
var ErrUnavailable = errors.New("database unavailable")

// UnavailableError is a lost connection to the server; what was being saved was not saved.
type UnavailableError struct{ Detail string }

func (e *UnavailableError) Error() string {
	return "the database server cannot be reached (" + e.Detail + "); try again when it is back"
}

func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Plain is err for a person: when it comes from a refusal of PostgreSQL or a lost server,
// it is the store's sentence after what failed ("ISO 27001 A.5.7 not saved: the database
// refused: …"), without the layers between (an error of a *sql.Row, read outside the store,
// gets its sentence too). Every other error is returned as it is.
func Plain(err error) error {
	if err == nil {
		return nil
	}
	var said error
	var pe *PermissionError
	var ue *UnavailableError
	switch p := pgError(err); {
	case errors.As(p, &pe):
		said = pe
	case errors.As(p, &ue):
		said = ue
	default:
		return err
	}
	msg := err.Error()
	head, _, found := strings.Cut(msg, ": ")
	if !found || strings.HasPrefix(msg, said.Error()) {
		return said
	}
	return &plainError{msg: head + ": " + said.Error(), err: said}
}

type plainError struct {
	msg string
	err error
}

func (e *plainError) Error() string { return e.msg }
func (e *plainError) Unwrap() error { return e.err }

// pgError turns what PostgreSQL or the connection reports into the store's errors.
func pgError(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var pe *PermissionError
	var ue *UnavailableError
	if errors.As(err, &pe) || errors.As(err, &ue) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "42501":
			return &PermissionError{Detail: pgErr.Message}
		case pgErr.Code == "55P03":
			return fmt.Errorf("the workspace is busy (another save held it for 10 seconds); nothing was saved: %w", err)
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03":
			return &UnavailableError{Detail: pgErr.Message}
		}
		return err
	}
	if isConnErr(err) {
		return &UnavailableError{Detail: connDetail(err)}
	}
	return err
}

func isConnErr(err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	m := err.Error()
	return strings.Contains(m, "conn closed") || strings.Contains(m, "connection refused") ||
		strings.Contains(m, "unexpected EOF") || strings.Contains(m, "broken pipe") || strings.Contains(m, "connection reset")
}

func connDetail(err error) string {
	m := err.Error()
	switch {
	case strings.Contains(m, "connection refused"), strings.Contains(m, "no such file"):
		return "connection refused"
	case strings.Contains(m, "timeout"), strings.Contains(m, "deadline"):
		return "no answer in time"
	}
	return "connection lost"
}

// pgMessage is the first line of what PostgreSQL or pgx said, without the driver's prefixes.
func pgMessage(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	m := err.Error()
	if i := strings.LastIndex(m, ": "); i >= 0 && strings.HasPrefix(m, "failed to connect") {
		m = m[i+2:]
	}
	return m
}

// FileBase is where files that belong to the workspace go on this computer, as a path
// without extension ("clients" for clients.db): the demo's evidence files go to
// FileBase()+"-demo-evidence". A SQLite workspace's is beside its file; a PostgreSQL
// workspace's is in annex's data folder, named after its database and schema.
func (s *Store) FileBase() string {
	if !s.pg {
		return strings.TrimSuffix(s.path, filepath.Ext(s.path))
	}
	dir := filepath.Join(os.TempDir(), "annex")
	if def, err := DefaultPath(); err == nil && !IsPostgres(def) {
		dir = filepath.Dir(def)
	} else if base := os.Getenv("XDG_DATA_HOME"); base != "" {
		dir = filepath.Join(base, "annex")
	} else if home, err := os.UserHomeDir(); err == nil {
		dir = filepath.Join(home, ".local", "share", "annex")
	}
	db := "postgres"
	if cfg, err := pgx.ParseConfig(s.path); err == nil && cfg.Database != "" {
		db = cfg.Database
	}
	return filepath.Join(dir, SafeFileName(db+"-"+s.info.Schema))
}
