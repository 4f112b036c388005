package form

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

var today = time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)

func sample() *Form {
	f := New(common.NewStyles(true),
		Field{Key: "title", Label: "Title", Kind: Text, Required: true, Limit: 20},
		Field{Key: "notes", Label: "Notes", Kind: MultiLine},
		Field{Key: "due", Label: "Due", Kind: Date},
		Field{Key: "level", Label: "Level", Kind: Level, Options: []Option{{"0", "0 none"}, {"1", "1 low"}, {"2", "2 mid"}, {"3", "3 high"}}},
		Field{Key: "kind", Label: "Kind", Kind: Choice, Options: []Option{{"doc", "document"}, {"rec", "record"}, {"url", "link"}}},
		Field{Key: "tags", Label: "Tags", Kind: Multi, Options: []Option{{"c", "confidentiality"}, {"i", "integrity"}, {"a", "availability"}}},
		Field{Key: "owner", Label: "Owner", Kind: Person},
		Field{Key: "why", Label: "Why", Kind: Text, Show: func(v Values) bool { return v["kind"] == "url" }},
	)
	f.SetNow(func() time.Time { return today })
	f.SetSize(80, 20)
	f.Load(Values{"title": "Backups", "kind": "doc", "level": "1"})
	return f
}

func press(t *testing.T, f *Form, keys ...string) Action {
	t.Helper()
	var act Action
	for _, k := range keys {
		act, _ = f.Update(tuitest.Key(k))
	}
	return act
}

func typeText(f *Form, s string) {
	for _, k := range tuitest.Keys(s) {
		f.Update(k)
	}
}

func TestLeaveUnchangedAndAskWhenChanged(t *testing.T) {
	f := sample()
	if act := press(t, f, "esc"); act != Leave {
		t.Fatalf("esc on an unchanged form: %v, want Leave", act)
	}
	f = sample()
	typeText(f, " daily")
	if act := press(t, f, "esc"); act != None || !f.Asking() {
		t.Fatalf("esc on a changed form must ask, got act %v asking %v", act, f.Asking())
	}
	if !strings.Contains(tuitest.Plain(f.View()), "Discard changes?") {
		t.Fatalf("the question is not on screen:\n%s", tuitest.Plain(f.View()))
	}
	if act := press(t, f, "n"); act != None || f.Asking() || f.Value("title") != "Backups daily" {
		t.Fatalf("n must keep editing with the text: act %v asking %v title %q", act, f.Asking(), f.Value("title"))
	}
	press(t, f, "esc")
	if act := press(t, f, "y"); act != Leave {
		t.Fatalf("y must discard and leave, got %v", act)
	}
}

func TestSaveChecksRequiredAndDatesAndClearsFixedErrors(t *testing.T) {
	f := sample()
	for range len("Backups") {
		press(t, f, "backspace")
	}
	if act := press(t, f, "ctrl+s"); act != None {
		t.Fatalf("an empty required field must stop the save, got %v", act)
	}
	if f.Errors()["title"] == "" || f.FocusKey() != "title" {
		t.Fatalf("error %v, focus %q", f.Errors(), f.FocusKey())
	}
	typeText(f, "B")
	if _, still := f.Errors()["title"]; still {
		t.Fatal("the message must clear once the field is valid")
	}
	f.Focus("due")
	typeText(f, "2027-13-40")
	press(t, f, "ctrl+s")
	if !strings.Contains(f.Errors()["due"], "YYYY-MM-DD") {
		t.Fatalf("bad date message: %v", f.Errors())
	}
	for range 10 {
		press(t, f, "backspace")
	}
	press(t, f, "t")
	if f.Value("due") != "2027-03-04" {
		t.Fatalf("t must fill in today, got %q", f.Value("due"))
	}
	if _, still := f.Errors()["due"]; still {
		t.Fatal("date message must clear")
	}
	if act := press(t, f, "ctrl+s"); act != Save {
		t.Fatalf("valid form must save, got %v (errors %v)", act, f.Errors())
	}
}

func TestValidatorMessagesShowAndClear(t *testing.T) {
	f := sample()
	f.SetValidator(func(v Values) map[string]string {
		if v["level"] == "3" {
			return map[string]string{"level": "Too high for a draft."}
		}
		return nil
	})
	f.Focus("level")
	press(t, f, "3")
	if len(f.Errors()) != 0 {
		t.Fatal("a change must not add messages before save")
	}
	press(t, f, "ctrl+s")
	if f.Errors()["level"] == "" {
		t.Fatal("validator message missing after save")
	}
	press(t, f, "left")
	if len(f.Errors()) != 0 {
		t.Fatalf("fixed field keeps its error: %v", f.Errors())
	}
}

