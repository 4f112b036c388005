package dialog

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
)

// JumpID is the jump box's dialog id.
const JumpID = "jump"

// Jump is the jump box (:): type a requirement ref of either standard, a risk ref, an AI
// system, an evidence title or a tab; enter goes there.
type Jump struct {
	common.Outcome
	st      *common.Styles
	owner   string
	targets []common.JumpTarget
	shown   []int
	cursor  int
	offset  int
	input   textinput.Model
	err     error
}

const jumpRows = 10

// NewJump builds the box over targets; the chosen target's message goes to owner.
func NewJump(st *common.Styles, owner string, targets []common.JumpTarget) *Jump {
	in := textinput.New()
	in.Prompt = ": "
	in.Placeholder = "A.5.2, 6.1.4, R-003, an AI system, evidence, a tab"
	in.CharLimit = 100
	s := in.Styles()
	s.Cursor.Blink = false
	in.SetStyles(s)
	in.Focus()
	j := &Jump{st: st, owner: owner, targets: targets, input: in}
	j.refilter()
	return j
}

// ID names the dialog.
func (j *Jump) ID() string { return JumpID }

// TargetsMsg brings the targets loaded in a command to the box.
type TargetsMsg struct {
	Targets []common.JumpTarget
	Err     error
}

// Load is the command that reads targets for the box (deliver it with common.Send(JumpID, …)).
func Load(ctx context.Context, j common.Jumper) tea.Cmd {
	return common.Send(JumpID, func() tea.Msg {
		t, err := j.JumpTargets(ctx)
		return TargetsMsg{Targets: t, Err: err}
	})
}

// refilter ranks targets: a ref typed exactly first ("A.5.2" is the control, never clause
// 5.2), then a ref that differs only by the Annex A prefix ("5.2" also finds A.5.2), then
// refs starting with the text, then labels holding every typed word.
func (j *Jump) refilter() {
	q := strings.ToLower(strings.TrimSpace(j.input.Value()))
	words := strings.Fields(q)
	var exact, loose, prefix, other []int
	for i, t := range j.targets {
		label := strings.ToLower(t.Label)
		ref, _, _ := strings.Cut(label, " ")
		switch {
		case q == "":
			other = append(other, i)
		case ref == q:
			exact = append(exact, i)
		case strings.TrimPrefix(ref, "a.") == strings.TrimPrefix(q, "a."):
			loose = append(loose, i)
		case strings.HasPrefix(ref, q):
			prefix = append(prefix, i)
		default:
			hay := label + " " + strings.ToLower(t.Kind)
			ok := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					ok = false
					break
				}
			}
			if ok {
				other = append(other, i)
			}
		}
	}
	j.shown = append(append(append(exact, loose...), prefix...), other...)
	j.cursor, j.offset = 0, 0
}

// Update reads the typed text and the list keys.
func (j *Jump) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case TargetsMsg:
		j.targets, j.err = msg.Targets, msg.Err
		j.refilter()
		return j, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keyCancel):
			j.Close()
			return j, nil
		case key.Matches(msg, keyDown):
			if j.cursor < len(j.shown)-1 {
				j.cursor++
			}
			j.clamp()
			return j, nil
		case key.Matches(msg, keyUp):
			if j.cursor > 0 {
				j.cursor--
			}
			j.clamp()
			return j, nil
		case key.Matches(msg, keyConfirm):
			if len(j.shown) == 0 {
				return j, nil
			}
			j.Close()
			j.Reply(j.owner, j.targets[j.shown[j.cursor]].Msg)
			return j, nil
		}
	case tea.PasteMsg:
		msg.Content = common.OneLine(msg.Content)
		var cmd tea.Cmd
		j.input, cmd = j.input.Update(msg)
		j.refilter()
		return j, cmd
	default:
		return j, nil
	}
	before := j.input.Value()
	var cmd tea.Cmd
	j.input, cmd = j.input.Update(msg)
	if j.input.Value() != before {
		j.refilter()
	}
	return j, cmd
}

func (j *Jump) clamp() {
	if j.cursor < j.offset {
		j.offset = j.cursor
	}
	if j.cursor >= j.offset+jumpRows {
		j.offset = j.cursor - jumpRows + 1
	}
}

// View draws the box.
func (j *Jump) View(w, h int) string {
	w = Width(w)
	inner := w - 4
	rows := min(jumpRows, max(3, h-6))
	lines := []string{common.Truncate(j.input.View(), inner)}
	switch {
	case j.err != nil:
		lines = append(lines, j.st.Error.Render(common.Truncate("Could not list targets: "+j.err.Error(), inner)))
	case j.targets == nil:
		lines = append(lines, j.st.Muted.Render("loading…"))
	case len(j.shown) == 0:
		lines = append(lines, j.st.Muted.Render("nothing matches"))
	}
	end := min(len(j.shown), j.offset+rows)
	for i := j.offset; i < end; i++ {
		t := j.targets[j.shown[i]]
		kind := common.Pad(j.st.Muted.Render(t.Kind), 11)
		text := kind + " " + common.Truncate(common.OneLine(t.Label), inner-14)
		if i == j.cursor {
			lines = append(lines, j.st.Selected.Render("▸ "+common.Pad(text, inner-2)))
		} else {
			lines = append(lines, "  "+text)
		}
	}
	if more := len(j.shown) - end; more > 0 {
		lines = append(lines, j.st.Subtle.Render("  ↓ "+itoa(more)+" more"))
	}
	return box(j.st, "Jump to", strings.Join(lines, "\n"), w, h)
}

// KeyMap is the box's keys.
func (j *Jump) KeyMap() help.KeyMap {
	b := []key.Binding{withHelp(keyConfirm, "enter", "go"), keyDown, keyUp, keyCancel}
	return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
