package planner

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/plantest"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func renderJSONString(t *testing.T, p *Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, p); err != nil {
		t.Fatalf("RenderJSON returned error %v, want nil", err)
	}
	return b.String()
}

// TestSavedRoundTrip saves and reads back plans holding every Value type
// and checks nothing is lost.
func TestSavedRoundTrip(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func(*testing.T) *Plan{"sample": samplePlan, "nochanges": noChangePlan} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := &Saved{
				CldsyncVersion: "v1.2.3",
				ConfigPath:     "config/",
				Account:        "acc-staging",
				ConfigHash:     "sha256:0123",
				Options: SavedOptions{Prune: []spec.Kind{spec.KindUser}, AllowDeletes: true, AllowEnvironmentDeletes: true, AllowKeyRemoval: true,
					Rotate: []string{"prod/ci"}, Vars: []string{"env=prod"}, VarFiles: []string{"prod.yaml"}},
				Plan: mk(t),
			}
			var b bytes.Buffer
			if err := WriteSaved(&b, want); err != nil {
				t.Fatalf("WriteSaved returned error %v, want nil", err)
			}
			got, err := ReadSaved(&b)
			if err != nil {
				t.Fatalf("ReadSaved returned error %v, want nil", err)
			}
			if diff := cmp.Diff(renderJSONString(t, want.Plan), renderJSONString(t, got.Plan)); diff != "" {
				t.Errorf("plan read back differs (-want +got):\n%s", diff)
			}
			wantMeta := []any{want.CldsyncVersion, want.Account, want.ConfigPath, want.ConfigHash, want.Options}
			gotMeta := []any{got.CldsyncVersion, got.Account, got.ConfigPath, got.ConfigHash, got.Options}
			if diff := cmp.Diff(wantMeta, gotMeta); diff != "" {
				t.Errorf("metadata read back differs (-want +got):\n%s", diff)
			}
			if stale, err := got.Compare(want.Plan); err != nil || len(stale) != 0 {
				t.Errorf("Compare(the same plan) = %v, %v, want none", stale, err)
			}
		})
	}
}

// TestFromJSONValueExhaustive checks that every Value type can be read
// back, so a new type cannot be saved without being readable.
func TestFromJSONValueExhaustive(t *testing.T) {
	t.Parallel()
	for _, v := range []Value{
		EnvironmentValue{ID: "e", CloudName: "c", Name: "n", Enabled: true, BaseEnvironment: "b", CustomAttributes: map[string]any{"k": "v"}},
		UserValue{ID: "u", Email: "a@x.test", Name: "A", Role: "admin", Enabled: true, Environments: []string{"c"}, Pending: true, Root: true},
		GroupValue{ID: "g", Name: "ops", Members: []string{"a@x.test"}},
		MembershipValue{Group: "ops", GroupID: "g", User: "a@x.test", UserID: "u"},
		RoleValue{ID: "r", Name: "Editors", Description: "d", PermissionType: "global", ScopeType: "prodEnv", SystemPolicies: []string{"p1"}, Force: true},
		PolicyValue{ID: "p", Name: "deny", Scope: "c", ScopeID: "e", Description: "d", Statement: "forbid(principal, action, resource);", Enabled: true},
		AssignmentValue{PrincipalType: "user", Principal: "a@x.test", PrincipalID: "u", Role: "Editors", Scope: "c", ScopeID: "e", FolderID: "f", CollectionID: "k"},
		AccessKeyValue{Environment: "c", EnvironmentID: "e", Name: "ci", Key: "123456789012345", Enabled: true, DedicatedFor: "webhooks",
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Secret: &spec.SecretSink{File: "s.env", Overwrite: true}, RetiredName: "ci (retired 2026-04-11)"},
	} {
		p := &Plan{FormatVersion: FormatVersion, Changes: []Change{{Action: Update, Ref: v.Ref(), Before: v, After: v}}}
		var b bytes.Buffer
		if err := WriteSaved(&b, &Saved{Plan: p}); err != nil {
			t.Fatalf("WriteSaved(%T) returned error %v", v, err)
		}
		got, err := ReadSaved(&b)
		if err != nil {
			t.Fatalf("ReadSaved(%T) returned error %v, want nil", v, err)
		}
		if diff := cmp.Diff(v, got.Plan.Changes[0].After); diff != "" {
			t.Errorf("%T read back differs (-want +got):\n%s", v, diff)
		}
	}
}