func TestLevelAndChoiceKeys(t *testing.T) {
	f := sample()
	f.Focus("level")
	press(t, f, "0")
	if f.Value("level") != "0" {
		t.Fatalf("digit 0 must set level 0, got %q", f.Value("level"))
	}
	press(t, f, "right", "right", "right", "right")
	if f.Value("level") != "3" {
		t.Fatalf("right stops at the top, got %q", f.Value("level"))
	}
	f.Focus("kind")
	press(t, f, "left")
	if f.Value("kind") != "url" {
		t.Fatalf("left wraps to the last choice, got %q", f.Value("kind"))
	}
	press(t, f, "right")
	if f.Value("kind") != "doc" {
		t.Fatalf("right wraps to the first, got %q", f.Value("kind"))
	}
}

func TestPickListFiltersAndNeverPanicsOnNoMatch(t *testing.T) {
	f := sample()
	f.Focus("kind")
	press(t, f, "enter")
	typeText(f, "z")
	press(t, f, "down", "up", "down", "pgdown")
	_ = f.View()
	if act := press(t, f, "enter"); act != None || f.Value("kind") != "doc" {
		t.Fatalf("enter with nothing matching must do nothing: %v %q", act, f.Value("kind"))
	}
	press(t, f, "backspace")
	typeText(f, "rec")
	press(t, f, "enter")
	if f.Value("kind") != "rec" {
		t.Fatalf("typed filter + enter picks the match, got %q", f.Value("kind"))
	}
	// j is a letter for the filter, not a move.
	press(t, f, "enter")
	typeText(f, "j")
	if !strings.Contains(tuitest.Plain(f.View()), "/ j") {
		t.Fatalf("j must go to the filter:\n%s", tuitest.Plain(f.View()))
	}
	press(t, f, "esc")
	if f.Value("kind") != "rec" {
		t.Fatal("esc closes the list with no change")
	}
}

func TestMultiPick(t *testing.T) {
	f := sample()
	f.Focus("tags")
	press(t, f, "enter", "space", "down", "down", "space", "enter")
	if f.Value("tags") != "c,a" {
		t.Fatalf("tags %q, want c,a", f.Value("tags"))
	}
	press(t, f, "enter", "space", "esc")
	if f.Value("tags") != "c,a" {
		t.Fatalf("esc must drop ticks made in the list, got %q", f.Value("tags"))
	}
	press(t, f, "enter")
	typeText(f, "zzz")
	press(t, f, "space", "down", "enter")
	if f.Value("tags") != "c,a" {
		t.Fatalf("no match: nothing ticked, got %q", f.Value("tags"))
	}
}

func TestPersonSuggestion(t *testing.T) {
	f := sample()
	f.SetPeople([]string{"Dana Ruiz", "Tomás Novák"})
	f.Focus("owner")
	typeText(f, "dan")
	if !strings.Contains(tuitest.Plain(f.View()), "dana Ruiz") {
		t.Fatalf("suggestion not shown:\n%s", tuitest.Plain(f.View()))
	}
	press(t, f, "right")
	if f.Value("owner") != "Dana Ruiz" {
		t.Fatalf("→ must take the suggestion, got %q", f.Value("owner"))
	}
}

func TestPasteOverLimitRefusedWithMessage(t *testing.T) {
	f := sample()
	f.Update(tea.PasteMsg{Content: strings.Repeat("x", 30)})
	if f.Value("title") != "Backups" {
		t.Fatalf("paste past the limit changed the field: %q", f.Value("title"))
	}
	if !strings.Contains(f.Errors()["title"], "Nothing was pasted") {
		t.Fatalf("no message: %v", f.Errors())
	}
	f.Focus("notes")
	big := strings.Repeat("line of notes\n", 1000)
	f.Update(tea.PasteMsg{Content: big})
	if f.Value("notes") != big {
		t.Fatalf("a paste under the limit must be kept whole (%d of %d)", len(f.Value("notes")), len(big))
	}
}

