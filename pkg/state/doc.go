// Package state reads the live account concurrently, with the fewest
// requests, into one normalised model (names, not ids, at the edges).
//
// The model itself is package model (pkg/state/model), built from its own
// types only, so that the planner reads the live account without
// depending on the client; state.Account and its parts are aliases of it.
package state
