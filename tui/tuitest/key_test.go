package tuitest

import (
	"testing"
)

func TestKeyStrings(t *testing.T) {
	for _, k := range []string{"enter", "esc", "tab", "shift+tab", "space", "j", "J", "K", "ctrl+s", "ctrl+c", "/", "2", "]", "?", "up"} {
		if got := Key(k).String(); got != k {
			t.Errorf("Key(%q).String() = %q", k, got)
		}
	}
}
