package evidence

import (
	"context"
	"errors"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// The evidence form's field keys are the domain's field names, so a *ValidationError from
// the rules or the store shows next to its field.
const (
	kTitle       = "title"
	kKind        = "kind"
	kDescription = "description"
	kPath        = "path"
	kKept        = "kept"
	kURL         = "url"
	kCollectedOn = "collected_on"
	kCollectedBy = "collected_by"
	kValidUntil  = "valid_until"
	kLinks       = "links"
)

var kindOptions = []form.Option{
	{Value: string(assessments.KindDocument), Label: "document (a file)"},
	{Value: string(assessments.KindRecord), Label: "record (a file)"},
	{Value: string(assessments.KindScreenshot), Label: "screenshot (a file)"},
	{Value: string(assessments.KindLink), Label: "link (a web address)"},
	{Value: string(assessments.KindInterview), Label: "interview (notes)"},
	{Value: string(assessments.KindObservation), Label: "observation (notes)"},
}

var keepOptions = []form.Option{
	{Value: "yes", Label: "yes: a copy of the file (up to 50 MB) in the workspace"},
	{Value: "no", Label: "no: its path and fingerprint only"},
}

// editor is the evidence form over one item, new or existing, and what saving it takes.
// Nothing is written before ctrl+s; a refused save keeps everything typed.
type editor struct {
	c      *common.Common
	eng    assessments.Engagement
	before *assessments.Evidence // nil: a new item
	form   *form.Form
	saving bool
	seq    int
	// general is a problem of the whole save (a conflict, a store error).
	general string
}

// newEditor builds the form for item (nil: a new item linked to preset). risks names the
// register's risks (id → "R-001 title") so the links can tick them too.
func newEditor(c *common.Common, e assessments.Engagement, item *assessments.Evidence, preset []assessments.EvidenceLink, risks map[string]string) *editor {
	ed := &editor{c: c, eng: e, before: item}
	var loaded assessments.Evidence
	links := preset
	if item != nil {
		loaded = *item
		links = item.Links
	}
	var ticked []string
	for _, l := range links {
		if l.Target != assessments.LinkImpactAssessment {
			ticked = append(ticked, l.String())
		}
	}
	// A stored path or address always shows, whatever the kind, so nothing saved is hidden.
	showPath := func(v form.Values) bool { return v[kKind] != string(assessments.KindLink) || loaded.Path != "" }
	showURL := func(v form.Values) bool {
		return !assessments.EvidenceKind(v[kKind]).NeedsFile() || loaded.URL != ""
	}
	ed.form = form.New(c.Styles,
		form.Field{Key: kTitle, Label: "Title", Kind: form.Text, Limit: assessments.MaxNameLen,
			Placeholder: "what it is, e.g. Access review Q3"},
		form.Field{Key: kKind, Label: "Kind", Kind: form.Choice, Options: kindOptions,
			Help: "a document, record or screenshot is a file; a link is a web address; notes need neither"},
		form.Field{Key: kDescription, Label: "Description", Kind: form.MultiLine, Limit: assessments.MaxTextLen, Lines: 3,
			Placeholder: "what it shows, where it came from"},
		form.Field{Key: kPath, Label: "File path", Kind: form.Text, Limit: 4096, Show: showPath,
			Placeholder: "e.g. ~/client/evidence/access-review.xlsx",
			Help:        "the file is hashed when saved, so a later change shows"},
		form.Field{Key: kKept, Label: "Keep a copy", Kind: form.Choice, Options: keepOptions, Show: showPath},
		form.Field{Key: kURL, Label: "Web address", Kind: form.Text, Limit: 4096, Show: showURL,
			Placeholder: "e.g. https://intranet.example/policy"},
		form.Field{Key: kCollectedOn, Label: "Collected on", Kind: form.Date},
		form.Field{Key: kCollectedBy, Label: "Collected by", Kind: form.Person, Limit: assessments.MaxNameLen,
			Placeholder: "who collected it"},
		form.Field{Key: kValidUntil, Label: "Valid until", Kind: form.Date,
			Placeholder: "YYYY-MM-DD, empty: no expiry (t: today)"},
		form.Field{Key: kLinks, Label: "Links", Kind: form.Multi,
			Items: func() []form.Option { return linkOptions(c, e, risks, ticked) },
			Help:  "the requirements (either standard) and risks it supports"},
	)
	ed.form.SetNow(c.Now)
	ed.form.SetValidator(ed.problems)
	v := form.Values{kKind: string(assessments.KindDocument), kKept: "yes"}
	if item != nil {
		// Stored text is shown inert: an escape sequence in a title must not reach the
		// terminal through the field. evidence() maps untouched fields back to the original.
		v = form.Values{
			kTitle: common.Inert(item.Title), kKind: string(item.Kind), kDescription: common.Inert(item.Description),
			kPath: common.Inert(item.Path), kURL: common.Inert(item.URL), kCollectedOn: common.Inert(item.CollectedOn),
			kCollectedBy: common.Inert(item.CollectedBy), kValidUntil: common.Inert(item.ValidUntil), kKept: "no",
		}
		if item.Kept || item.Path == "" {
			v[kKept] = "yes"
		}
	} else {
		v[kCollectedOn] = c.Now().Format(assessments.DateLayout)
		v[kCollectedBy] = c.Store.Author()
	}
	v[kLinks] = form.Join(ticked)
	ed.form.Load(v)
	return ed
}

// title names what the form edits.
func (ed *editor) title() string {
	if ed.before == nil {
		return "New evidence"
	}
	return "Edit evidence " + quote(ed.before.Title)
}

// linkOptions are the requirements of every standard in scope, in catalog order, then the
// register's risks by ref; the links the item has come first, so the list opens on them.
func linkOptions(c *common.Common, e assessments.Engagement, risks map[string]string, first []string) []form.Option {
	var out []form.Option
	for _, std := range e.Standards {
		cat, ok := c.Catalogs.Get(std)
		if !ok {
			continue
		}
		for _, r := range cat.Requirements {
			out = append(out, form.Option{Value: std + ":" + r.Ref, Label: cat.Short + " " + r.Ref + "  " + r.Title})
		}
	}
	ids := make([]string, 0, len(risks))
	for id := range risks {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return risks[ids[i]] < risks[ids[j]] })
	for _, id := range ids {
		ref, title, _ := strings.Cut(risks[id], " ")
		out = append(out, form.Option{Value: string(assessments.LinkRisk) + ":" + id, Label: "Risk " + ref + "  " + title})
	}
	isFirst := map[string]bool{}
	for _, v := range first {
		isFirst[v] = true
	}
	sort.SliceStable(out, func(i, j int) bool { return isFirst[out[i].Value] && !isFirst[out[j].Value] })
	return out
}

