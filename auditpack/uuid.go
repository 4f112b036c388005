package auditpack

import (
	"strings"

	"github.com/google/uuid"
)

// namespace is annex's fixed UUID namespace for OSCAL identifiers. OSCAL accepts only
// version 4 and 5 UUIDs; annex's own ids are version 7, so every OSCAL uuid is a version-5
// UUID of (kind, annex id): stable across exports, hence deterministic packs.
var namespace = uuid.MustParse("6f1c2a9e-4b0d-5e3a-9c71-2d8e5a4b7f10")

// UUID5 derives the OSCAL uuid of an object of kind identified by parts.
func UUID5(kind string, parts ...string) string {
	return uuid.NewSHA1(namespace, []byte(kind+"\x00"+strings.Join(parts, "\x00"))).String()
}