func TestReadSavedRefuses(t *testing.T) {
	t.Parallel()
	var saved bytes.Buffer
	model := json.RawMessage(`{"users":[{"email":"model-marker@acme.test"}]}`)
	if err := WriteSaved(&saved, &Saved{Account: "acc-staging", Model: model, ConfigHash: modelHash(model), Plan: samplePlan(t)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(saved.String(), `"role": "media_library_user"`) {
		t.Fatalf("the sample plan has no media_library_user to alter:\n%s", saved.String())
	}
	tests := []struct {
		name, in, want string
	}{
		{"plan output", renderJSONString(t, samplePlan(t)), "not a saved plan"},
		{"previous major version", strings.Replace(saved.String(), `"format_version": "`+SavedFormatVersion+`"`, `"format_version": "1.0"`, 1), `format_version "1.0", this cldsync reads 2.x; save the plan again`},
		{"unknown action", strings.Replace(saved.String(), `"action": "create"`, `"action": "rename"`, 1), `unknown action "rename"`},
		{"a change altered", strings.Replace(saved.String(), `"role": "media_library_user"`, `"role": "master_admin"`, 1), "the file was edited"},
		{"another account", strings.Replace(saved.String(), `"account": "acc-staging"`, `"account": "acc-prod"`, 1), "the file was edited"},
		{"the model", strings.Replace(saved.String(), `"model-marker@acme.test"`, `"other@acme.test"`, 1), "the file was edited"},
		{"an option", strings.Replace(saved.String(), `"allow_deletes": false`, `"allow_deletes": true`, 1), "the file was edited"},
		{"not JSON", "plan: yes", "read saved plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadSaved(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadSaved returned error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeConfig(t *testing.T) {
	t.Parallel()
	hash := func(file, src string) string {
		t.Helper()
		cfg, err := spec.Parse(file, []byte(src))
		if err != nil {
			t.Fatalf("spec.Parse returned error %v", err)
		}
		_, h, err := NormalizeConfig(cfg)
		if err != nil {
			t.Fatalf("NormalizeConfig returned error %v", err)
		}
		if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+64 {
			t.Errorf("hash = %q, want sha256: and 64 hex digits", h)
		}
		return h
	}
	const policy = "policies:\n  - name: up\n    scope: account\n    statement: permit(principal, action, resource);\n"
	base := hash("a.yaml", "version: 1\nusers:\n  - email: a@x.test\n    role: admin\n"+policy)
	for name, tt := range map[string]struct {
		file, src string
		same      bool
	}{
		"a comment and another layout":              {"a.yaml", "# a comment moves every line\n\nversion: 1\nusers:\n- {email: a@x.test, role: admin}\n" + policy, true},
		"the same file read from another directory": {"../elsewhere/cfg/a.yaml", "version: 1\nusers:\n  - email: a@x.test\n    role: admin\n" + policy, true},
		"a role":      {"a.yaml", "version: 1\nusers:\n  - email: a@x.test\n    role: reports\n" + policy, false},
		"a statement": {"a.yaml", "version: 1\nusers:\n  - email: a@x.test\n    role: admin\n" + strings.Replace(policy, "permit", "forbid", 1), false},
	} {
		if got := hash(tt.file, tt.src); (got == base) != tt.same {
			t.Errorf("%s: hash equal %v, want %v", name, got == base, tt.same)
		}
	}
	// A custom attribute literally named Pos is meaning, not a position.
	attrs := func(v string) string {
		return hash("a.yaml", "version: 1\nenvironments:\n  - cloud_name: prod\n    name: Prod\n    custom_attributes: {Pos: "+v+"}\n")
	}
	if attrs("1") == attrs("2") {
		t.Error("a custom attribute named Pos does not count")
	}
	model, _, err := NormalizeConfig(&spec.Config{Environments: []spec.Environment{{CloudName: "prod", CustomAttributes: map[string]any{"Pos": 1},
		Pos: spec.Pos{File: "a.yaml", Line: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(model), `"CustomAttributes":{"Pos":1}`) || strings.Contains(string(model), "a.yaml") {
		t.Errorf("model = %s, want the custom attribute Pos and no position", model)
	}
	// Template paths are joined with the configuration's directory: read
	// from another directory they differ, and mean the same.
	templated := func(dir string) string {
		_, h, err := NormalizeConfig(&spec.Config{
			Template: &spec.TemplateRef{Path: dir + "/team.yaml", Vars: map[string]string{"team": "web"}},
			Tenants:  []spec.Tenant{{Template: dir + "/team.yaml", Vars: map[string]string{"team": "web"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if templated("cfg") != templated("../elsewhere/cfg") {
		t.Error("the template's path counts as meaning: a plan saved in one directory is refused from another")
	}
}

// TestSavedCompare changes the live account behind a saved plan's back
// and checks which objects Compare calls stale, and why.
func TestSavedCompare(t *testing.T) {
	t.Parallel()
	desired := &spec.Config{
		Environments: []spec.Environment{{CloudName: "prod", Name: "Prod"}},
		Users: []spec.User{
			{Email: "raj@x.test", Role: ptr("media_library_user")},
			{Email: "ana@x.test", Role: ptr("admin")},
		},
		Groups: []spec.Group{{Name: "editors", Members: []string{"ana@x.test", "raj@x.test"}, MembersManaged: true}},
	}
	liveAt := func(edit func(*model.Account)) *model.Account {
		a := &model.Account{
			Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}},
			Users:        []model.User{{ID: "u1", Email: "raj@x.test", Name: "Raj", Role: "admin", Enabled: true, AllEnvironments: true}},
			Groups:       []model.Group{{ID: "g1", Name: "editors"}},
		}
		if edit != nil {
			edit(a)
		}
		return a
	}
	plan := func(live *model.Account) *Plan {
		p, err := Diff(desired, live, Options{})
		if err != nil {
			t.Fatalf("Diff returned error %v", err)
		}
		return p
	}
	saved := &Saved{Plan: plan(liveAt(nil))}
	tests := []struct {
		name      string
		edit      func(*model.Account)
		want      []string
		untouched []Ref
	}{
		{name: "nothing moved"},
		{
			name: "role changed",
			edit: func(a *model.Account) { a.Users[0].Role = "reports" },
			want: []string{`user raj@x.test: changed in the live account since the plan: role "admin" → "reports"`},
		},
		{
			name: "created behind its back",
			edit: func(a *model.Account) {
				a.Users = append(a.Users, model.User{ID: "u2", Email: "ana@x.test", Name: "Ana", Role: "admin", Enabled: true, AllEnvironments: true})
			},
			want: []string{
				"user ana@x.test: was created in the live account since the plan",
				"membership editors / ana@x.test: its change is different now: an object it refers to changed in the live account since the plan",
			},
		},
		{
			name: "deleted behind its back",
			edit: func(a *model.Account) { a.Users = nil },
			want: []string{
				"user raj@x.test: was deleted from the live account since the plan",
				"membership editors / raj@x.test: its change is different now: an object it refers to changed in the live account since the plan",
			},
		},
		{
			name: "now needs no change",
			edit: func(a *model.Account) { a.Groups[0].Members = []string{"raj@x.test"} },
			want: []string{"membership editors / raj@x.test: was created in the live account since the plan"},
		},
		{
			name:      "drift the plan does not touch",
			edit:      func(a *model.Account) { a.Environments[0].Name = "Renamed" },
			untouched: []Ref{{spec.KindEnvironment, "prod"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fresh := plan(liveAt(tt.edit))
			stale, err := saved.Compare(fresh)
			if err != nil {
				t.Fatalf("Compare returned error %v, want nil", err)
			}
			var got []string
			for _, s := range stale {
				got = append(got, s.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compare mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.untouched, saved.Untouched(fresh)); diff != "" {
				t.Errorf("Untouched mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// samplePlan is a plan with every sort of entry (plantest.SampleConfig).
func samplePlan(t *testing.T) *Plan {
	t.Helper()
	p, err := Diff(plantest.SampleConfig(), plantest.SampleLive(), Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

// noChangePlan changes nothing and leaves one group alone.
func noChangePlan(t *testing.T) *Plan {
	t.Helper()
	p, err := Diff(&spec.Config{}, &model.Account{
		Groups: []model.Group{{ID: "g1", Name: "ops", Members: []string{"a@x.test"}}},
	}, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

// TestSavedCompareLiveValues: staleness is about the live values a change
// assumed. The order the guards give changes is not one (Check judges it
// on the changes that run), and neither is a change the fresh plan
// refuses; an object that moved is.
func TestSavedCompareLiveValues(t *testing.T) {
	t.Parallel()
	desired, live := handOverConfig()
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	saved := &Saved{Plan: &Plan{Changes: []Change{p.Changes[1]}}}
	saved.Plan.Changes[0].DependsOn = nil

	fresh := &Plan{Changes: p.Changes} // alice's demotion now waits for bob
	if stale, err := saved.Compare(fresh); err != nil || len(stale) != 0 {
		t.Errorf("Compare with other dependencies = %v, %v; want nothing stale", stale, err)
	}
	refused := &Plan{Errors: []PlanError{{Ref: p.Changes[1].Ref, Message: "refusing to downgrade it"}}}
	if stale, err := saved.Compare(refused); err != nil || len(stale) != 0 {
		t.Errorf("Compare with alice refused = %v, %v; want nothing stale: the guards judge it", stale, err)
	}
	moved := p.Changes[1]
	b := moved.Before.(UserValue)
	b.Name = "Alice B"
	moved.Before = b
	if stale, err := saved.Compare(&Plan{Changes: []Change{moved}}); err != nil || len(stale) != 1 || !strings.Contains(stale[0].Reason, `changed in the live account since the plan: name "alice@acme.test" → "Alice B"`) {
		t.Errorf("Compare with alice renamed = %v, %v; want her stale", stale, err)
	}
}