// parseLink reads a Links value ("iso27001-2022:A.5.15", "risk:<id>").
func parseLink(v string) (assessments.EvidenceLink, bool) {
	prefix, ref, ok := strings.Cut(v, ":")
	if !ok || prefix == "" || ref == "" {
		return assessments.EvidenceLink{}, false
	}
	switch assessments.LinkTarget(prefix) {
	case assessments.LinkRisk:
		return assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: ref}, true
	case assessments.LinkImpactAssessment:
		return assessments.EvidenceLink{}, false
	}
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: prefix, Ref: ref}, true
}

// evidence is the item the form describes, with the links to remove and to add.
func (ed *editor) evidence() (after assessments.Evidence, unlink, link []assessments.EvidenceLink) {
	v := ed.form.Values()
	var before assessments.Evidence
	if ed.before != nil {
		before = *ed.before
	}
	after = before
	after.EngagementID = ed.eng.ID
	// keep is the stored value where the field still shows it untouched (inert).
	keep := func(k, stored string, trim bool) string {
		typed := v[k]
		if ed.before != nil && typed == common.Inert(stored) {
			return stored
		}
		if trim {
			return strings.TrimSpace(typed)
		}
		return typed
	}
	after.Title = keep(kTitle, before.Title, true)
	after.Kind = assessments.EvidenceKind(v[kKind])
	after.Description = keep(kDescription, before.Description, false)
	after.Path = keep(kPath, before.Path, true)
	after.URL = keep(kURL, before.URL, true)
	after.CollectedOn = keep(kCollectedOn, before.CollectedOn, true)
	after.CollectedBy = keep(kCollectedBy, before.CollectedBy, true)
	after.ValidUntil = keep(kValidUntil, before.ValidUntil, true)
	after.Kept = v[kKept] == "yes"
	// A field the kind hides holds nothing: a link has no file, a document no address.
	if after.Kind == assessments.KindLink && before.Path == "" {
		after.Path = ""
	}
	if after.Kind.NeedsFile() && before.URL == "" {
		after.URL = ""
	}
	want := map[string]bool{}
	for _, s := range form.Split(v[kLinks]) {
		if l, ok := parseLink(s); ok && !want[l.String()] {
			want[l.String()] = true
			link = append(link, l)
		}
	}
	if ed.before == nil {
		after.Links = nil
		return after, nil, link
	}
	have := map[string]bool{}
	for _, l := range before.Links {
		if l.Target == assessments.LinkImpactAssessment {
			continue // made from the assessment; the form leaves them be
		}
		have[l.String()] = true
		if !want[l.String()] {
			unlink = append(unlink, l)
		}
	}
	var add []assessments.EvidenceLink
	for _, l := range link {
		if !have[l.String()] {
			add = append(add, l)
		}
	}
	return after, unlink, add
}

