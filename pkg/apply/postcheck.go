package apply

// Post-apply verification of writes: after each create or update, what the
// server answered is compared with what was sent, and a field it dropped
// or stored differently becomes a warning of the report naming the object
// and the field. The write still counts as applied; the warning says the
// next plan will probably show the object again.
//
// The known normalisations are not warnings, because the planner compares
// in the same form and the next plan stays empty:
//
//	email             compared case-insensitively (the API may lower-case it)
//	policy statement  compared as spec.CanonicalCedar (the API reformats Cedar)
//	custom_attributes write-only: never returned, so never compared
//	system policies   compared as a set (the API may reorder them)
//	environment access the User answer has no list (NOTES.md P3): only
//	                  all_sub_accounts is compared, true exactly when no list
//	                  was sent or the role is master_admin; when the answer
//	                  does list sub_account_ids (the live service may), the
//	                  list is compared as a set
//	membership add    the spec answers the member added, the live service
//	                  the group's members (docs/live-api.md): either shape
//	                  must show the user; an answer in neither shape says
//	                  nothing and is not a warning
//
// Fields that were not sent (an unmanaged role, a create's enabled) are
// not compared. Assignment changes answer no body; getEffectivePolicies
// checks them instead (verify.go).

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// stored is one field as sent and as the server answered it, both as
// display literals, with the normalisation they are compared under.
type stored struct {
	field string
	sent  string
	got   string
	// same compares sent and got; nil means exact equality.
	same func(sent, got string) bool
}

// Normalisations, named for the table above.
var (
	sameEmail  = strings.EqualFold
	sameCedar  = func(a, b string) bool { return spec.CanonicalCedar(unquote(a)) == spec.CanonicalCedar(unquote(b)) }
	sameIDSets = func(a, b string) bool { return a == b } // both sides are sorted by idList
)

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// storedWarnings returns one warning per field the server dropped or
// changed, for the object ref.
func storedWarnings(ref planner.Ref, fields []stored) []string {
	var out []string
	obj := planner.Noun(ref.Kind) + " " + ref.Name
	for _, f := range fields {
		same := f.same
		if same == nil {
			same = func(a, b string) bool { return a == b }
		}
		if same(f.sent, f.got) {
			continue
		}
		if empty(f.got) && !empty(f.sent) {
			out = append(out, obj+": the API dropped "+f.field+" (sent "+f.sent+", answered none)")
			continue
		}
		out = append(out, obj+": the API stored "+f.field+" "+f.got+", not "+f.sent+" as sent")
	}
	return out
}

func empty(literal string) bool { return literal == `""` || literal == "[]" || literal == "" }

func quote(s string) string { return strconv.Quote(s) }

