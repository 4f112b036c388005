package common

import "strconv"

// Count writes a number with its noun in the right number: "1 item", "2 items".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
