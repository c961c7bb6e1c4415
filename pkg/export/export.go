// Package export writes the live account as cldsync configuration that
// plan then reports as "No changes": the way an existing account adopts
// cldsync. Output is deterministic (sorted, fixed key order), omits values
// that equal the defaults, names objects by natural key rather than id, and
// is split into one file per kind.
package export

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"gopkg.in/yaml.v3"
)

// Kinds are the kinds export can write, in file order.
var Kinds = []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup}

// File is one generated configuration file.
type File struct {
	Name    string // e.g. "users.yaml"
	Content []byte
}

// header starts every file: the editor modeline and a note on provenance.
const header = "# yaml-language-server: $schema=https://raw.githubusercontent.com/cldsync/cldsync/main/schema/cldsync.schema.json\n" +
	"# Written by cldsync export from the live account.\n"

// Files renders the account as one file per kind in kinds (all of Kinds
// when empty). Kinds with nothing to write still get a file, so that a
// re-export replaces a stale one.
func Files(acc *state.Account, kinds []spec.Kind) ([]File, error) {
	if len(kinds) == 0 {
		kinds = Kinds
	}
	var files []File
	for _, k := range Kinds {
		if !slices.Contains(kinds, k) {
			continue
		}
		doc := document{Version: 1}
		switch k {
		case spec.KindEnvironment:
			doc.Environments = environments(acc)
		case spec.KindUser:
			doc.Users = users(acc)
		case spec.KindGroup:
			doc.Groups = groups(acc)
		}
		content, err := encode(doc)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", k, err)
		}
		files = append(files, File{Name: string(k) + ".yaml", Content: content})
	}
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("export: unknown kind %q (known: %v)", k, Kinds)
		}
	}
	return files, nil
}

// Single renders the requested kinds as one configuration document.
func Single(acc *state.Account, kinds []spec.Kind) ([]byte, error) {
	if len(kinds) == 0 {
		kinds = Kinds
	}
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
	return encode(doc)
}

// document mirrors the configuration format's key order.
type document struct {
	Version      int           `yaml:"version"`
	Environments []environment `yaml:"environments,omitempty"`
	Users        []user        `yaml:"users,omitempty"`
	Groups       []group       `yaml:"groups,omitempty"`
}

type environment struct {
	CloudName string `yaml:"cloud_name"`
	Name      string `yaml:"name"`
	Enabled   *bool  `yaml:"enabled,omitempty"` // written only when false: true is the default
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
		out = append(out, environment{CloudName: e.CloudName, Name: e.Name, Enabled: falseOrNil(e.Enabled)})
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

func encode(doc document) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