func TestHelpKeyOnChoiceAndHiddenFields(t *testing.T) {
	f := sample()
	f.Focus("kind")
	_, cmd := f.Update(tuitest.Key("?"))
	if cmd == nil {
		t.Fatal("? on a choice field must ask for the key list")
	}
	if _, ok := cmd().(common.ToggleHelpMsg); !ok {
		t.Fatal("? must send ToggleHelpMsg")
	}
	if strings.Contains(tuitest.Plain(f.View()), "Why") {
		t.Fatal("a hidden field is drawn")
	}
	press(t, f, "left") // url
	if !strings.Contains(tuitest.Plain(f.View()), "Why") {
		t.Fatal("the field must show once its condition holds")
	}
}

func TestTallFormScrollsToFocusWithCues(t *testing.T) {
	f := sample()
	f.SetSize(60, 6)
	v := tuitest.Plain(f.View())
	if !strings.Contains(v, "more below") {
		t.Fatalf("no cue for fields below:\n%s", v)
	}
	f.Focus("owner")
	v = tuitest.Plain(f.View())
	if !strings.Contains(v, "Owner") || !strings.Contains(v, "more above") {
		t.Fatalf("focused field not in view:\n%s", v)
	}
	if n := len(strings.Split(v, "\n")); n > 6 {
		t.Fatalf("view is %d lines in a height of 6", n)
	}
}

func TestNothingChangesOnLoad(t *testing.T) {
	f := sample()
	if f.Changed() {
		t.Fatal("a loaded form is unchanged")
	}
	f.Focus("kind")
	press(t, f, "right")
	if !f.Changed() || strings.Join(f.ChangedKeys(), ",") != "kind" {
		t.Fatalf("changed keys %v", f.ChangedKeys())
	}
}

func TestSecretFieldIsDrawnMasked(t *testing.T) {
	f := New(common.NewStyles(true),
		Field{Key: "path", Label: "Output file", Kind: Text},
		Field{Key: "pass", Label: "Passphrase", Kind: Text, Secret: true},
	)
	f.SetSize(80, 10)
	f.Load(Values{"path": "pack.zip"})
	f.Focus("pass")
	typeText(f, "horse battery")
	f.Update(tea.PasteMsg{Content: " staple"})
	if got := f.Value("pass"); got != "horse battery staple" {
		t.Fatalf("the value is what was typed, got %q", got)
	}
	check := func(where string) {
		t.Helper()
		v := tuitest.Plain(f.View())
		if strings.Contains(v, "horse") || strings.Contains(v, "staple") {
			t.Fatalf("%s: the secret shows on screen:\n%s", where, v)
		}
		if !strings.Contains(v, strings.Repeat("•", 5)) {
			t.Fatalf("%s: no mask drawn:\n%s", where, v)
		}
		if !strings.Contains(v, "pack.zip") {
			t.Fatalf("%s: a plain field is masked too:\n%s", where, v)
		}
	}
	check("focused")
	f.Focus("path")
	check("blurred")
	f.SetReadOnly(true)
	check("read-only")
}

func TestQuietLeaveDoesNotAsk(t *testing.T) {
	f := sample()
	f.SetQuietLeave(true)
	typeText(f, " daily")
	if act := press(t, f, "esc"); act != Leave || f.Asking() {
		t.Fatalf("a quiet form leaves on esc even when changed: act %v asking %v", act, f.Asking())
	}
}

func helpText(f *Form) string {
	var parts []string
	for _, b := range f.KeyMap().ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " • ")
}

func TestHelpNamesTheSaveAndLeavesOutMovesInAOneFieldForm(t *testing.T) {
	f := New(common.NewStyles(true), Field{Key: "name", Label: "Name", Kind: Text})
	f.SetSize(60, 5)
	f.Load(Values{})
	f.SetSaveLabel("delete")
	f.SetQuietLeave(true)
	typeText(f, "x")
	h := helpText(f)
	for _, want := range []string{"ctrl+s delete", "esc cancel"} {
		if !strings.Contains(h, want) {
			t.Errorf("help %q lacks %q", h, want)
		}
	}
	if strings.Contains(h, "next field") || strings.Contains(h, "discard") {
		t.Errorf("help %q offers moves or a discard question a one-field prompt does not have", h)
	}
	if h := helpText(sample()); !strings.Contains(h, "ctrl+s save") || !strings.Contains(h, "next field") {
		t.Errorf("default help %q", h)
	}
}

func TestPickFilterPlaceholderAndSuggestionDrawWhole(t *testing.T) {
	f := sample()
	f.Focus("tags")
	press(t, f, "enter")
	if v := tuitest.Plain(f.View()); !strings.Contains(v, "/ type to filter") {
		t.Errorf("the pick list's filter placeholder is cut:\n%s", v)
	}
	press(t, f, "esc")
	f.SetPeople([]string{"Dana Ruiz"})
	f.Focus("owner")
	typeText(f, "Da")
	for _, l := range strings.Split(tuitest.Plain(f.View()), "\n") {
		if strings.Contains(l, "Owner") && strings.HasSuffix(l, "…") {
			t.Errorf("the focused field with a suggestion ends in an ellipsis: %q", l)
		}
	}
}

