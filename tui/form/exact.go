package form

import "strings"

// The bubbles text inputs drop control characters from what is typed or pasted. annex keeps
// pasted text exactly (an escape sequence in a note is the user's text, shown inert, never
// run): before text enters an input, each control character is swapped for a private-use
// rune that the input keeps and draws as one inert cell; Value swaps it back.
const ctrlBase = 0xF0000

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// hide prepares text for an input: line ends become \n, control characters private runes.
func hide(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ctrlBase + r
		}
		return r
	}, s)
}

// reveal is the text an input holds, with the control characters back.
func reveal(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= ctrlBase && r < ctrlBase+0xa0 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= ctrlBase && r < ctrlBase+0xa0 {
			return r - ctrlBase
		}
		return r
	}, s)
}
