// Package export writes the live account as cldsync configuration that
// plan then reports as "No changes": the way an existing account adopts
// cldsync. Output is deterministic (sorted, fixed key order), omits values
// that equal the defaults, names objects by natural key rather than id, and
// is split into one file per kind.
//
// The permissions half follows the same rules: custom roles by id with
// their complete system policies; custom policies with the ids in their
// Cedar statements written back as ${user:...}, ${group:...},
// ${environment:...} and ${api_key:...} references; role assignments by
// principal name. What has no configuration form (assignments of account
// provisioning keys, principals or scopes that match no listed object) is
// left out and named in a comment at the top of its file.
package export

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"github.com/cldsync/cldsync/pkg/state/model"
	"gopkg.in/yaml.v3"
)

// Kinds are the kinds export can write, in file order.
var Kinds = []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup, spec.KindRole, spec.KindPolicy, spec.KindAssignment}

// Read reads the live account for an export: the provisioning half, the
// permissions half, and the API keys of every environment, so that any key
// a policy statement names is written by name. It only reads.
func Read(ctx context.Context, api state.API, parallelism int) (*state.Account, error) {
	// Every environment's keys are read (one request each, shared with
	// the permissions half), to write them (access_keys.go) and to name
	// the keys policy statements name.
	acc, err := state.Read(ctx, api, state.Options{Parallelism: parallelism, Permissions: true, AllAccessKeys: true})
	if err != nil {
		return nil, err
	}
	perms := acc.Permissions
	if perms == nil || perms.Unavailable != "" || len(perms.Policies) == 0 {
		return acc, nil
	}
	read := map[string]bool{}
	for _, k := range perms.APIKeys {
		read[k.Environment] = true
	}
	for _, k := range acc.AccessKeys {
		if !read[k.Environment] {
			perms.APIKeys = append(perms.APIKeys, state.APIKey{Environment: k.Environment, Name: k.Name, Key: k.Key})
		}
	}
	slices.SortFunc(perms.APIKeys, func(a, b state.APIKey) int {
		return cmpString(a.Environment+"\x00"+a.Name+"\x00"+a.Key, b.Environment+"\x00"+b.Name+"\x00"+b.Key)
	})
	return acc, nil
}

// File is one generated configuration file.
type File struct {
	Name    string // e.g. "users.yaml"
	Content []byte
}

// header starts every file: the editor modeline and a note on provenance.
const header = "# yaml-language-server: $schema=https://raw.githubusercontent.com/cldsync/cldsync/main/schema/cldsync.schema.json\n" +
	"# Written by cldsync export from the live account.\n"

// Files renders the account as one file per kind in kinds (all of Kinds
// when empty), or several for a kind too large for one (split.go). Kinds
// with nothing to write still get a file, so that a re-export replaces a
// stale one.
func Files(acc *state.Account, kinds []spec.Kind) ([]File, error) {
	if err := checkKinds(kinds); err != nil {
		return nil, err
	}
	if len(kinds) == 0 {
		kinds = Kinds
	}
	need := referenced(acc, kinds) // refs.go
	var files []File
	var unloadable []string // names.go
	for _, k := range withReferenced(kinds, need) {
		doc := document{Version: 1}
		var notes []string
		switch k {
		case spec.KindEnvironment:
			doc.Environments = environments(acc)
		case spec.KindUser:
			doc.Users = users(acc)
		case spec.KindGroup:
			doc.Groups = groups(acc)
		default:
			notes = permissions(acc, &doc, []spec.Kind{k})
		}
		var partial []string
		if need[k] != nil {
			partial = keepReferenced(&doc, map[spec.Kind]map[string]bool{k: need[k]})
		}
		unloadable = append(unloadable, doc.unloadable()...)
		parts, err := encodeParts(k, doc, notes, partial) // split.go
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", k, err)
		}
		files = append(files, parts...)
	}
	if err := unloadableError(unloadable); err != nil {
		return nil, err
	}
	return files, nil
}

// FileName is the name of the file Files writes kind k into.
func FileName(k spec.Kind) string { return string(k) + ".yaml" }

// checkKinds refuses a kind export cannot write, rather than writing a
// document of headers.
func checkKinds(kinds []spec.Kind) error {
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("export: unknown kind %q (known: %v)", k, Kinds)
		}
	}
	return nil
}

