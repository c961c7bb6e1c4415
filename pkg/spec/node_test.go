package spec

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"unsafe"

	"gopkg.in/yaml.v3"
)

// TestFieldsDuplicates: fields keeps the first of repeated keys, in
// document order, whether it looks back (small mappings) or uses a map
// (large ones); plainKeys refuses a repeated key either way.
func TestFieldsDuplicates(t *testing.T) {
	for _, size := range []int{1, 3, smallMapping, smallMapping + 1, 40} {
		var b strings.Builder
		var want []string
		for i := range size {
			fmt.Fprintf(&b, "k%d: v%d\n", i, i)
			want = append(want, fmt.Sprintf("k%d=v%d", i, i))
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil {
			t.Fatal(err)
		}
		root := doc.Content[0]
		if !plainKeys(root) {
			t.Errorf("%d keys: plainKeys refuses unique keys", size)
		}
		// Repeat the first and the last key, with other values.
		for _, i := range []int{0, size - 1} {
			k := *root.Content[2*i]
			root.Content = append(root.Content, &k, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "again"})
		}
		var got []string
		for _, kv := range fields(root) {
			got = append(got, kv[0].Value+"="+kv[1].Value)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%d keys: fields = %v, want %v", size, got, want)
		}
		if plainKeys(root) {
			t.Errorf("%d keys: plainKeys passes a repeated key", size)
		}
	}
}

func TestIsCloudName(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9_-]+$`) // the schema's pattern
	for _, s := range []string{"", "a", "env-1", "env_2", "Env", "a b", "a.b", "a\n", "\na", "é", "a\x00", "-", "_", "0", "a/b", "ａ", "z9-_"} {
		if got, want := isCloudName(s), re.MatchString(s); got != want {
			t.Errorf("isCloudName(%q) = %v, the pattern says %v", s, got, want)
		}
	}
	for c := range 256 {
		s := "a" + string(rune(c))
		if got, want := isCloudName(s), re.MatchString(s); got != want {
			t.Errorf("isCloudName(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

// TestEnvironmentListDuplicates: a duplicate in a user's environments
// names the first, in a short list (looked back for) and a long one.
func TestEnvironmentListDuplicates(t *testing.T) {
	var envs, list []string
	for i := range smallMapping + 4 {
		envs = append(envs, fmt.Sprintf("  - {cloud_name: e%d, name: E%d}\n", i, i))
		list = append(list, fmt.Sprintf("e%d", i))
	}
	cfg := "version: 1\nenvironments:\n" + strings.Join(envs, "") + "users:\n" +
		"  - {email: a@b.co, environments: [e1, e2, e1]}\n" +
		"  - {email: b@b.co, environments: [" + strings.Join(list, ", ") + ", e3, later]}\n"
	_, err := Parse("c.yaml", []byte(cfg))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse returned %v, want Errors", err)
	}
	want := []string{
		`c.yaml:24:44: users[0].environments[2]: duplicate environment "e1" (first listed at c.yaml:24:36)`,
		`c.yaml:25:126: users[1].environments[20]: duplicate environment "e3" (first listed at c.yaml:25:48)`,
		`c.yaml:25:130: users[1].environments[21]: unknown environment "later": not defined under environments`,
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlainAddress: the addresses plainAddress passes are ones
// mail.ParseAddress accepts as written, so checkEmail says of every
// address what it said when it always asked net/mail.
func TestPlainAddress(t *testing.T) {
	parts := []string{"a", "A", "0", "a.b", "a..b", ".a", "a.", "a-b", "-a", "a-", "a_b", "a+b", "+", "_", "a b", "é", "a\"b", "(c)", "a,b", "[1.2.3.4]", "", "a/b", "a=b", "a'b", "x.y.z", "xn--d1acufc"}
	var addrs []string
	for _, l := range parts {
		for _, d := range parts {
			addrs = append(addrs, l+"@"+d, l+"@"+d+".co", l+"@"+d+".", "Name <"+l+"@"+d+".co>")
		}
	}
	addrs = append(addrs, "a@b@c.d", "@b.co", "a@", "a", strings.Repeat("a", 65)+"@b.co", "a@b.co ", " a@b.co")
	plain := 0
	for _, s := range addrs {
		if plainAddress(s) {
			plain++
			if a, err := mail.ParseAddress(s); err != nil || a.Name != "" || a.Address != s {
				t.Errorf("plainAddress(%q) is true, but net/mail reads it as %v, %v", s, a, err)
			}
		}
		got, _ := checkEmail(s)
		if want, _ := checkEmailWith(s, func(string) bool { return false }); got != want {
			t.Errorf("checkEmail(%q) = %v, net/mail says %v", s, got, want)
		}
	}
	if plain < 50 {
		t.Errorf("plainAddress passed only %d addresses", plain)
	}
}

// TestInternedValues: values that many objects repeat are kept once.
func TestInternedValues(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
environments:
  - {cloud_name: e1, name: E1}
users:
  - {email: a@b.co, role: admin, environments: [e1]}
  - {email: b@b.co, role: admin, environments: [e1]}
assignments:
  - {principal: {user: a@b.co}, role: cld::role::prodenv::reports, scope: e1}
  - {principal: {user: b@b.co}, role: cld::role::prodenv::reports, scope: e1}
`))
	if err != nil {
		t.Fatal(err)
	}
	same := func(what, a, b string) {
		if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
			t.Errorf("%s: %q and %q are two copies", what, a, b)
		}
	}
	u, a := cfg.Users, cfg.Assignments
	same("user roles", *u[0].Role, *u[1].Role)
	same("environments", u[0].Environments.CloudNames[0], u[1].Environments.CloudNames[0])
	same("assignment roles", a[0].Role, a[1].Role)
	same("scopes", a[0].Scope, a[1].Scope)
}

// TestAssignmentKey: the key joins principal, role, scope and content
// instance with NULs, as the planner's live keys do.
func TestAssignmentKey(t *testing.T) {
	a := &Assignment{Principal: Principal{Kind: PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "r", Scope: "all", FolderID: "f1"}
	if got, want := AssignmentKey(a), "api_key:acme-prod/ci\x00r\x00all\x00f1\x00"; got != want {
		t.Errorf("AssignmentKey = %q, want %q", got, want)
	}
	if got := testing.AllocsPerRun(10, func() { AssignmentKey(a) }); got > 1 {
		t.Errorf("AssignmentKey allocates %v times, want 1", got)
	}
}
