// Package laststate remembers, between runs of the workbench, where the user was in each
// workspace (the engagement, the tab and the item in it) and the workbench preferences, in
// one small JSON file under the user's state folder:
//
//	$XDG_STATE_HOME/annex/state.json (else ~/.local/state/annex/state.json)
//
// The file is a convenience, never a requirement: a missing, unreadable or corrupt file
// reads as "nowhere yet" with the default preferences, and the next Save replaces it. It
// holds ids and paths only, no client text, and is written with mode 0600.
package laststate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// MaxWorkspaces caps how many workspaces the file remembers; the least recently used go.
const MaxWorkspaces = 100

// Place is where the user was in a workspace.
type Place struct {
	// Engagement is the id of the engagement that was open ("" for the home screen).
	Engagement string `json:"engagement,omitempty"`
	// Tab is the address of the visible tab (common.TabAddress).
	Tab string `json:"tab,omitempty"`
	// Item is the tab's location (common.Locator): "A.5.2", "R-003".
	Item string `json:"item,omitempty"`
	// At is when the place was saved (the least recent are dropped first).
	At time.Time `json:"at"`
}

// State is the file's content.
type State struct {
	// Places are by workspace path (absolute, cleaned: see Key).
	Places map[string]Place `json:"workspaces,omitempty"`
	// AdvancePref is the gap analysis "move to the next requirement after a status key"
	// preference; nil means the default (on). Read it with Advance.
	AdvancePref *bool `json:"advance,omitempty"`
}

// Advance is the advance preference, true unless the user turned it off.
func (s State) Advance() bool { return s.AdvancePref == nil || *s.AdvancePref }

// SetAdvance records the advance preference.
func (s *State) SetAdvance(on bool) { s.AdvancePref = &on }

// Key is the form of a workspace path the file uses, so "./ws.db" and "/home/me/ws.db"
// are one workspace.
func Key(workspace string) string {
	if abs, err := filepath.Abs(workspace); err == nil {
		return abs
	}
	return filepath.Clean(workspace)
}

// Place returns where the user was in the workspace.
func (s State) Place(workspace string) (Place, bool) {
	p, ok := s.Places[Key(workspace)]
	return p, ok && p.Engagement != ""
}

// SetPlace records where the user is in the workspace; a Place without an engagement (the
// user left on the home screen) forgets it. A zero At is stamped with the current time.
func (s *State) SetPlace(workspace string, p Place) {
	if s.Places == nil {
		s.Places = map[string]Place{}
	}
	k := Key(workspace)
	if p.Engagement == "" {
		delete(s.Places, k)
		return
	}
	if p.At.IsZero() {
		p.At = time.Now().UTC()
	}
	s.Places[k] = p
	s.prune()
}

// prune drops the least recently saved places beyond MaxWorkspaces.
func (s *State) prune() {
	if len(s.Places) <= MaxWorkspaces {
		return
	}
	keys := make([]string, 0, len(s.Places))
	for k := range s.Places {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := s.Places[keys[i]].At, s.Places[keys[j]].At
		if a.Equal(b) {
			return keys[i] < keys[j]
		}
		return a.After(b)
	})
	for _, k := range keys[MaxWorkspaces:] {
		delete(s.Places, k)
	}
}

// DefaultPath is the state file: $XDG_STATE_HOME/annex/state.json, else
// ~/.local/state/annex/state.json.
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "annex", "state.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state folder: %w", err)
	}
	return filepath.Join(home, ".local", "state", "annex", "state.json"), nil
}

// ErrCorrupt is returned (wrapped) by Load for a file that is not a state file.
var ErrCorrupt = errors.New("the state file is not readable JSON")

// Load reads the state file. The State it returns is always usable: a missing file gives
// the defaults with no error; an unreadable or corrupt one gives the defaults and an error
// worth a log line, never a reason to stop.
func Load(path string) (State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read %s: %w", path, err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("%s: %w (%v)", path, ErrCorrupt, err)
	}
	// Drop entries a hand edit left without an engagement.
	for k, p := range s.Places {
		if p.Engagement == "" {
			delete(s.Places, k)
		}
	}
	return s, nil
}

// Save writes the state file (and its folder) with mode 0600, replacing it in one rename
// so a crash leaves the old file or the new one, never half of one.
func Save(path string, s State) error {
	s.prune()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the state: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".state-*.json")
	if err != nil {
		return fmt.Errorf("write the state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write the state: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write the state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write the state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write the state: %w", err)
	}
	return nil
}

// Update reads the file, applies change and writes it back, so a second workbench on
// another workspace keeps its own entry. A corrupt file is replaced.
func Update(path string, change func(*State)) error {
	s, _ := Load(path)
	change(&s)
	return Save(path, s)
}
