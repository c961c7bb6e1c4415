// Package state reads the live account concurrently, with the fewest
// requests, into one normalised model (names, not ids, at the edges).
package state
