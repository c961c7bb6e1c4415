// Package rehearse applies a plan to a copy of the live account before it
// is applied for real: the account's shape (ids, names, relationships; no
// secrets) is seeded into an in-process emulator, the plan is applied
// there through a client pointed at it, and the copy is planned again. A
// failed change or a non-empty plan afterwards stops the real apply with
// the reason.
//
// The package sits beside apply: it may import state, planner, apply,
// client and emulator, and nothing imports it but the command.
package rehearse