func TestPersonFieldSuggestionKeysWithNothingSuggestedDoNotPanic(t *testing.T) {
	f := sample()
	f.SetPeople([]string{"Dana Ruiz"})
	f.Focus("owner")
	press(t, f, "ctrl+p", "right", "ctrl+n", "ctrl+p")
	_ = f.KeyMap().ShortHelp()
	_ = f.View()
	typeText(f, "Da")
	press(t, f, "ctrl+p", "right")
	if f.Value("owner") != "Dana Ruiz" {
		t.Fatalf("owner %q after taking the suggestion", f.Value("owner"))
	}
}

func TestIdleFormSendsNoTimers(t *testing.T) {
	f := sample()
	cmd := f.Focus("notes")
	_, c2 := f.Update(tuitest.Key("a"))
	_, c3 := f.Update(tuitest.Key("left"))
	for i, c := range []tea.Cmd{cmd, c2, c3} {
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		select {
		case <-done:
		case <-time.After(200 * time.Millisecond):
			t.Fatalf("command %d waits on a timer: the multi-line field's cursor blinks", i)
		}
	}
}

// Issue 12 item 5: pasted escape sequences and other control characters are stored exactly
// (and never reach the terminal: the view holds no ESC or BEL).
func TestPasteKeepsControlCharactersExactlyAndInert(t *testing.T) {
	for _, kind := range []Kind{Text, MultiLine} {
		f := New(common.NewStyles(true), Field{Key: "v", Label: "V", Kind: kind})
		f.SetSize(80, 10)
		f.Load(Values{"v": ""})
		nasty := "A\x1b]0;pwned\x07B\x1b[31mred\x1b[0mC\ttab\x7f\u0085"
		f.Update(tea.PasteMsg{Content: nasty})
		if got := f.Value("v"); got != nasty {
			t.Errorf("kind %d stored %q, want %q", kind, got, nasty)
		}
		if v := f.View(); strings.ContainsAny(v, "\x07") || strings.Contains(v, "\x1b]0;") {
			t.Errorf("kind %d: the view sends the pasted sequence to the terminal: %q", kind, v)
		}
		f.Load(Values{"v": nasty})
		if got := f.Value("v"); got != nasty {
			t.Errorf("kind %d: a loaded value comes back as %q", kind, got)
		}
	}
}

func TestPastedLineEndsBecomeNewlines(t *testing.T) {
	f := New(common.NewStyles(true), Field{Key: "v", Label: "V", Kind: MultiLine})
	f.Load(Values{})
	f.Update(tea.PasteMsg{Content: "one\r\ntwo\rthree"})
	if got := f.Value("v"); got != "one\ntwo\nthree" {
		t.Fatalf("%q", got)
	}
}

func TestMultiLineFocusStartsNoTimer(t *testing.T) {
	f := sample()
	cmd := f.Focus("notes")
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("focusing a multi-line field started a blink timer: an idle form would keep redrawing")
	}
}

func TestSelectorDoesNotChangeTheForm(t *testing.T) {
	f := New(common.NewStyles(true),
		Field{Key: "area", Label: "Area", Kind: Choice, Selector: true, Options: []Option{{"0", "first"}, {"1", "second"}}},
		Field{Key: "a0", Label: "First", Kind: Text, Show: func(v Values) bool { return v["area"] == "0" }},
		Field{Key: "a1", Label: "Second", Kind: Text, Show: func(v Values) bool { return v["area"] == "1" }},
	)
	f.Load(Values{"area": "0"})
	press(t, f, "right")
	if f.Value("area") != "1" || f.Changed() || len(f.ChangedKeys()) != 0 {
		t.Fatalf("a selector change made the form changed: %v", f.ChangedKeys())
	}
	if act := press(t, f, "esc"); act != Leave {
		t.Fatalf("esc after only a selector change must leave, got %v (asking %v)", act, f.Asking())
	}
	press(t, f, "tab")
	typeText(f, "x")
	if !f.Changed() || strings.Join(f.ChangedKeys(), ",") != "a1" {
		t.Fatalf("changed keys %v", f.ChangedKeys())
	}
}

