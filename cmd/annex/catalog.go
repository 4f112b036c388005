package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() {
	register(newCatalogCmd)
	// Custom catalogs kept in the workspace load with the built-ins (Clone, then Add).
	loadCustomCatalogs = func(ctx context.Context, s *store.Store, builtin *catalogs.Set) (*catalogs.Set, error) {
		files, err := s.CustomCatalogFiles(ctx)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return builtin, nil
		}
		return builtin.WithCustom(files)
	}
}

func newCatalogCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List, show, export and import requirement catalogs and the crosswalk",
		Long: `Catalogs are the requirements of a standard or framework: ISO/IEC 27001:2022 and ISO/IEC 42001:2023
are built in, and a framework of your own can be imported from one YAML file (see docs/CATALOGS.md).`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(a.catalogListCmd(), a.catalogShowCmd(), a.catalogExportCmd(), a.catalogCrosswalkCmd(),
		a.catalogImportCmd(), a.catalogRemoveCmd(), a.catalogSchemaCmd())
	return cmd
}

// catalogSet loads the built-in catalogs plus the workspace's custom ones. Reading a
// catalog never creates a workspace: without one, only the built-ins are listed.
func (a *cliApp) catalogSet(ctx context.Context) (*catalogs.Set, error) {
	p, err := a.workspacePath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) && !store.IsPostgres(p) {
		return a.catalogs(ctx, nil)
	}
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return a.catalogs(ctx, s)
}

// findCatalog resolves --standard: an id, a short name ("ISO 27001") or a unique part of an
// id ("27001").
func findCatalog(set *catalogs.Set, q string) (*catalogs.Catalog, error) {
	if c, ok := set.Get(q); ok {
		return c, nil
	}
	var hits []*catalogs.Catalog
	for _, c := range set.Catalogs {
		if strings.EqualFold(c.Short, q) || (q != "" && strings.Contains(strings.ToLower(c.ID), strings.ToLower(q))) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	return nil, fmt.Errorf("no single catalog matches %q; known catalogs: %s", q, catalogIDs(set))
}

func catalogIDs(set *catalogs.Set) string {
	ids := make([]string, len(set.Catalogs))
	for i, c := range set.Catalogs {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

func (a *cliApp) catalogListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in and custom catalogs with their counts, and the crosswalks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := a.catalogSet(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tORIGIN\tGROUPS\tOBJECTIVES\tCLAUSES\tCONTROLS\tTOTAL")
			for _, c := range set.Catalogs {
				clauses, controls := 0, 0
				for _, r := range c.Requirements {
					if r.Kind == catalogs.KindClause {
						clauses++
					} else {
						controls++
					}
				}
				origin := "built-in"
				if c.Custom {
					origin = "custom"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", text.OneLine(c.ID), text.OneLine(c.Name), origin,
					len(c.Groups), len(c.Objectives), clauses, controls, len(c.Requirements))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, cw := range set.Crosswalks {
				links, none := 0, 0
				for _, e := range cw.Entries {
					links += len(e.Links)
					if e.NoCounterpart != "" {
						none++
					}
				}
				fmt.Fprintf(a.stdout, "Crosswalk %s -> %s: %d links, %d requirements reviewed, %d with no counterpart\n",
					text.OneLine(shortName(set, cw.Source)), text.OneLine(shortName(set, cw.Target)), links, len(cw.Entries), none)
			}
			return nil
		},
	}
}

func (a *cliApp) catalogShowCmd() *cobra.Command {
	var standard string
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show a requirement with its guidance, questions, evidence, attributes and crosswalk",
		Example: `  annex catalog show A.5.1 --standard iso27001-2022
  annex catalog show 6.1.4 --standard 42001`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := a.catalogSet(cmd.Context())
			if err != nil {
				return err
			}
			ref := args[0]
			var c *catalogs.Catalog
			if standard != "" {
				if c, err = findCatalog(set, standard); err != nil {
					return err
				}
			} else {
				var in []*catalogs.Catalog
				for _, x := range set.Catalogs {
					if _, ok := x.Requirement(ref); ok {
						in = append(in, x)
					}
				}
				switch len(in) {
				case 0:
					return fmt.Errorf("no catalog has a requirement %s", ref)
				case 1:
					c = in[0]
				default:
					return fmt.Errorf("%s is in %d catalogs (%s); choose one with --standard", ref, len(in), catalogIDsOf(in))
				}
			}
			r, ok := c.Requirement(ref)
			if !ok {
				return fmt.Errorf("%s has no requirement %s", c.Short, ref)
			}
			writeRequirement(a.stdout, set, c, r)
			return nil
		},
	}
	cmd.Flags().StringVar(&standard, "standard", "", "catalog id (iso27001-2022, iso42001-2023, or a custom id); optional when the ref is unique")
	return cmd
}

