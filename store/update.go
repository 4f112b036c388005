package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// One update path for every entity. A caller hands over what it read (before) and what it
// wants (after); update saves the difference onto the row as it is stored now:
//
//	diff(before, after) → nothing changed: the stored row
//	in one transaction: re-read the stored row
//	  → per edited field: changed elsewhere since the caller read it? *ConflictError
//	  → merge the edited fields onto the stored row (never the caller's whole record)
//	  → validate the merged value (the domain rule of package assessments)
//	  → write it → record the changed fields with their true old values → re-read it
//
// Each entity says how through an entity[T]; the exported Update/Save functions are thin
// wrappers around update.

// entity describes one kind of stored row to update.
type entity[T any] struct {
	// name is the entity in the change history ("risk").
	name string
	// fields are the fields compared, merged and recorded, in form order.
	fields []string
	// quiet fields are merged and written but neither conflict-checked nor recorded (where a
	// wizard stands).
	quiet map[string]bool
	// toMap flattens a value into field → text; fromMap rebuilds one from a stored value
	// (identity, times) and such a map.
	toMap   func(T) map[string]string
	fromMap func(stored T, m map[string]string) (T, error)
	// load reads the stored row that key names (key is the caller's value).
	load func(ctx context.Context, tx *Store, key T) (T, error)
	// editable, when set, refuses any edit of a stored row (a decided version).
	editable func(stored T) error
	// validate checks the merged value; stored is there for rules about change.
	validate func(ctx context.Context, tx *Store, stored, next T) error
	// write stores next over stored; changed are the edited fields.
	write func(ctx context.Context, tx *Store, stored, next T, changed []FieldDiff) error
	// ids names the row in the change history: its id and its engagement's.
	ids func(T) (id, engagementID string)
	// label names the row for a person: "risk R-003", "ISO 42001 A.5.2".
	label func(T) string
	// labels name fields in words where replacing '_' by ' ' is not enough.
	labels map[string]string
	// words, when set, turns a stored value into what a person reads ("not implemented").
	words func(field, value string) string
}

// update saves the fields that differ between before and after; see the top of this file.
// On error nothing is written and before is returned with it.
func update[T any](ctx context.Context, s *Store, e entity[T], before, after T) (T, error) {
	diffs := Diff(e.fields, e.toMap(before), e.toMap(after))
	if len(diffs) == 0 {
		stored, err := e.load(ctx, s, before)
		if err != nil {
			return before, err
		}
		return stored, nil
	}
	var saved T
	err := s.WithTx(ctx, func(tx *Store) error {
		stored, err := e.load(ctx, tx, before)
		if err != nil {
			return err
		}
		if e.editable != nil {
			if err := e.editable(stored); err != nil {
				return err
			}
		}
		m := e.toMap(stored)
		edits, err := e.fresh(stored, m, diffs)
		if err != nil {
			return err
		}
		if len(edits) == 0 {
			saved = stored // the same change was made elsewhere
			return nil
		}
		for _, d := range edits {
			m[d.Field] = d.New
		}
		next, err := e.fromMap(stored, m)
		if err != nil {
			return err
		}
		if err := e.validate(ctx, tx, stored, next); err != nil {
			return err
		}
		if err := e.write(ctx, tx, stored, next, edits); err != nil {
			return err
		}
		id, engagementID := e.ids(stored)
		if err := tx.Record(ctx, engagementID, e.name, id, e.recorded(Diff(e.fields, e.toMap(stored), e.toMap(next)))); err != nil {
			return err
		}
		saved, err = e.load(ctx, tx, stored)
		return err
	})
	if err != nil {
		return before, err
	}
	return saved, nil
}

// fresh checks the edited fields against the stored values (cur) and returns the edits
// still to make. A field whose stored value is neither what the caller read nor what it
// wants was changed elsewhere: a *ConflictError. A field already holding the wanted value
// needs no edit.
func (e entity[T]) fresh(stored T, cur map[string]string, diffs []FieldDiff) ([]FieldDiff, error) {
	var edits []FieldDiff
	for _, d := range diffs {
		switch now := cur[d.Field]; {
		case now == d.New:
			continue
		case now != d.Old && !e.quiet[d.Field]:
			return nil, &ConflictError{Entity: e.label(stored), Field: d.Field, FieldLabel: e.fieldLabel(d.Field),
				Theirs: e.valueWords(d.Field, now), Mine: e.valueWords(d.Field, d.New)}
		}
		edits = append(edits, d)
	}
	return edits, nil
}

// recorded drops the quiet fields from a diff.
func (e entity[T]) recorded(diffs []FieldDiff) []FieldDiff {
	out := diffs[:0:0]
	for _, d := range diffs {
		if !e.quiet[d.Field] {
			out = append(out, d)
		}
	}
	return out
}

func (e entity[T]) fieldLabel(field string) string {
	if l, ok := e.labels[field]; ok {
		return l
	}
	return strings.ReplaceAll(field, "_", " ")
}

func (e entity[T]) valueWords(field, value string) string {
	if e.words == nil {
		return value
	}
	return e.words(field, value)
}

// ConflictError refuses an edit of a field another process changed since the caller read
// it; nothing of the edit was written. errors.Is(err, ErrConflict) matches it. Screens show
// Mine and Theirs side by side.
type ConflictError struct {
	Entity     string // what was edited, for a person: "ISO 42001 A.5.2", "risk R-003"
	Field      string // the stored field name: "target_date"
	FieldLabel string // the field in words: "target date"
	Theirs     string // the value stored now, in words: "not implemented"
	Mine       string // the value the caller tried to save, in words
}

// Error is one line for a status bar, within 80 columns where the labels allow: whose
// field, what it is now (long text cut with "…"), and that the caller's value was not saved.
func (e *ConflictError) Error() string {
	if e.Theirs == "" {
		return fmt.Sprintf("%s: %s cleared elsewhere; yours not saved", e.Entity, e.FieldLabel)
	}
	const width, yours, short = 80, "; yours not saved", "; not saved"
	head := fmt.Sprintf("%s: %s changed elsewhere to ", e.Entity, e.FieldLabel)
	v := strings.Join(strings.Fields(e.Theirs), " ")
	room := func(tail string) int { return width - utf8.RuneCountInString(head+tail) - 2 }
	n := utf8.RuneCountInString(v)
	switch {
	case n <= room(yours):
		return head + strconv.Quote(v) + yours
	case n <= room(short) && n <= 24:
		// A few words ("partially implemented") read better whole than cut.
		return head + strconv.Quote(v) + short
	}
	return head + quoteShort(v, max(12, room(yours))) + yours
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// quoteShort quotes text on one line, cut to at most n characters with "…".
func quoteShort(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return strconv.Quote(s)
}

// cutLabel shortens a name used in an entity label.
func cutLabel(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// yesNo turns a stored flag ("true", "1", "yes" / "false", "0", "") into words.
func yesNo(v string) string {
	switch v {
	case "true", "1", "yes":
		return "yes"
	}
	return "no"
}

// listWords turns a stored comma list into words.
func listWords(v string, word func(string) string) string {
	if v == "" {
		return ""
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = word(p)
	}
	return strings.Join(parts, ", ")
}

func underscores(v string) string { return strings.ReplaceAll(v, "_", " ") }
