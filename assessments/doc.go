// Package assessments is annex's domain: engagements, requirement results, readiness,
// crosswalk reuse, and later risks, AI impact assessments and evidence. It is pure Go:
// no SQL, no files, no UI. Rules take their data as arguments and return values.
package assessments