func catalogIDsOf(cs []*catalogs.Catalog) string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// writeRequirement prints every piece of a requirement's content for reading in a terminal.
// Text from custom catalogs is made inert so it cannot drive the terminal.
func writeRequirement(w io.Writer, set *catalogs.Set, c *catalogs.Catalog, r catalogs.Requirement) {
	t := text.OneLine
	fmt.Fprintf(w, "%s %s  %s\n", t(c.Short), t(r.Ref), t(r.Title))
	g, _ := c.Group(r.Group)
	fmt.Fprintf(w, "Group: %s %s    Kind: %s    Catalog: %s\n", t(r.Group), t(g.Title), r.Kind, t(c.Name))
	if o, ok := c.ControlObjective(r); ok {
		section(w, "Control objective "+t(o.ID)+"  "+t(o.Title))
		wrapTo(w, text.Inert(o.Text), "  ", 78)
	} else if g.Objective != "" {
		section(w, "Objective of "+t(r.Group))
		wrapTo(w, text.Inert(g.Objective), "  ", 78)
	}
	if r.Purpose != "" {
		section(w, "Purpose")
		wrapTo(w, text.Inert(r.Purpose), "  ", 78)
	}
	if r.Guidance != "" {
		section(w, "Guidance")
		wrapTo(w, text.Inert(r.Guidance), "  ", 78)
	}
	if len(r.Questions) > 0 {
		section(w, "Workshop questions")
		for i, q := range r.Questions {
			wrapHanging(w, fmt.Sprintf("  %d. ", i+1), text.Inert(q), 78)
		}
	}
	if len(r.Evidence) > 0 {
		section(w, "Typical evidence")
		for _, e := range r.Evidence {
			wrapHanging(w, "  - ", text.Inert(e), 78)
		}
	}
	if a := r.Attributes; a != nil {
		section(w, "ISO/IEC 27002:2022 attributes")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  Control type\t%s\n", hashTokens(a.ControlType))
		fmt.Fprintf(tw, "  Security properties\t%s\n", hashTokens(a.SecurityProperties))
		fmt.Fprintf(tw, "  Cybersecurity concepts\t%s\n", hashTokens(a.CybersecurityConcepts))
		fmt.Fprintf(tw, "  Operational capabilities\t%s\n", hashTokens(a.OperationalCapabilities))
		fmt.Fprintf(tw, "  Security domains\t%s\n", hashTokens(a.SecurityDomains))
		_ = tw.Flush()
	}
	if ac := r.AnnexC; ac != nil {
		section(w, "ISO/IEC 42001 Annex C")
		fmt.Fprintf(w, "  Objectives:   %s\n", orNone(ac.Objectives))
		fmt.Fprintf(w, "  Risk sources: %s\n", orNone(ac.RiskSources))
	}
	if len(r.Documents) > 0 {
		section(w, "Documented information required")
		for _, d := range r.Documents {
			wrapHanging(w, fmt.Sprintf("  %-9s ", t(d.Kind)), text.Inert(d.Note), 78)
		}
	}
	if len(r.AnnexA) > 0 {
		section(w, "Points to Annex A")
		for _, p := range r.AnnexA {
			fmt.Fprintf(w, "  %-9s %s\n", t(p), t(pointerTitle(c, p)))
		}
	}
	if r.AnnexB != "" {
		section(w, "Implementation guidance")
		fmt.Fprintf(w, "  Annex %s\n", t(r.AnnexB))
	}
	ms := set.MappingsFor(c.ID, r.Ref)
	reason, none := set.NoCounterpart(c.ID, r.Ref)
	if len(ms) > 0 || none {
		section(w, "Crosswalk (the other requirement's relationship to this one)")
		for _, m := range ms {
			title := ""
			if oc, ok := set.Get(m.Standard); ok {
				if or, ok := oc.Requirement(m.Ref); ok {
					title = or.Title
				}
			}
			fmt.Fprintf(w, "  %-10s %s %s  %s\n", m.Relationship, t(shortName(set, m.Standard)), t(m.Ref), t(title))
			wrapTo(w, text.Inert(m.Rationale), "             ", 78)
		}
		if none {
			fmt.Fprintln(w, "  no counterpart")
			wrapTo(w, text.Inert(reason), "             ", 78)
		}
	}
}

