package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold       bool
		want       bool
	}{
		{"svc-*@acme.test", "svc-ci@acme.test", false, true},
		{"svc-*@acme.test", "svc-@acme.test", false, true},
		{"svc-*@acme.test", "ana@acme.test", false, false},
		{"svc-*@acme.test", "SVC-CI@ACME.TEST", true, true},
		{"svc-*@acme.test", "SVC-CI@ACME.TEST", false, false},
		{"other-team-*", "other-team-prod", false, true},
		{"other-team-*", "other-team", false, false},
		{"team-?", "team-a", false, true},
		{"team-?", "team-ab", false, false},
		{"*", "", false, true},
		{"*a*b*", "xxaxxbxx", false, true},
		{"*a*b*", "xxbxxaxx", false, false},
		{"exact", "exact", false, true},
		{"exact", "exactly", false, false},
		{"a/b*", "a/b/c", false, true}, // * crosses slashes: group names may hold them
		{"[x]", "[x]", false, true},    // no character classes: brackets are literal
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 60), false, false},
	}
	for _, tc := range tests {
		if got := MatchGlob(tc.pattern, tc.s, tc.fold); got != tc.want {
			t.Errorf("MatchGlob(%q, %q, %v) = %v, want %v", tc.pattern, tc.s, tc.fold, got, tc.want)
		}
	}
}

func TestParseSafetyIgnoreProtect(t *testing.T) {
	cfg, err := Parse("in.yaml", []byte(`version: 1
safety:
  max_deletes: 3
  max_delete_percent: 12.5
environments:
  - {cloud_name: acme-prod, name: Acme, protect: true}
users:
  - {email: Ana@acme.test, protect: true}
  - {email: raj@acme.test, protect: false}
groups:
  - {name: admins, protect: true}
ignore:
  users: ["svc-*@acme.test"]
  environments: [other-team-*, legacy]
`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Limits{MaxDeletes: 3, MaxDeletePercent: 12.5, MinMasterAdmins: 1}, cfg.Safety.Limits()); diff != "" {
		t.Errorf("Limits mismatch (-want +got):\n%s", diff)
	}
	if got := []bool{cfg.Environments[0].Protect, cfg.Users[0].Protect, cfg.Users[1].Protect, cfg.Groups[0].Protect}; !cmp.Equal(got, []bool{true, true, false, true}) {
		t.Errorf("Protect = %v, want [true true false true]", got)
	}
	want := Ignore{
		KindUser:        {{Pattern: "svc-*@acme.test", Pos: Pos{File: "in.yaml", Line: 13, Col: 11}}},
		KindEnvironment: {{Pattern: "other-team-*", Pos: Pos{File: "in.yaml", Line: 14, Col: 18}}, {Pattern: "legacy", Pos: Pos{File: "in.yaml", Line: 14, Col: 32}}},
	}
	if diff := cmp.Diff(want, cfg.Ignore); diff != "" {
		t.Errorf("Ignore mismatch (-want +got):\n%s", diff)
	}
	if r, ok := cfg.Ignore.Match(KindUser, "SVC-ci@acme.test"); !ok || r.Pattern != "svc-*@acme.test" {
		t.Errorf("Match(users, SVC-ci@acme.test) = %v, %v; want the svc rule", r, ok)
	}
	if _, ok := cfg.Ignore.Match(KindGroup, "svc-ci@acme.test"); ok {
		t.Error("a users rule matched a group")
	}
}

func TestSafetyDefaults(t *testing.T) {
	want := Limits{MaxDeletes: DefaultMaxDeletes, MaxDeletePercent: DefaultMaxDeletePercent, MinMasterAdmins: DefaultMinMasterAdmins}
	if diff := cmp.Diff(want, (Safety{}).Limits()); diff != "" {
		t.Errorf("zero Safety Limits mismatch (-want +got):\n%s", diff)
	}
	zero := 0
	if got := (Safety{MaxDeletes: &zero, MinMasterAdmins: &zero}).Limits(); got.MaxDeletes != 0 || got.MinMasterAdmins != 0 {
		t.Errorf("explicit zeros = %+v, want them kept", got)
	}
}

// TestSizeCapBeforeReading checks that Load never reads far past the cap.
func TestSizeCapBeforeReading(t *testing.T) {
	defer func(old int64) { maxFileSize = old }(maxFileSize)
	maxFileSize = 64
	data, err := func() ([]byte, error) {
		path := t.TempDir() + "/big.yaml"
		if err := writeFile(path, strings.Repeat("# padding\n", 1000)); err != nil {
			return nil, err
		}
		return readCapped(path)
	}()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 65 {
		t.Errorf("readCapped read %d bytes, want cap+1 = 65", len(data))
	}
	_, err = Parse("big.yaml", []byte(strings.Repeat("#", 65)))
	if err == nil || !strings.Contains(err.Error(), "big.yaml:1:1: file is larger than 64 bytes") {
		t.Errorf("Parse of an oversized file = %v, want the size error", err)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