func TestCrossFieldValidatorMessageClears(t *testing.T) {
	f := sample()
	// A rule over two fields: the level may not exceed the title's length.
	f.SetValidator(func(v Values) map[string]string {
		if len(v["level"]) > 0 && int(v["level"][0]-'0') > len(v["title"])-6 {
			return map[string]string{"level": "Level above what the title allows."}
		}
		return nil
	})
	f.Focus("level")
	press(t, f, "3")
	press(t, f, "ctrl+s")
	if f.Errors()["level"] == "" {
		t.Fatal("validator message missing after save")
	}
	f.Focus("title")
	typeText(f, " daily")
	if msg := f.Errors()["level"]; msg != "" {
		t.Fatalf("fixed through the other field, the message stays: %q", msg)
	}
}

func TestFocusedFieldsDoNotBlink(t *testing.T) {
	f := sample()
	// A blinking cursor sends a timer message every half second: the screen would redraw
	// for nothing, and a test driver waits on it.
	for _, k := range []string{"title", "notes", "due", "owner"} {
		if cmd := f.Focus(k); cmd != nil {
			t.Errorf("focusing %s returned a command (a cursor blink)", k)
		}
	}
}

func TestSetOptionsRelabelsAndKeepsTheValue(t *testing.T) {
	f := sample()
	f.Focus("level")
	f.SetOptions("level", []Option{{"0", "0 nil"}, {"1", "1 minor"}, {"2", "2 medium"}, {"3", "3 major"}})
	if f.Value("level") != "1" || f.Changed() {
		t.Fatalf("value %q changed %v", f.Value("level"), f.Changed())
	}
	if v := tuitest.Plain(f.View()); !strings.Contains(v, "1 minor") {
		t.Fatalf("new label not shown:\n%s", v)
	}
	press(t, f, "right")
	if f.Value("level") != "2" {
		t.Fatalf("right after relabel: %q", f.Value("level"))
	}
}

// An idle form sends no messages: focusing a field must not start a cursor blink tick.
func TestFocusStartsNoBlinkTimer(t *testing.T) {
	f := sample()
	for _, k := range []string{"title", "notes", "due", "owner"} {
		cmd := f.Focus(k)
		if cmd == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- cmd() }()
		select {
		case msg := <-done:
			if msg != nil {
				t.Errorf("focusing %s sent %T", k, msg)
			}
		case <-time.After(200 * time.Millisecond):
			t.Errorf("focusing %s started a timer (a blinking cursor)", k)
		}
	}
}

func TestPickListShowsItsFilterPlaceholder(t *testing.T) {
	f := sample()
	f.Focus("tags")
	press(t, f, "enter")
	if v := tuitest.Plain(f.View()); !strings.Contains(v, "/ type to filter") {
		t.Fatalf("the empty filter must say what it is for:\n%s", v)
	}
}

// The "more above/below" cues never cover the focused field or its open list.
func TestCuesNeverCoverTheFocusedFieldOrItsList(t *testing.T) {
	f := sample()
	f.SetSize(60, 7)
	f.Focus("tags")
	press(t, f, "enter")
	typeText(f, "zzz")
	v := tuitest.Plain(f.View())
	for _, want := range []string{"Tags", "/ zzz", "nothing matches", "more above"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q hidden:\n%s", want, v)
		}
	}
	press(t, f, "esc")
	f.Focus("notes")
	v = tuitest.Plain(f.View())
	if !strings.Contains(v, "▸ Notes") {
		t.Errorf("the focused label is under a cue:\n%s", v)
	}
	if n := len(strings.Split(v, "\n")); n > 7 {
		t.Fatalf("view is %d lines in a height of 7", n)
	}
}

func TestPickListShowsItsPlaceholder(t *testing.T) {
	f := sample()
	f.Focus("tags")
	press(t, f, "enter")
	if v := tuitest.Plain(f.View()); !strings.Contains(v, "type to filter") {
		t.Fatalf("the filter's placeholder is cut:\n%s", v)
	}
}

// ctrl+p in a Person field with nothing matching must not panic (bubbles' index goes to -1).
func TestPersonPreviousSuggestionWithNoMatch(t *testing.T) {
	f := sample()
	f.SetPeople([]string{"Dana Ruiz"})
	f.Focus("owner")
	typeText(f, "zz")
	press(t, f, "ctrl+p", "ctrl+p", "right")
	_ = f.View()
	_ = f.KeyMap().ShortHelp()
	if f.Value("owner") != "zz" {
		t.Fatalf("owner %q", f.Value("owner"))
	}
}