func section(w io.Writer, title string) { fmt.Fprintf(w, "\n%s\n", title) }

// pointerTitle is the title of what a clause's Annex A pointer names: a requirement, an
// objective or a group of the catalog.
func pointerTitle(c *catalogs.Catalog, ref string) string {
	if r, ok := c.Requirement(ref); ok {
		return r.Title
	}
	if o, ok := c.Objective(ref); ok {
		return o.Title
	}
	if g, ok := c.Group(ref); ok {
		return g.Title
	}
	return ""
}

// documentsCell writes documented information one item per line: "kind: note".
func documentsCell(ds []catalogs.Document) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Kind + ": " + d.Note
	}
	return strings.Join(lines, "\n")
}

func hashTokens(ts []string) string {
	if len(ts) == 0 {
		return "(none)"
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = "#" + text.OneLine(t)
	}
	return strings.Join(out, " ")
}

func orNone(ts []string) string {
	if len(ts) == 0 {
		return "(none)"
	}
	return text.OneLine(strings.Join(ts, ", "))
}

// wrapTo writes text wrapped at width, each line prefixed with indent. Blank lines in the
// text are kept as paragraph breaks.
func wrapTo(w io.Writer, text, indent string, width int) {
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		line := indent
		for _, word := range strings.Fields(para) {
			if len(line) > len(indent) && len(line)+1+len(word) > width {
				fmt.Fprintln(w, line)
				line = indent
			}
			if len(line) > len(indent) {
				line += " "
			}
			line += word
		}
		fmt.Fprintln(w, line)
	}
}

// wrapHanging is wrapTo with a first-line marker ("  1. ") and a hanging indent.
func wrapHanging(w io.Writer, marker, text string, width int) {
	var b strings.Builder
	wrapTo(&b, text, strings.Repeat(" ", len(marker)), width)
	out := b.String()
	fmt.Fprint(w, marker+out[len(marker):])
}

// exportColumns is the CSV header of `annex catalog export`.
var exportColumns = []string{"ref", "title", "group", "kind", "guidance", "questions", "evidence",
	"control_type", "security_properties", "cybersecurity_concepts", "operational_capabilities", "security_domains",
	"annex_c_objectives", "annex_c_risk_sources", "objective", "purpose", "annex_a", "annex_b", "documented_information"}

// crosswalkColumns is the CSV header of `annex catalog crosswalk`.
var crosswalkColumns = []string{"source_standard", "source_ref", "target_standard", "target_ref", "relationship", "rationale"}

// noCounterpartRelationship marks a crosswalk row that records a reviewed "no counterpart".
const noCounterpartRelationship = "none"

func (a *cliApp) outputTo(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return a.stdout, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f, f.Close, nil
}

func checkFormat(format string) error {
	if format != "csv" && format != "json" {
		return fmt.Errorf("format %q is not supported; use csv or json", format)
	}
	return nil
}

