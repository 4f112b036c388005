package dialog

import (
	"errors"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// inPlaceOwner records what the editor asked of its screen.
type inPlaceOwner struct {
	problem string
	saved   []string
	left    int
}

func newTestInPlace(o *inPlaceOwner, stored string) *InPlace[string] {
	c := &common.Common{Styles: common.NewStyles(true), NoTimers: true}
	return NewInPlace(c, "tab", "A.5.1", form.Field{Key: "notes", Label: "Notes", Kind: form.Text, Limit: 100}, stored, nil, InPlaceOwner{
		Check: func(string) string { return o.problem },
		Save:  func(v string) tea.Cmd { o.saved = append(o.saved, v); return nil },
		Leave: func() { o.left++ },
	})
}

func TestInPlaceSaveAndLeave(t *testing.T) {
	o := &inPlaceOwner{}
	e := newTestInPlace(o, "old")
	e.Commit() // unchanged: leaves, writes nothing
	if o.left != 1 || len(o.saved) != 0 {
		t.Fatalf("unchanged commit: left %d, saved %q", o.left, o.saved)
	}
	e.Type(tea.PasteMsg{Content: " new"})
	if !e.Dirty() || !e.Pending() || e.Seq != 1 {
		t.Fatalf("after typing: dirty %v pending %v seq %d", e.Dirty(), e.Pending(), e.Seq)
	}
	if e.Autosave(AutosaveMsg{Seq: 0}) != nil || len(o.saved) != 0 {
		t.Fatal("an older timer saved")
	}
	e.Autosave(AutosaveMsg{Seq: 1})
	if len(o.saved) != 1 || o.saved[0] != "old new" || e.Saved != "old new" || o.left != 1 {
		t.Fatalf("autosave: saved %q, stored %q, left %d", o.saved, e.Saved, o.left)
	}
	o.problem = "Too long."
	e.Type(tea.PasteMsg{Content: "!"})
	e.Commit()
	if e.Err != "Too long." || o.left != 1 || len(o.saved) != 1 {
		t.Fatalf("a refused text left or saved: err %q, left %d", e.Err, o.left)
	}
}

func TestInPlaceConflict(t *testing.T) {
	for _, tc := range []struct {
		choice ConflictChoice
		left   int
		saved  []string
		err    string
	}{
		{KeepMine, 1, []string{"mine"}, ""},
		{TakeTheirs, 1, nil, ""},
		{EditMine, 0, nil, "Changed elsewhere: saving now replaces their text with yours."},
	} {
		o := &inPlaceOwner{}
		e := newTestInPlace(o, "")
		e.Type(tea.PasteMsg{Content: "mine"})
		cmd := e.Failed("ISO 27001 A.5.1", "mine", errors.Join(errors.New("not saved"), &store.ConflictError{Theirs: "theirs"}))
		if cmd == nil || !e.Conflict || e.Pending() || e.Save(false) != nil {
			t.Fatalf("%v: the conflict did not hold the field", tc.choice)
		}
		d, ok := cmd().(common.OpenDialogMsg)
		if !ok || d.Dialog.ID() != "tab/conflict" {
			t.Fatalf("%v: no conflict dialog", tc.choice)
		}
		if e.Unsaved("A.5.1", nil) != "notes of A.5.1 (changed elsewhere; yours is not saved)" {
			t.Errorf("unsaved: %q", e.Unsaved("A.5.1", nil))
		}
		info := e.Resolve(ConflictAnswer[string]{Key: "A.5.1", Field: "notes", Mine: "mine", Choice: tc.choice}, "theirs", "took theirs")
		if e.Conflict || e.Saved != "theirs" || o.left != tc.left || len(o.saved) != len(tc.saved) || e.Err != tc.err {
			t.Errorf("%v: conflict %v, stored %q, left %d, saved %q, err %q", tc.choice, e.Conflict, e.Saved, o.left, o.saved, e.Err)
		}
		if tc.choice == TakeTheirs {
			if msg, _ := info().(common.InfoMsg); msg.Text != "took theirs" || e.Value() != "theirs" {
				t.Errorf("take theirs: %q, field %q", msg.Text, e.Value())
			}
		}
	}
}
