// Package access evaluates who may do what in one state of a Cloudinary
// account: the desired account (a spec.Config), the live account
// (state.Account) or the account as a plan leaves it (the planner's
// projection, also a state.Account). All three are first brought to one
// shape, Account, so that the same code answers for each.
//
// # The Cedar entity model
//
// Access is decided by cedar-go's authorizer, over the policies that apply
// to one principal in one scope. The entities are named by natural keys,
// never by the service's ids, so that a configuration that was never
// applied can be evaluated:
//
//	Cloudinary::User::"ana@acme.test"        a user, by lower-cased email;
//	                                          parents: its groups
//	Cloudinary::Group::"designers"           a user group, by name
//	Cloudinary::APIKey::"acme-prod/ci"       an environment's access key,
//	                                          as "cloud_name/key name"
//	Cloudinary::Action::"read"               the actions of the Cedar schema
//	Cloudinary::Folder::"f8a5c2e1"           resources: Folder, Asset,
//	Cloudinary::Feature::"cld::global::…"    Collection, Feature, Report, …
//
// Custom policy statements name principals with ${user:…}, ${group:…} and
// ${api_key:…} references (live statements are rewritten to them from ids
// by state.Permissions.Unresolve); each reference becomes its natural key.
//
// A scope is where a request is made: an environment's cloud_name, or
// "account". The policies of a principal in a scope are
//
//   - the system policies (statements from the catalog) of every role it
//     holds there, directly or through one of its groups: roles assigned in
//     the scope, and for an environment also those assigned on every
//     environment ("all"). A content role's <folder_id> or <collection_id>
//     placeholders are the assignment's folder or collection;
//   - every enabled custom policy of the scope (and of "all" for an
//     environment): their principal clauses decide whom they reach, and a
//     forbid wins, as Cedar says.
//
// Disabled users and users that are absent hold nothing. A request's
// resource is an entity literal or "any": "any" asks whether the principal
// may do the action on some resource, and is decided over one resource of
// each entity type of the schema plus every resource the principal's
// policies and content roles name. A Folder named in a request counts as
// inside itself (its ancestor_ids hold its own id), so that the folder
// content roles' conditions apply to it.
package access
