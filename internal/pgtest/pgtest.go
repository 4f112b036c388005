// Package pgtest gives tests a workspace on either backend. Workspace is a SQLite file in the
// test's temporary folder, or, with ANNEX_TEST_BACKEND=postgres, a fresh schema on the
// PostgreSQL server ANNEX_TEST_POSTGRES names (a superuser's address, e.g.
// postgres://postgres@localhost/postgres?host=/tmp/pg): the store's suite is one suite,
// run once per backend (make test runs both; .ci/with-postgres starts a throwaway server).
// Tests that need PostgreSQL itself call Server: they skip when no server is given, and fail
// instead under CI=true.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Backend is the backend the parameterised suite runs on: "postgres" or "sqlite".
func Backend() string {
	if os.Getenv("ANNEX_TEST_BACKEND") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Postgres reports whether the parameterised suite runs on PostgreSQL.
func Postgres() bool { return Backend() == "postgres" }

// Server is the address of the test server. Without one the test is skipped, or fails under
// CI=true, where the server must be there.
func Server(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("ANNEX_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ANNEX_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (.ci/with-postgres starts a server)")
		}
		t.Skip("no PostgreSQL server: set ANNEX_TEST_POSTGRES (or run under .ci/with-postgres)")
	}
	return dsn
}

// Workspace is where a test keeps its workspace: name in t.TempDir() on SQLite, a fresh
// schema (dropped when the test ends) for the superuser role "tester" on PostgreSQL.
func Workspace(t testing.TB, name string) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), name)
	}
	return Schema(t, "tester")
}

// Schema makes a fresh schema on the test server and returns an address for role (a
// superuser, made when missing) whose search_path is that schema.
func Schema(t testing.TB, role string) string {
	t.Helper()
	admin := Server(t)
	db := open(t, admin)
	schema := "t_" + random()
	ctx := context.Background()
	exec(t, db, fmt.Sprintf("CREATE SCHEMA %s", schema))
	ensureRole(t, db, role, true)
	t.Cleanup(func() {
		db := open(t, admin)
		// A test's connections may still be closing: retry while objects are in use.
		for i := 0; i < 20; i++ {
			if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return As(t, admin, role, schema)
}

// Role makes a LOGIN role (no superuser) for the test, dropped when it ends, and returns
// its name: "<prefix>_<random>".
func Role(t testing.TB, prefix string) string {
	t.Helper()
	admin := Server(t)
	db := open(t, admin)
	name := prefix + "_" + random()
	ensureRole(t, db, name, false)
	t.Cleanup(func() {
		db := open(t, admin)
		_, _ = db.ExecContext(context.Background(), "DROP ROLE IF EXISTS "+name)
	})
	return name
}

// As is dsn for another role (and, when schema is not "", another schema).
func As(t testing.TB, dsn, role, schema string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("ANNEX_TEST_POSTGRES: %v", err)
	}
	u.User = url.User(role)
	q := u.Query()
	if schema != "" {
		q.Set("search_path", schema)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// SchemaOf is the search_path of a test address.
func SchemaOf(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return u.Query().Get("search_path")
}

// Exec runs statements as the server's superuser (set-up that annex itself does not do).
func Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	db := open(t, Server(t))
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// DB is a connection pool for dsn, closed when the test ends.
func DB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	return open(t, dsn)
}

func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t testing.TB, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func ensureRole(t testing.TB, db *sql.DB, role string, super bool) {
	t.Helper()
	attrs := "LOGIN"
	if super {
		attrs = "LOGIN SUPERUSER"
	}
	q := fmt.Sprintf(`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) THEN CREATE ROLE %s %s; END IF;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`, quoteLit(role), quoteIdent(role), attrs)
	var err error
	for i := 0; i < 10; i++ {
		if _, err = db.ExecContext(context.Background(), q); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond) // "tuple concurrently updated" between parallel packages
	}
	t.Fatalf("create role %s: %v", role, err)
}

func random() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func quoteLit(s string) string   { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// WorkspaceAs is loc (from Workspace) opened by another person: on PostgreSQL the history's
// author is the connected role, so the address names role author (a superuser, made when
// missing); a SQLite path is returned as it is (its author is Options.Author).
func WorkspaceAs(t testing.TB, loc, author string) string {
	t.Helper()
	if !strings.HasPrefix(loc, "postgres") {
		return loc
	}
	db := open(t, Server(t))
	ensureRole(t, db, author, true)
	return As(t, loc, author, "")
}

// Proxy is a TCP stand-in for the network between annex and the server: ProxyDSN is dsn
// through it; Cut drops every connection and refuses new ones (a lost network), Restore
// lets connections through again.
type Proxy struct {
	DSN    string
	target string // host:port or a Unix socket path
	mu     sync.Mutex
	ln     net.Listener
	addr   string
	conns  []net.Conn
	cut    bool
}

// NewProxy starts a proxy to dsn's server, stopped when the test ends.
func NewProxy(t testing.TB, dsn string) *Proxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	target := net.JoinHostPort(u.Hostname(), u.Port())
	if h := q.Get("host"); strings.HasPrefix(h, "/") {
		port := q.Get("port")
		if port == "" {
			port = "5432"
		}
		target = filepath.Join(h, ".s.PGSQL."+port)
	} else if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := &Proxy{target: target}
	p.listen(t, "127.0.0.1:0")
	q.Del("host")
	q.Del("port")
	q.Set("connect_timeout", "2")
	u.Host = p.addr
	u.RawQuery = q.Encode()
	p.DSN = u.String()
	t.Cleanup(func() { p.Cut() })
	return p
}

func (p *Proxy) listen(t testing.TB, addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.ln, p.addr = ln, ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			network := "tcp"
			if strings.HasPrefix(p.target, "/") {
				network = "unix"
			}
			s, err := net.Dial(network, p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

// Cut drops every connection through the proxy and refuses new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return
	}
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Restore accepts connections again, on the same address.
func (p *Proxy) Restore(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
	p.listen(t, p.addr)
}
