package auditpack

import (
	"context"
	"encoding/json"
	"testing"
)

// TestManifestCarriesChainHead: manifest.json names the end of the workspace's history
// (workspace id, length, head hash) as the store reads it.
func TestManifestCarriesChainHead(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	head, err := s.ChainHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.File(ManifestName)
	var m struct {
		Chain *struct {
			WorkspaceID string `json:"workspace_id"`
			Length      int    `json:"length"`
			Head        string `json:"head"`
		} `json:"chain"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Chain == nil || m.Chain.Length != head.Length || m.Chain.Head != head.Head || m.Chain.WorkspaceID != head.WorkspaceID || head.Length == 0 {
		t.Fatalf("manifest chain = %+v, store head = %+v", m.Chain, head)
	}
	rep, err := Verify(zipBytes(t, p))
	if err != nil || !rep.OK() || rep.Manifest.Chain == nil || rep.Manifest.Chain.Head != head.Head {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}
