package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

func init() { register(newEvidenceCmd) }

// evidenceEnv is what every evidence subcommand opens: the workspace, the catalogs and
// the engagement named by --engagement.
type evidenceEnv struct {
	s   *store.Store
	set *catalogs.Set
	e   assessments.Engagement
}

func newEvidenceCmd(a *cliApp) *cobra.Command {
	var engagement string
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "List, add, link, check and export the evidence of an engagement",
		Long: `Evidence is collected once and linked to every requirement, risk or impact assessment it
supports, in either standard. Files are fingerprinted (SHA-256, size, time) when attached and a copy
is kept in the workspace (up to 50 MB by default); 'annex evidence check' re-reads them and flags
the ones that changed or went missing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	open := func(ctx context.Context) (*evidenceEnv, func(), error) {
		s, err := a.open(ctx)
		if err != nil {
			return nil, nil, err
		}
		set, err := a.catalogs(ctx, s)
		if err != nil {
			s.Close()
			return nil, nil, err
		}
		e, err := s.FindEngagement(ctx, engagement)
		if err != nil {
			s.Close()
			return nil, nil, err
		}
		return &evidenceEnv{s: s, set: set, e: e}, func() { s.Close() }, nil
	}
	cmd.AddCommand(evidenceListCmd(a, open), evidenceAddCmd(a, open), evidenceLinkCmd(a, open),
		evidenceCheckCmd(a, open), evidenceReattachCmd(a, open), evidenceExportCmd(a, open))
	return cmd
}

type openEvidence func(ctx context.Context) (*evidenceEnv, func(), error)

// evidenceJSON is one item of `annex evidence list --json`.
type evidenceJSON struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Kind        string             `json:"kind"`
	Description string             `json:"description,omitempty"`
	CollectedOn string             `json:"collected_on,omitempty"`
	CollectedBy string             `json:"collected_by,omitempty"`
	ValidUntil  string             `json:"valid_until,omitempty"`
	Path        string             `json:"path,omitempty"`
	SHA256      string             `json:"sha256,omitempty"`
	Size        *int64             `json:"size,omitempty"`
	Kept        bool               `json:"kept"`
	URL         string             `json:"url,omitempty"`
	State       string             `json:"state"`
	CheckedAt   string             `json:"checked_at,omitempty"`
	Links       []evidenceLinkJSON `json:"links"`
}

type evidenceLinkJSON struct {
	Target     string `json:"target"`
	Standard   string `json:"standard,omitempty"`
	Ref        string `json:"ref"`
	Provenance string `json:"provenance,omitempty"`
}

func evidenceListCmd(a *cliApp, open openEvidence) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the engagement's evidence with its state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, done, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			items, err := env.s.Evidence(cmd.Context(), env.e.ID)
			if err != nil {
				return err
			}
			now := env.s.Now()
			if asJSON {
				out := make([]evidenceJSON, 0, len(items))
				for _, it := range items {
					out = append(out, toEvidenceJSON(it, now))
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			if len(items) == 0 {
				fmt.Fprintln(a.stdout, "No evidence yet. Add some with 'annex evidence add FILE|URL --title ...'.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TITLE\tKIND\tLINKS\tCOLLECTED\tVALID UNTIL\tSTATE\tID")
			for _, it := range items {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", evCell(it.Title, 48), it.Kind, len(it.Links), evDash(it.CollectedOn),
					evDash(it.ValidUntil), it.StateAt(now).Label(), it.ID)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: an array of items with their links and state")
	return cmd
}

func toEvidenceJSON(it assessments.Evidence, now time.Time) evidenceJSON {
	x := evidenceJSON{ID: it.ID, Title: it.Title, Kind: string(it.Kind), Description: it.Description, CollectedOn: it.CollectedOn,
		CollectedBy: it.CollectedBy, ValidUntil: it.ValidUntil, Path: it.Path, SHA256: it.SHA256, Kept: it.Kept, URL: it.URL,
		State: string(it.StateAt(now)), Links: []evidenceLinkJSON{}}
	if it.Path != "" {
		size := it.Size
		x.Size = &size
	}
	if !it.CheckedAt.IsZero() {
		x.CheckedAt = it.CheckedAt.UTC().Format(time.RFC3339)
	}
	for _, l := range it.Links {
		x.Links = append(x.Links, evidenceLinkJSON{Target: string(l.Target), Standard: l.Standard, Ref: l.Ref, Provenance: l.Provenance})
	}
	return x
}

func evCell(s string, n int) string { return common.Truncate(text.OneLine(s), n) }

func evDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func evidenceAddCmd(a *cliApp, open openEvidence) *cobra.Command {
	var (
		title, kind, description, collectedOn, collectedBy, validUntil, keepLimit string
		links                                                                     []string
		noKeep                                                                    bool
	)
	cmd := &cobra.Command{
		Use:   "add FILE|URL",
		Short: "Add a file or a web address as evidence and link it to requirements",
		Long: `Add a file or a web address as evidence. A file is fingerprinted and, up to --keep-limit, a copy
is kept in the workspace. --link takes a requirement ref; a ref that exists in only one standard of
the engagement (A.5.15) is enough, one that exists in both (A.5.2) must name its standard
(iso42001-2023:A.5.2). A risk is linked as risk:R-001.`,
		Example: `  annex evidence add ~/acme/access-review-q1.xlsx --title "Access review Q1" --kind record --link A.5.18 --link iso42001-2023:A.3.2
  annex evidence add https://intranet.acme.example/isms/policy --title "Information security policy" --link 5.2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, done, err := open(ctx)
			if err != nil {
				return err
			}
			defer done()
			src := args[0]
			ev := assessments.Evidence{EngagementID: env.e.ID, Title: title, Description: description,
				CollectedOn: collectedOn, CollectedBy: collectedBy, ValidUntil: validUntil}
			isURL := strings.Contains(src, "://")
			if isURL {
				ev.URL = src
				ev.Kind = assessments.KindLink
			} else {
				ev.Path = src
				ev.Kind = assessments.KindDocument
			}
			if kind != "" {
				if ev.Kind, err = assessments.ParseEvidenceKind(kind); err != nil {
					return err
				}
			}
			if ev.CollectedOn == "" {
				ev.CollectedOn = env.s.Now().Format(assessments.DateLayout)
			}
			if ev.CollectedBy == "" {
				ev.CollectedBy = env.s.Author()
			}
			opt := store.AttachOptions{NoKeep: noKeep}
			if keepLimit != "" {
				n, err := humanize.ParseBytes(keepLimit)
				if err != nil || n == 0 {
					return fmt.Errorf("--keep-limit %q is not a size; write it like 50MB or 200KB", keepLimit)
				}
				opt.KeepLimit = int64(n)
			}
			for _, l := range links {
				link, err := resolveEvidenceLink(ctx, env, l)
				if err != nil {
					return err
				}
				ev.Links = append(ev.Links, link)
			}
			if strings.TrimSpace(ev.Title) == "" {
				return errors.New("give the evidence a title with --title")
			}
			saved, err := env.s.CreateEvidence(ctx, ev, opt)
			if err != nil {
				return explainAddError(err, src, isURL)
			}
			fmt.Fprintf(a.stdout, "Added %q (%s)", text.OneLine(saved.Title), saved.Kind)
			switch {
			case saved.Path != "" && saved.Kept:
				fmt.Fprintf(a.stdout, ": %s, %s, SHA-256 %s, copy kept in the workspace", text.OneLine(saved.Path), humanize.IBytes(uint64(saved.Size)), saved.SHA256)
			case saved.Path != "":
				fmt.Fprintf(a.stdout, ": %s, %s, SHA-256 %s, linked by path and hash only", text.OneLine(saved.Path), humanize.IBytes(uint64(saved.Size)), saved.SHA256)
			case saved.URL != "":
				fmt.Fprintf(a.stdout, ": %s", text.OneLine(saved.URL))
			}
			fmt.Fprintln(a.stdout)
			for _, l := range saved.Links {
				fmt.Fprintf(a.stdout, "  linked to %s\n", evLinkLabel(env.set, l))
			}
			fmt.Fprintf(a.stdout, "id %s\n", saved.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&title, "title", "", "what the evidence is, e.g. \"Access review Q1 2026\" (required)")
	f.StringVar(&kind, "kind", "", "document, record, screenshot, link, interview or observation (default: document for a file, link for a URL)")
	f.StringVar(&description, "description", "", "what it shows and where it came from")
	f.StringVar(&collectedOn, "collected-on", "", "date collected, YYYY-MM-DD (default today)")
	f.StringVar(&collectedBy, "collected-by", "", "who collected it (default the author)")
	f.StringVar(&validUntil, "valid-until", "", "date after which it no longer counts, YYYY-MM-DD")
	f.StringArrayVar(&links, "link", nil, "requirement (A.5.15, iso42001-2023:A.5.2) or risk (risk:R-001) it supports; repeat for more")
	f.BoolVar(&noKeep, "no-keep", false, "link the file by path and hash only; keep no copy in the workspace")
	f.StringVar(&keepLimit, "keep-limit", "", "largest file whose copy is kept (default 50MB); larger files are linked by path and hash only")
	return cmd
}

