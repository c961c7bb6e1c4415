package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/access"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// accessCmd answers questions about who may do what, from the
// configuration or (--live) the live account, with the path that grants
// it (pkg/access).
type accessCmd struct {
	WhoCan whoCanCmd `cmd:"" name:"who-can" help:"List who may do ACTION [on RESOURCE] in ENV (an environment's cloud_name, or account), and through what: cldsync access who-can read on 'Folder::\"f8a5c2e1\"' in acme-prod. RESOURCE is an entity or any (the default)."`
	Of     ofCmd     `cmd:"" help:"List what PRINCIPAL holds in each scope and through what: its roles (directly or via groups) with their system policies, and the custom policies that name it. PRINCIPAL is an email (or user:EMAIL), group:NAME or api_key:CLOUD_NAME/KEY."`
}

// accessSource picks the account a question is answered from.
type accessSource struct {
	Config      string `short:"c" default:"." placeholder:"PATH" help:"Configuration file or directory. Default: . (the current directory)."`
	Live        bool   `help:"Answer from the live account (read with the credentials in the environment) instead of the configuration."`
	Parallelism int    `default:"10" help:"With --live, maximum concurrent API requests."`
	varFlags
}

func (f *accessSource) account(ctx context.Context, s streams) (*access.Account, string, error) {
	cfg, err := loadConfig(s, f.Config, f.varFlags)
	if err != nil {
		return nil, "", err
	}
	if !f.Live {
		at, err := clock(s.Getenv) // access_keys.go
		if err != nil {
			return nil, "", &exitError{code: 1, err: err}
		}
		cfg, _ = cfg.Expire(at, cfg.Prunes(spec.KindUser)) // what expired is gone
		return access.FromConfig(cfg), "the configuration", nil
	}
	// Without the permissions half the live account has no roles or
	// policies to answer from: say so rather than answer "no one".
	if cfg.PermissionsOff() {
		return nil, "", &exitError{code: 1, err: errors.New("cannot answer from the live account: the configuration turns the permissions half off (permissions: false)")}
	}
	api, err := newClient(s)
	if err != nil {
		return nil, "", err
	}
	// Every configured environment's keys are read, so that keys are
	// named, not shown by value.
	envs := cfg.APIKeyEnvironments()
	for _, e := range cfg.Environments {
		envs = append(envs, e.CloudName)
	}
	readDone := oneProcWhileReading() // procs.go
	live, err := state.Read(ctx, state.FromClient(api), state.Options{Parallelism: f.Parallelism, Permissions: true, APIKeyEnvironments: envs})
	readDone()
	if err != nil {
		return nil, "", fmt.Errorf("read the live account: %w", err)
	}
	if p := live.Permissions; p == nil || p.Unavailable != "" {
		why := "the permissions half was not read"
		if p != nil {
			why = "it has no Permissions API (" + p.Unavailable + ")"
		}
		return nil, "", &exitError{code: 1, err: errors.New("cannot answer from the live account: " + why)}
	}
	return access.FromState(live), "the live account", nil
}

type whoCanCmd struct {
	Question []string `arg:"" name:"question" help:"ACTION [on RESOURCE] in ENV."`
	accessSource
}

// parseQuestion reads ACTION [on RESOURCE] in ENV.
func parseQuestion(words []string) (action, resource, scope string, err error) {
	usage := fmt.Errorf("expected ACTION [on RESOURCE] in ENV, such as: read on 'Folder::\"f8a5c2e1\"' in acme-prod")
	switch {
	case len(words) == 3 && words[1] == "in":
		return words[0], "any", words[2], nil
	case len(words) == 5 && words[1] == "on" && words[3] == "in":
		return words[0], words[2], words[4], nil
	}
	return "", "", "", usage
}

