// Package apply executes a plan as a DAG of API calls with bounded
// parallelism. A failed change skips only the changes that depend on it;
// everything else still runs, and the result is always a full report of
// what was applied, what failed (with the API's message) and what was
// skipped (with the reason), so that a re-run converges.
//
// Apply reaches the account only through the API it is given (api.go):
// for each service, the calls it makes and no more. FromClient builds one
// from a client. A change that depends on a change the plan does not hold
// is skipped, never run without it.
package apply