// explainAddError adds a hint for a web address typed without its scheme.
func explainAddError(err error, src string, isURL bool) error {
	var ve *assessments.ValidationError
	if errors.As(err, &ve) && ve.Field == "path" && !isURL && strings.Contains(ve.Message, "does not exist") &&
		!strings.ContainsAny(src, `/\`) && strings.Count(src, ".") >= 1 && strings.HasPrefix(strings.ToLower(src), "www.") {
		return fmt.Errorf("%s; for a web address, write it in full: https://%s", strings.TrimSuffix(ve.Message, "."), src)
	}
	if errors.As(err, &ve) {
		return errors.New(strings.TrimSuffix(ve.Message, "."))
	}
	return err
}

// resolveEvidenceLink turns "A.5.15", "iso42001-2023:A.5.2" or "risk:R-001" into a link.
func resolveEvidenceLink(ctx context.Context, env *evidenceEnv, arg string) (assessments.EvidenceLink, error) {
	arg = strings.TrimSpace(arg)
	prefix, rest, qualified := strings.Cut(arg, ":")
	if qualified && strings.EqualFold(prefix, "risk") {
		risks, err := env.s.Risks(ctx, env.e.ID)
		if err != nil {
			return assessments.EvidenceLink{}, err
		}
		for _, r := range risks {
			if strings.EqualFold(r.Ref, rest) || r.ID == rest {
				return assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: r.ID}, nil
			}
		}
		return assessments.EvidenceLink{}, fmt.Errorf("the engagement has no risk %s", rest)
	}
	return assessments.ResolveRequirementRef(env.set, env.e, arg)
}

func evLinkLabel(set *catalogs.Set, l assessments.EvidenceLink) string {
	if l.Target == assessments.LinkRequirement {
		name := l.Standard
		title := ""
		if c, ok := set.Get(l.Standard); ok {
			name = c.Short
			if r, ok := c.Requirement(l.Ref); ok {
				title = " " + r.Title
			}
		}
		s := name + " " + l.Ref + title
		if l.Provenance != "" {
			s += " (" + l.Provenance + ")"
		}
		return s
	}
	return strings.ReplaceAll(string(l.Target), "_", " ") + " " + l.Ref
}

// findEvidence resolves an item by id, or by a title that matches exactly one item.
func findEvidence(ctx context.Context, env *evidenceEnv, query string) (assessments.Evidence, error) {
	items, err := env.s.Evidence(ctx, env.e.ID)
	if err != nil {
		return assessments.Evidence{}, err
	}
	var matches []assessments.Evidence
	for _, it := range items {
		if it.ID == query {
			return it, nil
		}
		if strings.EqualFold(it.Title, query) {
			matches = append(matches, it)
		}
	}
	switch len(matches) {
	case 0:
		return assessments.Evidence{}, fmt.Errorf("no evidence is titled %q; 'annex evidence list' shows titles and ids", query)
	case 1:
		return matches[0], nil
	}
	return assessments.Evidence{}, fmt.Errorf("%d evidence items are titled %q; use the id instead", len(matches), query)
}

func evidenceLinkCmd(a *cliApp, open openEvidence) *cobra.Command {
	var unlink bool
	cmd := &cobra.Command{
		Use:   "link TITLE|ID REF...",
		Short: "Link an evidence item to more requirements or risks (or --unlink them)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, done, err := open(ctx)
			if err != nil {
				return err
			}
			defer done()
			it, err := findEvidence(ctx, env, args[0])
			if err != nil {
				return err
			}
			var links []assessments.EvidenceLink
			for _, arg := range args[1:] {
				l, err := resolveEvidenceLink(ctx, env, arg)
				if err != nil {
					return err
				}
				links = append(links, l)
			}
			if unlink {
				for _, l := range links {
					if err := env.s.UnlinkEvidence(ctx, it.ID, l); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "Unlinked %q from %s\n", text.OneLine(it.Title), evLinkLabel(env.set, l))
				}
				return nil
			}
			n, err := env.s.LinkEvidence(ctx, it.ID, links...)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Linked %q to %d more (%d already linked)\n", text.OneLine(it.Title), n, len(links)-n)
			return nil
		},
	}
	cmd.Flags().BoolVar(&unlink, "unlink", false, "remove the links instead of adding them")
	return cmd
}

func evidenceCheckCmd(a *cliApp, open openEvidence) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Re-hash every evidence file; exit 1 when one changed or went missing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			env, done, err := open(ctx)
			if err != nil {
				return err
			}
			defer done()
			rep, err := env.s.CheckEvidence(ctx, env.e.ID, nil)
			if err != nil {
				return err
			}
			for _, c := range rep.Checked {
				if c.Integrity == assessments.IntegrityOK {
					continue
				}
				fmt.Fprintf(a.stdout, "%-8s %s: %s\n", strings.ToUpper(string(c.Integrity)), text.OneLine(c.Evidence.Title), text.OneLine(c.Detail))
			}
			items, err := env.s.Evidence(ctx, env.e.ID)
			if err != nil {
				return err
			}
			now := env.s.Now()
			var expired, expiring int
			for _, it := range items {
				switch st := it.StateAt(now); st {
				case assessments.StateExpired:
					expired++
					fmt.Fprintf(a.stdout, "%-8s %s: valid until %s\n", "EXPIRED", text.OneLine(it.Title), it.ValidUntil)
				case assessments.StateExpiring:
					expiring++
					fmt.Fprintf(a.stdout, "%-8s %s: valid until %s\n", "EXPIRING", text.OneLine(it.Title), it.ValidUntil)
				}
			}
			fmt.Fprintf(a.stdout, "Checked %s: %d unchanged, %d changed, %d missing. %d items expired, %d expire within 30 days.\n",
				evPlural(len(rep.Checked), "file", "files"), rep.OK, rep.Changed, rep.Missing, expired, expiring)
			if rep.Problems() > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%s changed or missing; restore the file, or accept the new version with 'annex evidence reattach TITLE'", evPlural(rep.Problems(), "evidence file", "evidence files"))}
			}
			return nil
		},
	}
}

func evidenceReattachCmd(a *cliApp, open openEvidence) *cobra.Command {
	var noKeep bool
	cmd := &cobra.Command{
		Use:   "reattach TITLE|ID",
		Short: "Accept the file now at an item's path as its new original (after a change you confirmed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, done, err := open(ctx)
			if err != nil {
				return err
			}
			defer done()
			it, err := findEvidence(ctx, env, args[0])
			if err != nil {
				return err
			}
			saved, err := env.s.ReattachEvidenceFile(ctx, it.ID, store.AttachOptions{NoKeep: noKeep})
			if err != nil {
				return explainAddError(err, it.Path, false)
			}
			fmt.Fprintf(a.stdout, "Re-attached %q: %s, %s, SHA-256 %s\n", text.OneLine(saved.Title), text.OneLine(saved.Path),
				humanize.IBytes(uint64(saved.Size)), saved.SHA256)
			return nil
		},
	}
	cmd.Flags().BoolVar(&noKeep, "no-keep", false, "keep no copy of the new version in the workspace")
	return cmd
}

func evidenceExportCmd(a *cliApp, open openEvidence) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export-files --out DIR",
		Short: "Write the copies of evidence files kept in the workspace into a folder",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("name the folder to write the files to with --out")
			}
			ctx := cmd.Context()
			env, done, err := open(ctx)
			if err != nil {
				return err
			}
			defer done()
			files, err := env.s.ExportEvidenceFiles(ctx, env.e.ID, out)
			for _, f := range files {
				fmt.Fprintf(a.stdout, "%s  (%s)\n", text.OneLine(f.Path), text.OneLine(f.Title))
			}
			if err != nil {
				if errors.Is(err, fs.ErrPermission) {
					return fmt.Errorf("cannot write into %s: permission denied", out)
				}
				return err
			}
			if len(files) == 0 {
				fmt.Fprintln(a.stdout, "No copies of evidence files are kept in this workspace; nothing was written.")
				return nil
			}
			fmt.Fprintf(a.stdout, "Wrote %s to %s\n", evPlural(len(files), "file", "files"), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write into (created if missing)")
	return cmd
}

func evPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