// idList is a sorted, quoted list: ["a", "b"].
func idList(ids []string) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	q := make([]string, len(s))
	for i, id := range s {
		q[i] = quote(id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func checkEnvironment(v planner.EnvironmentValue, create bool, got *client.ProductEnvironment) []stored {
	if got == nil {
		return nil
	}
	out := []stored{{field: "name", sent: quote(v.Name), got: quote(got.Name)}}
	if create {
		out = append(out, stored{field: "cloud_name", sent: quote(v.CloudName), got: quote(got.CloudName)})
	} else {
		// A create does not send enabled (NOTES.md P11); an update does.
		out = append(out, stored{field: "enabled", sent: strconv.FormatBool(v.Enabled), got: strconv.FormatBool(got.Enabled)})
	}
	// custom_attributes: write-only, never compared.
	return out
}

// checkUser compares a user answer; subs is the sub_account_ids sent (nil:
// not sent).
func checkUser(v planner.UserValue, subs []string, got *client.User) []stored {
	if got == nil {
		return nil
	}
	out := []stored{
		{field: "name", sent: quote(v.Name), got: quote(got.Name)},
		{field: "email", sent: quote(v.Email), got: quote(got.Email), same: sameEmail},
		{field: "enabled", sent: strconv.FormatBool(v.Enabled), got: strconv.FormatBool(got.Enabled)},
	}
	if v.Role != "" {
		out = append(out, stored{field: "role", sent: quote(v.Role), got: quote(got.Role)})
	}
	wantAll := subs == nil || got.Role == string(client.RoleMasterAdmin)
	out = append(out, stored{field: "all_sub_accounts", sent: strconv.FormatBool(wantAll), got: strconv.FormatBool(got.AllSubAccounts)})
	if !wantAll && got.SubAccountIDs != nil {
		// The live service may answer the list (docs/live-api.md): then
		// it is compared too.
		out = append(out, stored{field: "sub_account_ids", sent: idList(subs), got: idList(got.SubAccountIDs), same: sameIDSets})
	}
	return out
}

func checkGroup(v planner.GroupValue, got *client.UserGroup) []stored {
	if got == nil {
		return nil
	}
	return []stored{{field: "name", sent: quote(v.Name), got: quote(got.Name)}}
}

func checkRole(v planner.RoleValue, create bool, got *client.Role) []stored {
	if got == nil {
		return nil
	}
	ids := make([]string, 0, len(got.Policies))
	for _, p := range got.Policies {
		ids = append(ids, p.ID)
	}
	out := []stored{
		{field: "name", sent: quote(v.Name), got: quote(got.Name)},
		{field: "description", sent: quote(v.Description), got: quote(got.Description)},
		{field: "system_policies", sent: idList(v.SystemPolicies), got: idList(ids), same: sameIDSets},
	}
	if create {
		out = append(out,
			stored{field: "permission_type", sent: quote(v.PermissionType), got: quote(string(got.PermissionType))},
			stored{field: "scope_type", sent: quote(v.ScopeType), got: quote(string(got.ScopeType))})
	}
	return out
}

// sentPolicy is what a policy create or update sent, ids resolved.
type sentPolicy struct {
	v         planner.PolicyValue
	statement string
	scope     client.ScopeType
	scopeID   string
}

func checkPolicy(s sentPolicy, got *client.CustomPolicy) []stored {
	if got == nil {
		return nil
	}
	return []stored{
		{field: "name", sent: quote(s.v.Name), got: quote(got.Name)},
		{field: "description", sent: quote(s.v.Description), got: quote(got.Description)},
		{field: "enabled", sent: strconv.FormatBool(s.v.Enabled), got: strconv.FormatBool(got.Enabled)},
		{field: "policy_statement", sent: quote(s.statement), got: quote(got.PolicyStatement), same: sameCedar},
		{field: "scope_type", sent: quote(string(s.scope)), got: quote(string(got.ScopeType))},
		{field: "scope_id", sent: quote(s.scopeID), got: quote(got.ScopeID)},
	}
}

// warnings collects the report's warnings from concurrent changes.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) add(msgs ...string) {
	if len(msgs) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, msgs...)
}

// sorted returns the warnings in a stable order, whatever order the
// changes finished in.
func (w *warnings) sorted() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.list)
	slices.Sort(out)
	return slices.Compact(out)
}

// postcheck records what a write's answer says the server did not store.
func (x *executor) postcheck(ref planner.Ref, fields []stored) {
	x.warn.add(storedWarnings(ref, fields)...)
}

// checkMember returns a warning when a membership add's answer disagrees
// with what was sent, in whichever shape the server answered: the member
// added must be the user, the group's members after the add must include
// the user. A nil answer (the add was recovered by looking the membership
// up) or one in neither shape has nothing to compare.
func checkMember(ref planner.Ref, userID string, answer *client.AddUserAnswer) []string {
	if !answer.Says() {
		return nil
	}
	if answer.Member != nil && answer.Member.ID != userID {
		return storedWarnings(ref, []stored{{field: "user", sent: quote(userID), got: quote(answer.Member.ID)}})
	}
	if answer.Members == nil || answer.Shows(userID) {
		return nil
	}
	ids := make([]string, len(answer.Members))
	for i, m := range answer.Members {
		ids[i] = m.ID
	}
	return []string{planner.Noun(ref.Kind) + " " + ref.Name + ": the API answered the group's members " + idList(ids) + " without user " + quote(userID) + " as sent"}
}
