package laststate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDefaultPathFollowsXDGStateHome(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	if p, err := DefaultPath(); err != nil || p != filepath.Join(dir, "annex", "state.json") {
		t.Fatalf("DefaultPath = %q, %v", p, err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"", "relative/dir"} { // unset, or not absolute: ignored as the spec says
		t.Setenv("XDG_STATE_HOME", v)
		if p, err := DefaultPath(); err != nil || p != filepath.Join(home, ".local", "state", "annex", "state.json") {
			t.Fatalf("XDG_STATE_HOME=%q: DefaultPath = %q, %v", v, p, err)
		}
	}
}

func TestSaveAndLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "annex", "state.json")
	var s State
	if !s.Advance() {
		t.Fatal("advance must default to on")
	}
	ws := filepath.Join(t.TempDir(), "clients.db")
	s.SetPlace(ws, Place{Engagement: "e1", Tab: "e1/gap/iso42001-2023", Item: "A.5.2"})
	s.SetAdvance(false)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", st.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Advance() {
		t.Error("advance off was not kept")
	}
	p, ok := got.Place(ws)
	if !ok || p.Engagement != "e1" || p.Tab != "e1/gap/iso42001-2023" || p.Item != "A.5.2" || p.At.IsZero() {
		t.Fatalf("place = %+v, %v", p, ok)
	}
	// The same workspace named by a relative path is the same entry.
	wd, _ := os.Getwd()
	t.Chdir(filepath.Dir(ws))
	if _, ok := got.Place("clients.db"); !ok {
		t.Error("a relative path to the same workspace is not found")
	}
	t.Chdir(wd)
	// Leaving on the home screen forgets the place.
	got.SetPlace(ws, Place{})
	if _, ok := got.Place(ws); ok {
		t.Error("an empty place must forget the workspace")
	}
}

func TestMissingFileGivesDefaults(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "none.json"))
	if err != nil || !s.Advance() || len(s.Places) != 0 {
		t.Fatalf("missing file: %+v, %v", s, err)
	}
}

func TestCorruptFileIsIgnoredAndReplaced(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":   "\x00\x01not json at all",
		"truncated": `{"workspaces": {"/a.db": {"engagement": "e`,
		"wrongtype": `{"workspaces": ["/a.db"], "advance": "yes"}`,
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			os.WriteFile(path, []byte(content), 0o600)
			s, err := Load(path)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v, want ErrCorrupt", err)
			}
			if !s.Advance() || len(s.Places) != 0 {
				t.Errorf("a corrupt file must read as the defaults: %+v", s)
			}
			if err := Update(path, func(s *State) { s.SetPlace("/w.db", Place{Engagement: "e2"}) }); err != nil {
				t.Fatal(err)
			}
			s, err = Load(path)
			if err != nil {
				t.Fatalf("after Update the file is still unreadable: %v", err)
			}
			if p, ok := s.Place("/w.db"); !ok || p.Engagement != "e2" {
				t.Errorf("place after replacing a corrupt file: %+v", p)
			}
		})
	}
}

func TestUpdateKeepsOtherWorkspaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Update(path, func(s *State) { s.SetPlace("/a.db", Place{Engagement: "a"}) }); err != nil {
		t.Fatal(err)
	}
	if err := Update(path, func(s *State) { s.SetPlace("/b.db", Place{Engagement: "b"}) }); err != nil {
		t.Fatal(err)
	}
	s, _ := Load(path)
	if _, ok := s.Place("/a.db"); !ok {
		t.Error("saving one workspace lost the other")
	}
	if _, ok := s.Place("/b.db"); !ok {
		t.Error("the second workspace was not saved")
	}
}

func TestOldestPlacesArePruned(t *testing.T) {
	var s State
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range MaxWorkspaces + 5 {
		s.SetPlace(fmt.Sprintf("/ws%03d.db", i), Place{Engagement: "e", At: base.Add(time.Duration(i) * time.Minute)})
	}
	if len(s.Places) != MaxWorkspaces {
		t.Fatalf("%d places kept, want %d", len(s.Places), MaxWorkspaces)
	}
	if _, ok := s.Place("/ws000.db"); ok {
		t.Error("the oldest place was kept")
	}
	if _, ok := s.Place(fmt.Sprintf("/ws%03d.db", MaxWorkspaces+4)); !ok {
		t.Error("the newest place was dropped")
	}
}

func TestUnwritableFolderIsAnError(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	if err := Save(filepath.Join(blocker, "state.json"), State{}); err == nil {
		t.Fatal("saving under a file must fail")
	}
}