// Single renders the requested kinds as one configuration document.
func Single(acc *state.Account, kinds []spec.Kind) ([]byte, error) {
	if err := checkKinds(kinds); err != nil {
		return nil, err
	}
	if len(kinds) == 0 {
		kinds = Kinds
	}
	need := referenced(acc, kinds) // refs.go
	kinds = withReferenced(kinds, need)
	doc := document{Version: 1}
	if slices.Contains(kinds, spec.KindEnvironment) {
		doc.Environments = environments(acc)
	}
	if slices.Contains(kinds, spec.KindUser) {
		doc.Users = users(acc)
	}
	if slices.Contains(kinds, spec.KindGroup) {
		doc.Groups = groups(acc)
	}
	notes := permissions(acc, &doc, kinds)
	partial := keepReferenced(&doc, need)
	if err := unloadableError(doc.unloadable()); err != nil {
		return nil, err
	}
	return encode(doc, notes, partial)
}

// document mirrors the configuration format's key order.
type document struct {
	Version      int           `yaml:"version"`
	Environments []environment `yaml:"environments,omitempty"`
	Users        []user        `yaml:"users,omitempty"`
	Groups       []group       `yaml:"groups,omitempty"`
	// Permissions is false (and the three lists empty) for an account
	// without the Permissions API.
	Permissions *bool        `yaml:"permissions,omitempty"`
	Roles       []role       `yaml:"roles,omitempty"`
	Policies    []policy     `yaml:"policies,omitempty"`
	Assignments []assignment `yaml:"assignments,omitempty"`
}

type role struct {
	ID             string   `yaml:"id"`
	Name           string   `yaml:"name"`
	Description    string   `yaml:"description,omitempty"`
	PermissionType string   `yaml:"permission_type"`
	ScopeType      string   `yaml:"scope_type"`
	SystemPolicies []string `yaml:"system_policies"` // always written: the complete list
}

type policy struct {
	Name        string     `yaml:"name"`
	Scope       string     `yaml:"scope"`
	Description string     `yaml:"description,omitempty"`
	Enabled     *bool      `yaml:"enabled,omitempty"` // written only when false
	Statement   *yaml.Node `yaml:"statement"`
}

type assignment struct {
	Principal    *yaml.Node `yaml:"principal"`
	Role         string     `yaml:"role"`
	Scope        string     `yaml:"scope"`
	FolderID     string     `yaml:"folder_id,omitempty"`
	CollectionID string     `yaml:"collection_id,omitempty"`
}

type environment struct {
	CloudName  string      `yaml:"cloud_name"`
	Name       string      `yaml:"name"`
	Enabled    *bool       `yaml:"enabled,omitempty"` // written only when false: true is the default
	AccessKeys []accessKey `yaml:"access_keys,omitempty"`
}

type user struct {
	Email        string     `yaml:"email"`
	Name         string     `yaml:"name"`
	Role         string     `yaml:"role,omitempty"`
	Enabled      *bool      `yaml:"enabled,omitempty"`
	Environments *yaml.Node `yaml:"environments,omitempty"`
}

type group struct {
	Name    string   `yaml:"name"`
	Members []string `yaml:"members"` // always written: the complete list, [] for none
}

func falseOrNil(b bool) *bool {
	if b {
		return nil
	}
	return &b
}

func environments(acc *state.Account) []environment {
	out := make([]environment, 0, len(acc.Environments))
	for _, e := range acc.Environments {
		out = append(out, environment{CloudName: e.CloudName, Name: e.Name, Enabled: falseOrNil(e.Enabled), AccessKeys: accessKeys(acc, e.CloudName)})
	}
	slices.SortFunc(out, func(a, b environment) int { return cmpString(a.CloudName, b.CloudName) })
	return out
}

func users(acc *state.Account) []user {
	out := make([]user, 0, len(acc.Users))
	for _, u := range acc.Users {
		x := user{Email: u.Email, Name: u.Name, Role: u.Role, Enabled: falseOrNil(u.Enabled)}
		switch {
		case u.Role == "master_admin":
			// The API ignores environment access for master_admin users:
			// leave it unmanaged.
		case u.AllEnvironments:
			x.Environments = &yaml.Node{Kind: yaml.ScalarNode, Value: "all"}
		default:
			x.Environments = flowList(u.Environments)
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b user) int { return cmpString(a.Email, b.Email) })
	return out
}

func groups(acc *state.Account) []group {
	out := make([]group, 0, len(acc.Groups))
	for _, g := range acc.Groups {
		members := slices.Clone(g.Members)
		if members == nil {
			members = []string{}
		}
		slices.Sort(members)
		out = append(out, group{Name: g.Name, Members: members})
	}
	slices.SortFunc(out, func(a, b group) int { return cmpString(a.Name, b.Name) })
	return out
}

