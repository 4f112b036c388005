// Package auditpack hands an engagement over: it builds the audit pack (one deterministic
// zip with a management report, Statements of Applicability, the gap-analysis workbook,
// the risk register, AI impact assessments, the change history, OSCAL documents, a complete
// data.json and a manifest of SHA-256 sums), verifies a pack offline, and reads a pack or
// data.json back for import.
//
// One file per artefact: report.go (HTML), pdf.go, soa.go, gapxlsx.go, csv.go, oscal.go,
// datajson.go, manifest.go; build.go assembles them, verify.go checks them, importer.go
// reads them back. Nothing here reads the wall clock: the pack's time is the workspace's
// last change, so the same workspace always gives the same bytes.
package auditpack
