package emulator

import (
	"testing"

	"github.com/cedar-policy/cedar-go/types"
	"github.com/google/go-cmp/cmp"
)

// specCreateStatement is CreateCustomPolicyExample's policy_statement, which
// is valid Cedar as the spec writes it.
const specCreateStatement = `permit(principal == Cloudinary::APIKey::"1234",action==Cloudinary::Action::"read",resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`

// specCreateCanonical is its canonical (stored and returned) form.
const specCreateCanonical = "permit (\n    principal == Cloudinary::APIKey::\"1234\",\n    action == Cloudinary::Action::\"read\",\n    resource is Cloudinary::Folder\n)\nwhen { resource.ancestor_ids.contains(\"asdfjkl12347890\") };"

func TestCheckCedar(t *testing.T) {
	tests := []struct {
		name      string
		statement string
		want      []string // cedar_message of each error; nil when valid
		prefix    bool     // compare only the prefix up to ':' of the first message
	}{
		{name: "spec CreateCustomPolicyExample", statement: specCreateStatement},
		{name: "spec system policy with placeholder", statement: `permit(principal, action == Cloudinary::Action::"read", resource is Cloudinary::Folder) when { resource.ancestor_ids.contains("<folder_id>") };
permit(principal, action == Cloudinary::Action::"read", resource is Cloudinary::Asset) when { resource.ancestor_ids.contains("<folder_id>") };`},
		{name: "group principal", statement: `permit(principal in Cloudinary::Group::"g1", action in [Cloudinary::Action::"read", Cloudinary::Action::"update"], resource is Cloudinary::Asset);`},
		{name: "user principal type test", statement: `forbid(principal is Cloudinary::User, action, resource == Cloudinary::Feature::"cld::global::ml::access");`},
		{name: "MediaFlows action", statement: `permit(principal == Cloudinary::User::"u", action == MediaFlows::Action::"read", resource is MediaFlows::EasyFlow);`},
		{name: "entity literal in a condition", statement: `permit(principal, action, resource) when { resource == Cloudinary::Folder::"f" || principal in Cloudinary::Group::"g" };`},
		{name: "spec validate example APIKy", want: []string{"invalid_principal"},
			statement: `permit(principal == Cloudinary::APIKy::"1234", action == Cloudinary::Action::"read", resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`},
		{name: "spec effective example lower-case user", want: []string{"invalid_principal"},
			statement: `permit (principal == Cloudinary::user::"1234abc", action == Cloudinary::Action::"read", resource is Cloudinary::UploadPreset);`},
		{name: "spec effective example pprincipal", want: []string{"invalid_syntax"}, prefix: true,
			statement: `permit (pprincipal == Cloudinary::user::"1234abc", action, resource == Cloudinary::Feature::"cld::global::reports::errors::view");`},
		{name: "spec CustomPolicy schema example with backslashes", want: []string{"invalid_syntax"}, prefix: true,
			statement: `permit(principal == Cloudinary::APIKey::\"1234\",action==Cloudinary::Action::\"read\",resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains(\"asdfjkl12347890\")} ;`},
		{name: "spec CreateGlobalRoleResponseExample without semicolons", want: []string{"invalid_syntax"}, prefix: true,
			statement: `permit ( principal, action in [Cloudinary::Action::"create", Cloudinary::Action::"read"], resource is Cloudinary::Asset) permit ( principal, action in [Cloudinary::Action::"create", Cloudinary::Action::"read"], resource is Cloudinary::Folder)`},
		{name: "unknown action", want: []string{"invalid_action"},
			statement: `permit(principal, action == Cloudinary::Action::"fly", resource);`},
		{name: "action of an unknown namespace", want: []string{"invalid_action"},
			statement: `permit(principal, action in [Other::Action::"read"], resource);`},
		{name: "unknown resource type", want: []string{"invalid_resource"},
			statement: `permit(principal, action, resource is Cloudinary::Folderz);`},
		{name: "resource of another namespace", want: []string{"invalid_resource"},
			statement: `permit(principal, action, resource == Acme::Folder::"x");`},
		{name: "unknown type in a condition", want: []string{"invalid_entity_type: Cloudinary::Thing"},
			statement: `permit(principal, action, resource) when { resource in Cloudinary::Thing::"t" };`},
		{name: "several problems", want: []string{"invalid_principal", "invalid_action"},
			statement: `permit(principal == Cloudinary::Bot::"b", action == Cloudinary::Action::"fly", resource);`},
		{name: "empty", statement: "  \n", want: []string{"empty_policy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canon, errs := checkCedar(tt.statement)
			var got []string
			for _, e := range errs {
				if e.Code != cedarCode {
					t.Errorf("cedar_code %q, want %q", e.Code, cedarCode)
				}
				m := e.Message
				if tt.prefix {
					m = m[:len(tt.want[0])]
				}
				got = append(got, m)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checkCedar(%q) errors (-want +got):\n%s", tt.statement, diff)
			}
			if (canon == "") != (tt.want != nil) {
				t.Errorf("checkCedar(%q) canonical %q with errors %v", tt.statement, canon, errs)
			}
		})
	}
}