// flowList writes a list of names inline ([a, b]), as people write them.
func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: it})
	}
	return n
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encode writes doc after the header, the notes of what was not exported
// and of the kinds written only in part.
func encode(doc document, notes, partial []string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	for _, n := range notes {
		b.WriteString("# Not exported: " + n + "\n")
	}
	for _, n := range partial {
		b.WriteString("# Exported in part: " + n + "\n")
	}
	var root yaml.Node
	if err := root.Encode(doc); err != nil {
		return nil, err
	}
	spec.EscapeValues(&root) // a live ${ reads back as written
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// permissions fills the permission kinds of doc that kinds names and
// returns what was left out, sorted.
func permissions(acc *state.Account, doc *document, kinds []spec.Kind) []string {
	p := acc.Permissions
	want := func(k spec.Kind) bool { return slices.Contains(kinds, k) }
	if !want(spec.KindRole) && !want(spec.KindPolicy) && !want(spec.KindAssignment) {
		return nil
	}
	if p == nil {
		return nil
	}
	if p.Unavailable != "" {
		off := false
		doc.Permissions = &off
		return []string{"roles, policies and assignments: the account has no Permissions API (" + p.Unavailable + ")"}
	}
	envs := map[string]bool{spec.ScopeAccount: true, spec.ScopeAll: true}
	for _, e := range acc.Environments {
		envs[e.CloudName] = true
	}
	var notes []string
	if want(spec.KindRole) {
		for _, r := range p.Roles {
			pols := slices.Clone(r.SystemPolicies)
			if pols == nil {
				pols = []string{}
			}
			doc.Roles = append(doc.Roles, role{ID: r.ID, Name: r.Name, Description: r.Description,
				PermissionType: r.PermissionType, ScopeType: r.ScopeType, SystemPolicies: pols})
		}
	}
	if want(spec.KindPolicy) {
		names := acc.IDNames() // one table for every statement
		for _, l := range p.Policies {
			if !envs[l.Scope] {
				notes = append(notes, fmt.Sprintf("policy %q: its scope %s is no listed environment", l.Name, l.Scope))
				continue
			}
			doc.Policies = append(doc.Policies, policy{Name: l.Name, Scope: l.Scope, Description: l.Description,
				Enabled: falseOrNil(l.Enabled), Statement: block(model.UnresolveNamesForConfig(names, l.Statement))})
		}
	}
	if want(spec.KindAssignment) {
		for _, a := range p.Assignments {
			pr := principal(a.Principal)
			switch {
			case pr == nil:
				notes = append(notes, fmt.Sprintf("assignment of %s to %s in %s: the principal has no configuration form", a.PrincipalName(), a.Role, a.Scope))
				continue
			case !envs[a.Scope]:
				notes = append(notes, fmt.Sprintf("assignment of %s to %s: its scope %s is no listed environment", a.PrincipalName(), a.Role, a.Scope))
				continue
			}
			doc.Assignments = append(doc.Assignments, assignment{Principal: pr, Role: a.Role, Scope: a.Scope,
				FolderID: a.FolderID, CollectionID: a.CollectionID})
		}
	}
	slices.Sort(notes)
	return notes
}

// principal writes {user: EMAIL}, {group: NAME} or {api_key: {environment:
// CLOUD_NAME, name: KEY_NAME}} inline; nil for a principal without a name.
func principal(p spec.Principal) *yaml.Node {
	m := func(kv ...*yaml.Node) *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: kv}
	}
	s := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	switch p.Kind {
	case spec.PrincipalUser, spec.PrincipalGroup:
		return m(s(string(p.Kind)), s(p.Name))
	case spec.PrincipalAPIKey:
		env, key := spec.SplitAPIKey(p.Name)
		return m(s(string(p.Kind)), m(s("environment"), s(env), s("name"), s(key)))
	}
	return nil
}

// block writes a statement as a literal block, one line per line.
func block(statement string) *yaml.Node {
	text := strings.TrimRight(statement, " \n") + "\n"
	if strings.ContainsAny(text, "\t\r") || strings.Contains(text, " \n") {
		// A literal block cannot hold trailing spaces or tabs faithfully;
		// let the encoder quote it.
		return &yaml.Node{Kind: yaml.ScalarNode, Value: statement}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.LiteralStyle, Value: text}
}