// problems checks the form's values with the domain rules (no I/O).
func (ed *editor) problems(form.Values) map[string]string {
	e, _, _ := ed.evidence()
	e.Links = nil
	out := map[string]string{}
	for _, p := range e.Problems() {
		out[p.Field] = p.Message
	}
	return out
}

// savedMsg is the outcome of saving the form.
type savedMsg struct {
	seq     int
	created bool
	item    assessments.Evidence
	err     error
	// current is the stored item when the save was refused because of a conflict.
	current *assessments.Evidence
}

// save returns the command that writes the form (its result goes to owner), or nil while a
// save is running.
func (ed *editor) save(owner string) tea.Cmd {
	if ed.saving {
		return nil
	}
	if errs := ed.problems(nil); len(errs) > 0 {
		return ed.form.SetErrors(errs)
	}
	after, unlink, link := ed.evidence()
	ed.saving, ed.general = true, ""
	ed.seq++
	seq, c, before := ed.seq, ed.c, ed.before
	return common.Send(owner, func() tea.Msg {
		item, err := c.Store.SaveEvidenceWithLinks(c.Ctx, before, after, unlink, link, store.AttachOptions{})
		msg := savedMsg{seq: seq, created: before == nil, item: item, err: err}
		if errors.Is(err, store.ErrConflict) && before != nil {
			if cur, err := c.Store.EvidenceItem(c.Ctx, before.ID); err == nil {
				msg.current = &cur
			}
		}
		return msg
	})
}

// saved takes the outcome of save; it returns true when the item was saved.
func (ed *editor) saved(msg savedMsg) (bool, tea.Cmd) {
	if msg.seq != ed.seq || !ed.saving {
		return false, nil
	}
	ed.saving = false
	if msg.err == nil {
		ed.form.MarkSaved()
		return true, nil
	}
	var ve *assessments.ValidationError
	if errors.As(msg.err, &ve) && ve.Field != "" {
		return false, ed.form.SetError(ve.Field, ve.Message)
	}
	ed.general = msg.err.Error()
	if msg.current != nil {
		// What the user typed stays; the next save compares with what is stored now.
		ed.before = msg.current
	}
	return false, nil
}

// flush saves the form at once when it changed and passes the rules (the program is ending
// or the tab is left); afterwards the form edits the saved item.
func (ed *editor) flush(ctx context.Context) error {
	if ed.saving || !ed.form.Changed() || len(ed.problems(nil)) > 0 {
		return nil
	}
	after, unlink, link := ed.evidence()
	item, err := ed.c.Store.SaveEvidenceWithLinks(ctx, ed.before, after, unlink, link, store.AttachOptions{})
	if err != nil {
		return err
	}
	ed.before = &item
	ed.form.MarkSaved()
	return nil
}

// unsaved is true for typed changes that cannot be saved as they stand.
func (ed *editor) unsaved() bool {
	return !ed.saving && ed.form.Changed() && len(ed.problems(nil)) > 0
}
