package apply_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
)

// normalised writes what the API normalises: an email in capitals, Cedar
// with its own layout and a comment, write-only custom_attributes, an
// environment created disabled, system policies out of order.
const normalised = `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Production, custom_attributes: {team: web}}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false}
users:
  - {email: Mei.Chen@Acme.TEST, name: Mei, role: admin, environments: [acme-staging]}
groups:
  - {name: designers, members: [mei.chen@acme.test]}
roles:
  - id: acme-asset-reviewer
    name: Asset reviewer
    permission_type: global
    scope_type: prodenv
    system_policies: [cld::policy::global::folder_and_asset_management::view, cld::policy::global::assets::moderate]
policies:
  - name: designers-upload
    scope: acme-staging
    statement: |
      // designers upload
      permit(principal   ==   Cloudinary::Group::"${group:designers}",
             action == Cloudinary::Action::"create",
        resource is Cloudinary::Asset);
assignments:
  - {principal: {group: designers}, role: acme-asset-reviewer, scope: acme-staging}
`

// TestPostcheckNormalisations: every write of a run whose values the API
// normalises is checked, none is a warning, and the next plan is empty.
func TestPostcheckNormalisations(t *testing.T) {
	emu, c := rewriteSetup(t, func(*http.Request) bool { return false }, nil)
	rep, _ := applyVerified(t, c, normalised)
	if len(rep.Warnings) > 0 {
		t.Errorf("warnings: %q", rep.Warnings)
	}
	cfg, err := spec.Parse("cldsync.yaml", []byte(normalised))
	if err != nil {
		t.Fatal(err)
	}
	replan(t, c, cfg)
	// The run did write what is checked.
	for _, op := range []string{"createUser", "createUserGroup", "createRole", "createCustomPolicy", "createProductEnvironment", "updateProductEnvironment"} {
		if emu.Stats()[op].Requests == 0 {
			t.Errorf("no %s request: the test does not check it", op)
		}
	}
}

// TestPostcheckMismatch plays a server that stores a user's name
// differently and drops a role's system policies: each is a warning naming
// the object and the field, and the changes still count as applied.
func TestPostcheckMismatch(t *testing.T) {
	_, c := rewriteSetup(t, func(r *http.Request) bool {
		return r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/users") || strings.HasSuffix(r.URL.Path, "/permissions/roles"))
	}, func(data map[string]any) {
		if _, ok := data["email"]; ok {
			data["name"] = strings.ToUpper(data["name"].(string))
			return
		}
		delete(data, "policies")
	})
	rep, _ := applyVerified(t, c, normalised)
	want := []string{
		`role acme-asset-reviewer: the API dropped system_policies (sent ["cld::policy::global::assets::moderate", "cld::policy::global::folder_and_asset_management::view"], answered none)`,
		`user mei.chen@acme.test: the API stored name "MEI", not "Mei" as sent`,
	}
	if diff := cmp.Diff(want, rep.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if rep.Count(apply.Applied) != len(rep.Entries) {
		t.Errorf("%d of %d changes applied, want all", rep.Count(apply.Applied), len(rep.Entries))
	}
	var b strings.Builder
	if err := render.RenderReportJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"warnings": [`) {
		t.Errorf("the JSON report has no warnings:\n%s", b.String())
	}
}

// isMemberAdd matches addUserToUserGroup.
func isMemberAdd(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/user_groups/") && strings.Contains(r.URL.Path, "/users/")
}

// TestPostcheckMembershipShapes: a membership add is checked in whichever
// shape the server answers it. The live service answers the group's
// members ({"users": [...]}, docs/live-api.md), not the spec's member
// added: that is no warning when the user is among them, and a warning
// naming the group's members when the user is not.
func TestPostcheckMembershipShapes(t *testing.T) {
	tests := []struct {
		name string
		edit func(map[string]any)
		want []string
	}{
		{
			name: "spec: the member added",
			edit: func(map[string]any) {},
		},
		{
			name: "live: the group's members",
			edit: func(d map[string]any) {
				member := map[string]any{"id": d["id"], "name": d["name"], "email": d["email"]}
				clear(d)
				d["users"] = []any{member}
			},
		},
		{
			name: "live: the members without the user",
			edit: func(d map[string]any) {
				clear(d)
				d["users"] = []any{map[string]any{"id": "someone-else", "name": "X", "email": "x@acme.test"}}
			},
			want: []string{`membership designers / mei.chen@acme.test: the API answered the group's members ["someone-else"] without user "` + "%s" + `" as sent`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := rewriteSetup(t, isMemberAdd, tt.edit)
			rep, _ := applyVerified(t, c, normalised)
			if emu.Stats()["addUserToUserGroup"].Requests == 0 {
				t.Fatal("no addUserToUserGroup request: the test does not check it")
			}
			var want []string
			for _, w := range tt.want {
				us, err := c.Users.ListByEmails(t.Context(), []string{"mei.chen@acme.test"})
				if err != nil || len(us) != 1 {
					t.Fatalf("ListByEmails: %v, %v", us, err)
				}
				want = append(want, strings.Replace(w, "%s", us[0].ID, 1))
			}
			if diff := cmp.Diff(want, rep.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
