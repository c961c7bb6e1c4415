package planner

import (
	"testing"

	"github.com/cldsync/cldsync/internal/plantest"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// The table of the ids statements hold unresolves every statement as the
// table of every id does: ids of every kind, an id two kinds share, the
// empty literal, escaped quotes, an unterminated literal, literals that
// are no id.
func TestStatementNamesUnresolveLikeIDNames(t *testing.T) {
	t.Parallel()
	_, big := plantest.LargePermissions(plantest.PermissionsSize{Users: 300, Groups: 10, Environments: 3, Roles: 4, Policies: 30, Assignments: 300})
	tricky := &model.Account{
		Users:        []model.User{{ID: "u1", Email: "Ana@acme.test"}, {ID: "dup", Email: "raj@acme.test"}, {ID: "", Email: "none@acme.test"}, {ID: "u9", Email: "lee@acme.test"}},
		Groups:       []model.Group{{ID: "g1", Name: "designers"}, {ID: "dup", Name: "ops"}},
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod"}},
		Permissions: &model.Permissions{
			APIKeys: []model.APIKey{{Environment: "acme-prod", Name: "ci", Key: "123"}},
			Policies: []model.Policy{
				{Statement: `permit(principal == Cloudinary::User::"u1", action, resource) when { resource.folder == "e1" && context.key == "123" };`},
				{Statement: `permit(principal in Cloudinary::Group::"dup", action, resource) unless { resource.name == "a\"u1\"b" || resource.tag == "" };`},
				{Statement: `permit(principal == Cloudinary::User::"g1", action, resource == Cloudinary::Folder::"u1`},
				{Statement: `forbid(principal, action, resource) when { "ghost" == "\\" };`},
				{Statement: `permit(principal, action, resource) when { resource.name == "x\"" && principal == Cloudinary::User::"u9" };`},
			},
		},
	}
	for name, acc := range map[string]*model.Account{"generated": big, "tricky": tricky} {
		all, some := acc.IDNames(), statementNames(acc)
		for _, p := range acc.Permissions.Policies {
			if got, want := model.UnresolveNames(some, p.Statement), model.UnresolveNames(all, p.Statement); got != want {
				t.Errorf("%s: %q unresolves to %q, want %q", name, p.Statement, got, want)
			}
		}
		for id, ref := range some {
			if all[id] != ref {
				t.Errorf("%s: id %q names %q, IDNames %q", name, id, ref, all[id])
			}
		}
	}
	if len(statementNames(tricky)) == 0 || statementNames(&model.Account{}) == nil {
		t.Error("statementNames gave no table")
	}
}
