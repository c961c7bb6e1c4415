// Package planner compares the desired account (spec.Config) with the live
// account (state.Account) and returns a Plan: data, never strings, that
// renderers turn into text, JSON or Markdown and that apply executes.
//
// The planner is pure: it does no I/O and calls no client, so every rule
// below is exercised by table tests.
//
// # Semantics
//
//   - Objects are matched by natural key: environments by cloud_name, users
//     by lower-cased email, groups by name, memberships by (group name,
//     lower-cased email), access keys by "cloud_name/name" (access_keys.go).
//   - A nil optional field in the configuration is not managed: it is never
//     diffed, and an update sends the live value for it. Every update's After
//     is the complete object to send, because the API's PUTs reset what they
//     are not sent.
//   - custom_attributes is write-only (the API never returns it), so it is
//     never compared with live state: it is sent on create, and sent again
//     with an update that happens for another field, but it never causes an
//     update on its own. A later issue compares it with saved state.
//   - base_environment only matters on create. When the base is created by
//     the same plan, the create depends on it.
//   - Users whose role is master_admin have access to every environment, so
//     their environment access is not compared.
//   - A group whose members are managed lists them completely: each missing
//     member is a membership create, each extra member a membership delete.
//     Membership changes depend only on the creates of their group and user.
//   - Live objects missing from the configuration are counted as unmanaged
//     and left alone, unless their kind is pruned; then they are deleted. No
//     delete is planned for a kind the live listing marks incomplete, and the
//     account's root user is never deleted; both are reported as warnings.
//   - Deleting a group or a user drops its memberships implicitly, so no
//     separate membership deletes are planned for them. Memberships of groups
//     that are not in the configuration are left alone (counted as
//     unmanaged), even with `prune: [memberships]`: a group's members are made
//     authoritative by listing them under the group, not by pruning.
//   - Two live objects with the same natural key cannot be addressed safely
//     (NOTES P23): the plan refuses that object with a PlanError naming both
//     ids and plans no change for it or its memberships.
//
// # The planned account
//
// Project(live, plan) is the account as the plan leaves it, in the same
// model as live (pkg/state/model): one pure function, the only simulation
// of a plan. NewTransition(live, plan) holds both sides, Before (live under
// the names the plan leaves) and After, and every safety question is asked
// of the two:
//
//   - the guards (guards.go) are invariants compared before and after:
//     master-admin power counted on both sides, what disappears, what is
//     protected;
//   - the effective-access diff (Access, Plan.Access) is the access graph
//     of Before against that of After (Transition.Access);
//   - apply runs Check, every guard on exactly the changes it is about to
//     execute.
//
// To evaluate a check of your own on the planned account (access tests,
// key rules), build the transition and read its sides:
//
//	t := planner.NewTransition(live, plan)
//	before, after := t.Access()              // who may do what, both sides
//	_ = after.RolesIn(principal, "acme-prod") // or read t.After directly
//	kept, refused := planner.Check(cfg, live, plan, opts)
//
// # Order
//
// Changes are ordered deterministically: creates and updates first, by kind
// in dependency order (environments, access keys, users, groups,
// memberships, roles, policies, assignments), then
// deletes in the reverse kind order; within a kind, by name, except that a
// change is always placed after the changes it depends on.
package planner
