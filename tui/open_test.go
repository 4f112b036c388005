package tui

import (
	"strings"
	"testing"

	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/home"
	"github.com/annex-grc/annex/tui/tuitest"
)

// TestOpenEngagementShowsTheDashboardAtOnce: the engagement screen stays off the display
// while its dashboard loads (the home screen keeps showing), and its first
// frame on display is the dashboard with its figures, never a "Loading…" frame.
func TestOpenEngagementShowsTheDashboardAtOnce(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	cmd := h.update(tuitest.Key("enter")) // home answers with OpenEngagementMsg
	msg := cmd()
	open, ok := msg.(common.OpenEngagementMsg)
	if !ok {
		t.Fatalf("enter on the home screen gave %T", msg)
	}
	loads := h.update(open)
	if _, ok := h.app.top().(*home.Model); !ok || h.app.opening == nil {
		t.Fatalf("top is %T while the engagement loads; want the home screen still on display", h.app.top())
	}
	if v := h.view(); !strings.Contains(v, "1 engagement") {
		t.Fatalf("the home screen is not drawn while the engagement loads:\n%s", v)
	}
	// A second enter meanwhile opens nothing more.
	if h.update(open) != nil {
		t.Error("a second open while one loads started work")
	}
	h.run(loads)
	if _, ok := h.app.top().(*engagement.Model); !ok || h.app.opening != nil {
		t.Fatalf("top is %T after the loads; want the engagement", h.app.top())
	}
	v := h.view()
	if strings.Contains(v, "Loading") || !strings.Contains(v, "Readiness") || !strings.Contains(v, "Top residual risks") {
		t.Fatalf("first frame of the engagement is not the drawn dashboard:\n%s", v)
	}
	if len(h.app.stack) != 2 {
		t.Errorf("stack has %d screens, want home and the engagement", len(h.app.stack))
	}
}

// TestOpeningScreenShownAfterAWhile: an engagement whose dashboard has not loaded after
// openWait is shown as it is, so a slow workspace never looks as if enter did nothing.
func TestOpeningScreenShownAfterAWhile(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	cmd := h.update(tuitest.Key("enter"))
	open := cmd().(common.OpenEngagementMsg)
	h.update(open) // the loads are left unrun
	h.send(revealMsg{id: h.app.openingID})
	if _, ok := h.app.top().(*engagement.Model); !ok {
		t.Fatalf("top is %T after openWait; want the engagement", h.app.top())
	}
	if v := h.view(); !strings.Contains(v, "Loading") {
		t.Errorf("the engagement shown before its data should say it is loading:\n%s", v)
	}
}

// TestKeysTypedWhileOpeningGoToTheEngagement: enter then ] ] typed before the dashboard has
// loaded switch the engagement's tab once it shows (they were once given to the home screen,
// which ignored them); the home screen's cursor does not move meanwhile.
func TestKeysTypedWhileOpeningGoToTheEngagement(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	open := h.update(tuitest.Key("enter"))().(common.OpenEngagementMsg)
	loads := h.update(open)
	for _, k := range []string{"]", "]"} {
		if cmd := h.update(tuitest.Key(k)); cmd != nil {
			t.Fatalf("%s while opening started work on the home screen", k)
		}
	}
	if _, ok := h.app.top().(*home.Model); !ok {
		t.Fatalf("top is %T before the loads; want the home screen", h.app.top())
	}
	h.run(loads)
	e, ok := h.app.top().(*engagement.Model)
	if !ok {
		t.Fatalf("top is %T after the loads; want the engagement", h.app.top())
	}
	if tab, _ := e.Location(); !strings.Contains(tab, "iso42001") {
		t.Fatalf("after ] ] typed while opening the tab is %q; want the ISO 42001 gap analysis", tab)
	}
	if v := h.view(); !strings.Contains(v, "70 requirements") {
		t.Errorf("the ISO 42001 gap analysis is not on screen:\n%s", v)
	}
}