func TestCheckCedarCanonicalForm(t *testing.T) {
	canon, errs := checkCedar(specCreateStatement)
	if errs != nil {
		t.Fatalf("spec example: %v", errs)
	}
	if canon != specCreateCanonical {
		t.Errorf("canonical form:\n%s\nwant:\n%s", canon, specCreateCanonical)
	}
	again, _ := checkCedar(canon)
	if again != canon {
		t.Errorf("canonical form is not a fixed point:\n%s", again)
	}
	spaced := "permit (principal == Cloudinary::APIKey::\"1234\",\n\taction == Cloudinary::Action::\"read\", resource is Cloudinary::Folder)\n  when { resource.ancestor_ids.contains(\"asdfjkl12347890\") };\n"
	if other, _ := checkCedar(spaced); other != canon {
		t.Errorf("a re-spaced statement has another canonical form:\n%s", other)
	}
}

func TestValidateCedarPolicyEndpoint(t *testing.T) {
	p := newPermFixture(t)
	const path = "/v2/accounts/permissions/public/validate"
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{
			name:   "spec example (APIKy)",
			body:   `{"policy":` + jsonString(`permit(principal == Cloudinary::APIKy::"1234", action == Cloudinary::Action::"read", resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`) + `}`,
			status: 200,
			want:   `{"valid":false,"errors":[{"cedar_message":"invalid_principal","cedar_code":"ACCOUNTS_00002"}]}`,
		},
		{name: "valid", body: `{"policy":` + jsonString(specCreateStatement) + `}`, status: 200, want: `{"valid":true,"errors":[]}`},
		{name: "no policy", body: `{}`, status: 400},
		{name: "not JSON", body: `{`, status: 400},
		{name: "wrong type", body: `{"policy":1}`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := sendTo(t, p.e, "POST", path, tt.body, false)
			if status != tt.status {
				t.Fatalf("answered %d, want %d: %s", status, tt.status, raw)
			}
			if tt.want == "" {
				if raw != "" {
					t.Errorf("400 carries a body the spec does not declare: %s", raw)
				}
				return
			}
			if diff := cmp.Diff(decodeJSON(t, tt.want), decodeJSON(t, raw)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCedarAppliesTo(t *testing.T) {
	ann := types.NewEntityUID("Cloudinary::User", "ann")
	des := types.NewEntityUID("Cloudinary::Group", "des")
	tests := []struct {
		statement string
		who       []types.EntityUID
		want      bool
	}{
		{`permit(principal, action, resource);`, []types.EntityUID{ann}, true},
		{`permit(principal == Cloudinary::User::"ann", action, resource);`, []types.EntityUID{ann}, true},
		{`permit(principal == Cloudinary::User::"bob", action, resource);`, []types.EntityUID{ann}, false},
		{`permit(principal in Cloudinary::Group::"des", action, resource);`, []types.EntityUID{ann, des}, true},
		{`permit(principal is Cloudinary::APIKey, action, resource);`, []types.EntityUID{ann}, false},
		{`permit(principal is Cloudinary::User, action, resource);`, []types.EntityUID{ann}, true},
		{`permit(principal == Cloudinary::APIKey::"1", action, resource);`, nil, true},
	}
	for _, tt := range tests {
		if got := cedarAppliesTo(tt.statement, tt.who); got != tt.want {
			t.Errorf("cedarAppliesTo(%q, %v) = %v, want %v", tt.statement, tt.who, got, tt.want)
		}
	}
}
