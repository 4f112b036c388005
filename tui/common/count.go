package common

import "strconv"

// Count writes a number with its noun in agreement: "1 engagement", "2 engagements",
// "0 engagements".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
