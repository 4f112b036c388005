package store

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

// FuzzOpenFile: whatever bytes sit at the workspace path (another program's file, a
// damaged or hostile database), Open either accepts a workspace or refuses, and a refused
// file is left exactly as it was, with nothing created beside it (a file carrying annex's
// application id may get annex's own -wal and -shm).
func FuzzOpenFile(f *testing.F) {
	dir := f.TempDir()
	ctx := context.Background()
	// A real workspace, folded into one file.
	ws := filepath.Join(dir, "ws.db")
	s, err := Open(ctx, ws, Options{Author: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Fuzz", Standards: []string{"iso27001-2022"}}); err != nil {
		f.Fatal(err)
	}
	s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	s.Close()
	wsBytes, _ := os.ReadFile(ws)
	// Another program's databases, rollback journal and WAL.
	foreign := func(name, mode string) []byte {
		p := filepath.Join(dir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := db.Exec("PRAGMA journal_mode=" + mode + "; CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES ('application', 'other')"); err != nil {
			f.Fatal(err)
		}
		db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		db.Close()
		b, _ := os.ReadFile(p)
		return b
	}
	f.Add(wsBytes)
	f.Add(wsBytes[:len(wsBytes)/2])
	f.Add(wsBytes[:100])
	f.Add(foreign("rollback.db", "DELETE"))
	f.Add(foreign("wal.db", "WAL"))
	f.Add([]byte(sqliteHeader))
	f.Add([]byte("not a database at all\n"))
	f.Add([]byte{})
	hdr := bytes.Clone(wsBytes[:100])
	copy(hdr[68:72], []byte{0, 0, 0, 1})
	f.Add(append(hdr, wsBytes[100:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x.db")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{true, false} {
			s, err := Open(ctx, p, Options{Author: "fuzz", ReadOnly: ro})
			if err == nil {
				if !ro {
					if id, _ := s.AppID(ctx); id != ApplicationID {
						t.Fatalf("a writable open left application_id %#x", id)
					}
				}
				s.Close()
				return
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, b) {
				t.Fatalf("refused (%v), yet the file changed (read-only %v)", err, ro)
			}
			// A file whose header carries annex's application id is annex's own (damaged)
			// workspace: SQLite may make its -wal and -shm while trying to read it.
			if len(b) >= 72 && bytes.Equal(b[68:72], []byte("ANNX")) {
				continue
			}
			for _, side := range []string{"-wal", "-shm", "-journal"} {
				if _, serr := os.Stat(p + side); serr == nil {
					t.Fatalf("refused (%v), yet %s was created (read-only %v)", err, side, ro)
				}
			}
		}
	})
}