func (a *cliApp) catalogExportCmd() *cobra.Command {
	var standard, format, output string
	cmd := &cobra.Command{
		Use:   "export --standard ID --format csv|json",
		Short: "Write a catalog's requirements as CSV (one row per requirement, catalog order) or JSON",
		Long: `Write a catalog's requirements as CSV or JSON.

CSV columns: ` + strings.Join(exportColumns, ",") + `.
Questions, evidence and documented information items are one per line inside their cell; attribute tokens
and annex_a refs are separated by spaces; objective is the id of the control objective the requirement serves.
Cells starting with = + - @ are prefixed with ' so spreadsheets do not run them as formulas.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if standard == "" {
				return errors.New("name the catalog with --standard (see 'annex catalog list')")
			}
			set, err := a.catalogSet(cmd.Context())
			if err != nil {
				return err
			}
			c, err := findCatalog(set, standard)
			if err != nil {
				return err
			}
			w, done, err := a.outputTo(output)
			if err != nil {
				return err
			}
			if format == "json" {
				err = writeJSON(w, c)
			} else {
				err = writeCatalogCSV(w, c)
			}
			if cerr := done(); err == nil {
				err = cerr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&standard, "standard", "", "catalog id (see 'annex catalog list')")
	cmd.Flags().StringVar(&format, "format", "csv", "csv or json")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (created readable by you only) instead of standard output")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeCatalogCSV(w io.Writer, c *catalogs.Catalog) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	for _, r := range c.Requirements {
		var a catalogs.Attributes
		if r.Attributes != nil {
			a = *r.Attributes
		}
		var ac catalogs.AnnexC
		if r.AnnexC != nil {
			ac = *r.AnnexC
		}
		row := []string{r.Ref, r.Title, r.Group, string(r.Kind), strings.TrimSpace(r.Guidance),
			strings.Join(r.Questions, "\n"), strings.Join(r.Evidence, "\n"),
			strings.Join(a.ControlType, " "), strings.Join(a.SecurityProperties, " "), strings.Join(a.CybersecurityConcepts, " "),
			strings.Join(a.OperationalCapabilities, " "), strings.Join(a.SecurityDomains, " "),
			strings.Join(ac.Objectives, " "), strings.Join(ac.RiskSources, " ")}
		objective := ""
		if o, ok := c.ControlObjective(r); ok {
			objective = o.ID
		}
		row = append(row, objective, r.Purpose, strings.Join(r.AnnexA, " "), r.AnnexB, documentsCell(r.Documents))
		for i := range row {
			row[i] = auditpack.Cell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// crosswalkRow is one line of `annex catalog crosswalk`.
type crosswalkRow struct {
	SourceStandard string `json:"source_standard"`
	SourceRef      string `json:"source_ref"`
	TargetStandard string `json:"target_standard"`
	TargetRef      string `json:"target_ref"`
	Relationship   string `json:"relationship"`
	Rationale      string `json:"rationale"`
}

// crosswalkRows flattens every crosswalk: one row per link, and one row with an empty
// source_ref and relationship "none" per target reviewed as having no counterpart, so the
// export shows that every target requirement was looked at.
func crosswalkRows(set *catalogs.Set) []crosswalkRow {
	rows := []crosswalkRow{}
	for _, cw := range set.Crosswalks {
		for _, e := range cw.Entries {
			for _, l := range e.Links {
				rows = append(rows, crosswalkRow{cw.Source, l.Source, cw.Target, e.Target, string(l.Relationship), l.Rationale})
			}
			if e.NoCounterpart != "" {
				rows = append(rows, crosswalkRow{cw.Source, "", cw.Target, e.Target, noCounterpartRelationship, e.NoCounterpart})
			}
		}
	}
	return rows
}

func (a *cliApp) catalogCrosswalkCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "crosswalk --format csv|json",
		Short: "Write every crosswalk link (and every reviewed no-counterpart) as CSV or JSON",
		Long: `Write the crosswalks between catalogs, one row per link, in the order the target requirements were reviewed.

CSV columns: ` + strings.Join(crosswalkColumns, ",") + `.
A row reads "source_ref <relationship> target_ref"; relationship is equal, superset, subset, intersects or related.
A target requirement reviewed as having no counterpart gets one row with an empty source_ref, relationship
"none" and the reason as rationale. JSON is an array of objects with the same keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			set, err := a.catalogSet(cmd.Context())
			if err != nil {
				return err
			}
			w, done, err := a.outputTo(output)
			if err != nil {
				return err
			}
			rows := crosswalkRows(set)
			if format == "json" {
				err = writeJSON(w, rows)
			} else {
				cw := csv.NewWriter(w)
				err = cw.Write(crosswalkColumns)
				for _, r := range rows {
					if err != nil {
						break
					}
					err = cw.Write([]string{auditpack.Cell(r.SourceStandard), auditpack.Cell(r.SourceRef), auditpack.Cell(r.TargetStandard), auditpack.Cell(r.TargetRef), r.Relationship, auditpack.Cell(r.Rationale)})
				}
				cw.Flush()
				if err == nil {
					err = cw.Error()
				}
			}
			if cerr := done(); err == nil {
				err = cerr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or json")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (created readable by you only) instead of standard output")
	return cmd
}

func (a *cliApp) catalogImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Check a custom catalog file (YAML, see docs/CATALOGS.md) and keep it in the workspace",
		Long: `Check a custom catalog file and keep it in the workspace, where it can be chosen for an engagement
like the built-in catalogs. A file with problems is refused, each problem named by line and field,
and the workspace is left unchanged. Importing a file with the id of an imported catalog replaces it.
FILE "-" reads standard input.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			src, err := readLimited(name, a.stdin, catalogs.MaxCustomSize)
			if err != nil {
				return err
			}
			// Check before opening the workspace, so a bad file never creates or touches one.
			if _, err := catalogs.ParseCustomFile(src); err != nil {
				return a.importProblems(name, err)
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			c, replaced, err := s.ImportCustomCatalog(ctx, src)
			if err != nil {
				return a.importProblems(name, err)
			}
			verb := "Imported"
			if replaced {
				verb = "Replaced"
			}
			fmt.Fprintf(a.stdout, "%s custom catalog %s (%s): %d requirements in %d groups, kept in %s\n",
				verb, text.OneLine(c.ID), text.OneLine(c.Name), len(c.Requirements), len(c.Groups), s.Path())
			return nil
		},
	}
}

func (a *cliApp) importProblems(name string, err error) error {
	var ce *catalogs.CustomError
	if !errors.As(err, &ce) {
		return err
	}
	for _, p := range ce.Problems {
		fmt.Fprintf(a.stderr, "%s: %s\n", name, text.OneLine(p.String()))
	}
	n := "1 problem"
	if len(ce.Problems) != 1 {
		n = fmt.Sprintf("%d problems", len(ce.Problems))
	}
	return &exitError{code: 1, msg: fmt.Sprintf("%s was not imported (%s); the workspace is unchanged", name, n)}
}

// readLimited reads a file (or stdin for "-") up to limit bytes and refuses a larger one.
func readLimited(name string, stdin io.Reader, limit int64) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", name, err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a folder; give the catalog's YAML file", name)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB; a catalog file is plain text and much smaller", name, limit>>20)
	}
	return b, nil
}

func (a *cliApp) catalogRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove an imported custom catalog (results recorded against it stay in the workspace)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.DeleteCustomCatalog(ctx, args[0]); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("the workspace has no custom catalog %q (built-in catalogs cannot be removed)", args[0])
				}
				return err
			}
			fmt.Fprintf(a.stdout, "Removed custom catalog %s\n", text.OneLine(args[0]))
			engs, err := s.Engagements(ctx)
			if err != nil {
				return err
			}
			var using []string
			for _, e := range engs {
				if e.HasStandard(args[0]) {
					using = append(using, text.OneLine(e.Name))
				}
			}
			if len(using) > 0 {
				fmt.Fprintf(a.stdout, "Still in the scope of: %s. Their results for it stay in the workspace and show again if you import the catalog again.\n",
					strings.Join(using, ", "))
			}
			return nil
		},
	}
}

func (a *cliApp) catalogSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the custom catalog format (for editors and CI checks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := a.stdout.Write(catalogs.CatalogSchema())
			return err
		},
	}
}
