package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/store"
)

// reportFlags set the management report's document control from `annex export`; what is
// given is saved to the engagement (with its history) before the pack is built, so the
// pack shows what the workspace holds.
type reportFlags struct {
	status, classification, distribution, version, approver, approvedOn string
	since                                                               string
}

func (rf *reportFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&rf.status, "report-status", "", "the report's status: draft or final (final needs --approver and --approved-on, or ones saved before)")
	f.StringVar(&rf.classification, "classification", "", "the report's classification: public, internal, confidential or restricted")
	f.StringVar(&rf.distribution, "distribution", "", "who receives the report (names or roles)")
	f.StringVar(&rf.version, "report-version", "", "the report's version label, for example 1.0 (default: numbered by the packs exported)")
	f.StringVar(&rf.approver, "approver", "", "who approved the report")
	f.StringVar(&rf.approvedOn, "approved-on", "", "when the report was approved, YYYY-MM-DD")
	f.StringVar(&rf.since, "since", "", "an earlier pack (zip) the report says what changed against (default: the last pack exported from this workspace)")
}

// save writes the document control flags given on the command line.
func (rf *reportFlags) save(cmd *cobra.Command, ctx context.Context, s *store.Store, engagementID string) error {
	changed := func(name string) bool { return cmd.Flags().Changed(name) }
	if !changed("report-status") && !changed("classification") && !changed("distribution") && !changed("report-version") &&
		!changed("approver") && !changed("approved-on") {
		return nil
	}
	before, err := s.ReportControl(ctx, engagementID)
	if err != nil {
		return err
	}
	after := before
	if changed("report-status") {
		after.Status = assessments.ReportStatus(strings.ToLower(strings.TrimSpace(rf.status)))
	}
	if changed("classification") {
		after.Classification = assessments.Classification(strings.ToLower(strings.TrimSpace(rf.classification)))
	}
	if changed("distribution") {
		after.Distribution = strings.TrimSpace(rf.distribution)
	}
	if changed("report-version") {
		after.Version = strings.TrimSpace(rf.version)
	}
	if changed("approver") {
		after.Approver = strings.TrimSpace(rf.approver)
	}
	if changed("approved-on") {
		after.ApprovedOn = strings.TrimSpace(rf.approvedOn)
	}
	if _, err := s.SaveReportControl(ctx, before, after); err != nil {
		return refused("nothing was saved or exported", err)
	}
	return nil
}

// recordExport keeps the written pack in the workspace, so the next report can say what
// changed since.
func recordExport(ctx context.Context, s *store.Store, p *auditpack.Pack, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	return auditpack.RecordPack(ctx, s, p, abs, hex.EncodeToString(h.Sum(nil)))
}

// refused turns a refused save into one sentence: a rule's own message (it says what to
// fix), then what was not done ("nothing was exported").
func refused(notDone string, err error) error {
	var ve *assessments.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s; %s", strings.TrimSuffix(ve.Message, "."), notDone)
	}
	return fmt.Errorf("%s: %w", notDone, err)
}