func (c *whoCanCmd) Run(ctx context.Context, s streams) error {
	action, resource, scope, err := parseQuestion(c.Question)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	req, err := access.ParseRequest(action, resource, nil)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	acc, from, err := c.account(ctx, s)
	if err != nil {
		return err
	}
	if err := checkScope(acc, scope); err != nil {
		return err
	}
	grants := acc.WhoCan(req, scope)
	if _, err := fmt.Fprintf(s.Stdout, "Who can %s in %s (%s):\n", req, scope, from); err != nil {
		return err
	}
	if len(grants) == 0 {
		_, err := fmt.Fprintln(s.Stdout, "  no one")
		return err
	}
	for _, g := range grants {
		on := ""
		if req.Resource == nil {
			on = " (on " + access.ShortEntity(g.Resource) + ")"
		}
		if _, err := fmt.Fprintf(s.Stdout, "  %s%s\n", principalWord(g.Principal), on); err != nil {
			return err
		}
		if err := writeLines(s.Stdout, "      ", g.Via); err != nil {
			return err
		}
	}
	return nil
}

func checkScope(acc *access.Account, scope string) error {
	if scope == spec.ScopeAccount {
		return nil
	}
	for _, e := range acc.Environments {
		if e == scope {
			return nil
		}
	}
	return &exitError{code: 1, err: fmt.Errorf("unknown environment %q: expected account or one of %s", scope, strings.Join(acc.Environments, ", "))}
}

// principalWord is "user raj@acme.test", "group designers" or "key
// acme-prod/ci".
func principalWord(p spec.Principal) string {
	if p.Kind == spec.PrincipalAPIKey {
		return "key " + p.Name
	}
	return string(p.Kind) + " " + p.Name
}

func writeLines(w io.Writer, indent string, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, indent+l); err != nil {
			return err
		}
	}
	return nil
}

type ofCmd struct {
	Principal string `arg:"" help:"An email (or user:EMAIL), group:NAME or api_key:CLOUD_NAME/KEY."`
	accessSource
}

func (c *ofCmd) Run(ctx context.Context, s streams) error {
	p, ok := access.ParsePrincipal(c.Principal)
	if !ok {
		return &exitError{code: 1, err: fmt.Errorf("%q is not a principal: expected an email, user:EMAIL, group:NAME or api_key:CLOUD_NAME/KEY", c.Principal)}
	}
	acc, from, err := c.account(ctx, s)
	if err != nil {
		return err
	}
	if !acc.Exists(p) {
		return &exitError{code: 1, err: fmt.Errorf("%s is not in %s", principalWord(p), from)}
	}
	w := s.Stdout
	head := principalWord(p)
	if u, ok := acc.Users[p.Name]; ok && p.Kind == spec.PrincipalUser && !u.Enabled {
		head += " (disabled: holds nothing)"
	}
	fmt.Fprintf(w, "Access of %s (%s):\n", head, from)
	if gs := acc.GroupsOf(p); len(gs) > 0 {
		fmt.Fprintf(w, "  member of: %s\n", strings.Join(gs, ", "))
	}
	scopes := acc.Of(p)
	if len(scopes) == 0 {
		_, err := fmt.Fprintln(w, "  nothing: no roles, and no custom policy names it")
		return err
	}
	for _, sa := range scopes {
		fmt.Fprintf(w, "  %s:\n", scopeTitle(sa.Scope))
		for _, r := range sa.Roles {
			on := ""
			switch {
			case r.FolderID != "":
				on = " on Folder " + r.FolderID
			case r.CollectionID != "":
				on = " on Collection " + r.CollectionID
			}
			fmt.Fprintf(w, "    role %s (%s)%s, %s\n", r.Name, r.Role, on, r.Via)
			if len(r.Policies) > 0 {
				fmt.Fprintf(w, "      policies: %s\n", strings.Join(r.Policies, "; "))
			}
		}
		for _, cp := range sa.Policies {
			fmt.Fprintf(w, "    policy %s: %s\n", cp.Name, cp.Cedar)
		}
	}
	return nil
}

func scopeTitle(scope string) string {
	switch scope {
	case spec.ScopeAccount:
		return "account"
	case spec.ScopeAll:
		return "every environment"
	}
	return scope
}
