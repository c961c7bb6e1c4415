package state

// Reading the permissions half with the fewest requests (NOTES.md 9):
//
//	GET roles?permission_type=global&management_type=custom   1, also the feature probe
//	GET roles?permission_type=content&management_type=custom  1
//	GET roles/{id}                                            1 per custom role (P4: lists carry no policies)
//	GET public/catalog                                        1 (system roles and policies)
//	GET policies/custom (account)                             1 + pages
//	GET policies/custom?scope_type=prodenv&scope_id=…         1 + pages per environment
//	GET principal_roles/inspect?scope_type=account            1 + pages
//	GET principal_roles/inspect?scope_type=prodenv&scope_id=… 1 + pages per environment
//	GET sub_accounts/{id}/access_keys                         1 per environment whose API keys are named
//
// An environment's access keys are read when the configuration names one
// of them, when an apiKey principal holds a role in it, or when a custom
// policy scoped to it names Cloudinary::APIKey::"…" (the key value is the
// principal's id, NOTES.md P12), each as soon as the listing that tells
// it is in: with the key's name, the access diff shows "key CLOUD/NAME"
// rather than the raw value, and apply can check the key's access
// afterwards. A key named only by a policy scoped to the account or to
// "all" is named when its environment's keys are read for another reason;
// otherwise it shows by its value (finding its environment would take a
// request per environment).
//
// The probe goes first and alone: an account without the Permissions API
// (it answers 403, or 404 where the API is not deployed; NOTES.md P22) is
// reported once as Unavailable and nothing else is asked. Policies scoped
// "all" and assignments scoped "all" show in every environment's answer
// and are kept once.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// PermissionsAPI is the read-only part of the permissions API (and the
// access-key listing that names apiKey principals) that Read needs.
type PermissionsAPI interface {
	ListRoles(ctx context.Context, opts client.RoleListOptions) ([]client.Role, error)
	GetRole(ctx context.Context, id string) (*client.Role, error)
	GetCatalog(ctx context.Context) (*client.Catalog, error)
	// ListCustomPolicies returns every page. A listing that cannot be
	// proven complete returns what it read with an error wrapping
	// client.ErrIncomplete; so do Inspect and ListAccessKeys.
	ListCustomPolicies(ctx context.Context, opts client.CustomPolicyListOptions) ([]client.CustomPolicy, error)
	// Inspect returns every page.
	Inspect(ctx context.Context, opts client.InspectOptions) ([]client.PrincipalRoles, error)
	// ListRolePrincipals returns every assignment of a role (one request,
	// not paged).
	ListRolePrincipals(ctx context.Context, roleID string) ([]client.RolePrincipal, error)
	ListAccessKeys(ctx context.Context, subAccountID string) ([]client.AccessKey, error)
	// ValidatePolicy asks the service whether a Cedar statement is valid
	// (a read-only POST).
	ValidatePolicy(ctx context.Context, statement string) (*client.PolicyValidation, error)
}

func (a clientAPI) ListRoles(ctx context.Context, opts client.RoleListOptions) ([]client.Role, error) {
	return a.c.Roles.List(ctx, opts)
}

func (a clientAPI) GetRole(ctx context.Context, id string) (*client.Role, error) {
	return a.c.Roles.Get(ctx, id, nil)
}

func (a clientAPI) GetCatalog(ctx context.Context) (*client.Catalog, error) {
	return a.c.Public.GetCatalog(ctx)
}

func (a clientAPI) ListCustomPolicies(ctx context.Context, opts client.CustomPolicyListOptions) ([]client.CustomPolicy, error) {
	var out []client.CustomPolicy
	for p, err := range a.c.CustomPolicies.ListIter(ctx, &opts) {
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (a clientAPI) Inspect(ctx context.Context, opts client.InspectOptions) ([]client.PrincipalRoles, error) {
	var out []client.PrincipalRoles
	for p, err := range a.c.Principals.InspectIter(ctx, opts) {
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (a clientAPI) ListRolePrincipals(ctx context.Context, roleID string) ([]client.RolePrincipal, error) {
	return a.c.Roles.ListPrincipals(ctx, roleID, &client.RolePrincipalListOptions{Verbose: true})
}

func (a clientAPI) ListAccessKeys(ctx context.Context, subAccountID string) ([]client.AccessKey, error) {
	// Without a page the server answers every page at once (one request);
	// walk the pages only when that answer is short of its total.
	l, err := a.c.AccessKeys.List(ctx, subAccountID, nil)
	if err != nil {
		return nil, err
	}
	if len(l.AccessKeys) >= l.Total {
		return l.AccessKeys, nil
	}
	var out []client.AccessKey
	for k, err := range a.c.AccessKeys.ListIter(ctx, subAccountID, nil) {
		if err != nil {
			return out, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (a clientAPI) ValidatePolicy(ctx context.Context, statement string) (*client.PolicyValidation, error) {
	return a.c.Public.ValidatePolicy(ctx, client.ValidateCedarPolicyRequest{Policy: statement})
}

// errNoPermissions marks an account without the Permissions API.
func noPermissionsAPI(err error) (string, bool) {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || (apiErr.StatusCode != 403 && apiErr.StatusCode != 404) {
		return "", false
	}
	return fmt.Sprintf("GET roles answered %d %s", apiErr.StatusCode, strings.ToLower(statusWord(apiErr.StatusCode))), true
}

func statusWord(code int) string {
	if code == 404 {
		return "Not Found"
	}
	return "Forbidden"
}

// readPermissions reads the permissions half. It needs only the
// environments (scopes are per environment), which it waits for with
// awaitEnvs; the principals are named by finish once the users and groups
// are in acc too. awaitPrincipals waits for the users and groups listings
// and returns how many principals they hold, which bounds what reading
// the assignments per scope may cost (strategy.go).
func (rd *reader) readPermissions(ctx context.Context, acc *Account, awaitEnvs func(context.Context) error, awaitPrincipals func(context.Context) (int, error)) (*permReader, error) {
	api := rd.api
	var global []client.Role
	// Every role, system and custom: the custom ones to read, all of them
	// to read assignments per role.
	err := rd.do(ctx, urgent, func(ctx context.Context) (err error) {
		global, err = api.ListRoles(ctx, client.RoleListOptions{PermissionType: client.PermissionGlobal})
		return err
	})
	if err != nil {
		if why, ok := noPermissionsAPI(err); ok {
			return &permReader{out: &Permissions{Unavailable: why}}, nil
		}
		return nil, fmt.Errorf("list roles: %w", err)
	}
	if err := awaitEnvs(ctx); err != nil {
		return nil, err
	}
	r := &permReader{api: api, acc: acc, out: &Permissions{}, envName: map[string]string{}, keysRead: map[string]bool{}}
	for _, e := range acc.Environments {
		r.envName[e.ID] = e.CloudName
	}
	p := newGroup(ctx)
	// The policies of every scope, the account's first; and the API keys
	// that name apiKey principals: those the configuration names at once,
	// the others as the listings tell them.
	p.Go(func(ctx context.Context) error {
		for _, e := range acc.Environments {
			if slices.Contains(rd.opts.APIKeyEnvironments, e.CloudName) {
				r.readKeys(rd, p, e.ID)
			}
		}
		for i, s := range scopesOf(acc) {
			c := perEnvironment
			if i == 0 {
				c = urgent
			}
			rd.run(p, c, func(ctx context.Context) error {
				pols, err := api.ListCustomPolicies(ctx, client.CustomPolicyListOptions{ScopeType: s.ScopeType, ScopeID: s.ScopeID})
				err = r.incomplete(spec.KindPolicy, r.scopeName(string(s.ScopeType), s.ScopeID), err)
				if err != nil {
					return fmt.Errorf("list custom policies (%s): %w", r.scopeName(string(s.ScopeType), s.ScopeID), err)
				}
				r.addPolicies(pols)
				rd.prog.update(func(p *Progress) { p.Policies += len(pols) })
				for _, id := range keyEnvironmentsOfPolicies(pols) {
					r.readKeys(rd, p, id)
				}
				return nil
			})
		}
		return nil
	})
	// Content roles; then each custom role's policies, and the
	// assignments, per role or per scope.
	p.Go(func(ctx context.Context) error {
		var content []client.Role
		err := rd.do(ctx, urgent, func(ctx context.Context) (err error) {
			content, err = api.ListRoles(ctx, client.RoleListOptions{PermissionType: client.PermissionContent})
			return err
		})
		if err != nil {
			return fmt.Errorf("list roles: %w", err)
		}
		all := append(slices.Clip(global), content...)
		custom := 0
		for _, role := range all {
			if role.ManagementType == client.ManagementCustom {
				custom++
			}
		}
		rd.prog.estimate("roles", 2+custom)
		for _, role := range all {
			if role.ManagementType == client.ManagementCustom {
				r.mu.Lock()
				r.roles = append(r.roles, role)
				r.mu.Unlock()
				rd.run(p, single, func(ctx context.Context) error {
					if err := r.readRole(ctx, role.ID); err != nil {
						return err
					}
					rd.prog.update(func(p *Progress) { p.Roles++ })
					return nil
				})
			}
		}
		return r.readAssignments(ctx, rd, p, all, awaitPrincipals)
	})
	rd.run(p, urgent, func(ctx context.Context) error {
		cat, err := api.GetCatalog(ctx)
		if err != nil {
			return fmt.Errorf("read the catalog of system roles and policies: %w", err)
		}
		r.out.Catalog = catalogOf(cat)
		return nil
	})
	if err := p.Wait(); err != nil {
		return nil, err
	}
	return r, nil
}

// scopesOf lists the scopes of an account: the account, then each
// environment.
func scopesOf(acc *Account) []client.InspectOptions {
	scopes := []client.InspectOptions{{ScopeType: client.ScopeAccount}}
	for _, e := range acc.Environments {
		scopes = append(scopes, client.InspectOptions{ScopeType: client.ScopeProdEnv, ScopeID: e.ID})
	}
	return scopes
}

// readAssignments reads every role assignment, per role or per scope,
// whichever needs fewer requests (strategy.go), in g.
func (r *permReader) readAssignments(ctx context.Context, rd *reader, g *group, roles []client.Role, awaitPrincipals func(context.Context) (int, error)) error {
	envs := len(r.acc.Environments)
	principals := -1
	if rd.opts.AssignmentStrategy == "" && len(roles) > 1+envs {
		// Only the principals bound can tell: wait for it.
		n, err := awaitPrincipals(ctx)
		if err != nil {
			return err
		}
		principals = n + rd.keyCount
	}
	choice := chooseAssignments(rd.opts.AssignmentStrategy, len(roles), envs, principals)
	rd.explain(choice)
	rd.prog.estimate("assignments", choice.estimate().Expected)
	if choice.Strategy == PerRole {
		for _, role := range roles {
			rd.run(g, single, func(ctx context.Context) error {
				prs, err := r.api.ListRolePrincipals(ctx, role.ID)
				if err != nil {
					return fmt.Errorf("list the principals of role %s: %w", role.ID, err)
				}
				r.addRolePrincipals(role, prs)
				rd.prog.update(func(p *Progress) { p.Assignments += len(prs) })
				for _, pr := range prs {
					if pr.Type == client.PrincipalAPIKey && pr.ScopeID != "" && pr.ScopeID != spec.ScopeAll {
						r.readKeys(rd, g, pr.ScopeID)
					}
				}
				return nil
			})
		}
		return nil
	}
	for i, s := range scopesOf(r.acc) {
		c := perEnvironment
		if i == 0 {
			c = urgent // the account's assignments are the longest chain of pages
		}
		rd.run(g, c, func(ctx context.Context) error {
			prs, err := r.api.Inspect(ctx, s)
			err = r.incomplete(spec.KindAssignment, r.scopeName(string(s.ScopeType), s.ScopeID), err)
			if err != nil {
				return fmt.Errorf("list role assignments (%s): %w", r.scopeName(string(s.ScopeType), s.ScopeID), err)
			}
			r.addAssignments(prs)
			rd.prog.update(func(p *Progress) {
				for _, pr := range prs {
					p.Assignments += len(pr.Roles)
				}
			})
			for _, id := range keyEnvironmentsOfAssignments(prs) {
				r.readKeys(rd, g, id)
			}
			return nil
		})
	}
	return nil
}

// permReader collects the answers of concurrent reads.
type permReader struct {
	api     API
	acc     *Account
	envName map[string]string // cloud_name by environment id

	mu       sync.Mutex
	out      *Permissions
	roles    []client.Role // listed custom roles
	full     []Role        // with their policies
	policies map[string]client.CustomPolicy
	assigns  map[string]Assignment
	keysRead map[string]bool // environment ids whose access keys are read
}

// incomplete records a listing of kind that could not be proven complete
// (err wraps client.ErrIncomplete) in Account.Incomplete, so that nothing
// of that kind is deleted, and returns nil; other errors are returned.
// where names the listing in the reason. Of several reasons, the same one
// is kept whatever the order of the reads.
func (r *permReader) incomplete(kind spec.Kind, where string, err error) error {
	if !errors.Is(err, client.ErrIncomplete) {
		return err
	}
	why := where + ": " + err.Error()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.acc.Incomplete == nil {
		r.acc.Incomplete = map[spec.Kind]string{}
	}
	if prev, ok := r.acc.Incomplete[kind]; !ok || why < prev {
		r.acc.Incomplete[kind] = why
	}
	return nil
}

func (r *permReader) readRole(ctx context.Context, id string) error {
	role, err := r.api.GetRole(ctx, id)
	if err != nil {
		return fmt.Errorf("read custom role %s: %w", id, err)
	}
	ids := make([]string, 0, len(role.Policies))
	for _, p := range role.Policies {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.full = append(r.full, Role{
		ID: role.ID, Name: role.Name, Description: role.Description,
		PermissionType: string(role.PermissionType), ScopeType: string(role.ScopeType),
		SystemPolicies: ids,
	})
	return nil
}

func (r *permReader) addPolicies(pols []client.CustomPolicy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.policies == nil {
		r.policies = map[string]client.CustomPolicy{}
	}
	for _, p := range pols {
		r.policies[p.ID] = p
	}
}

func (r *permReader) addAssignments(prs []client.PrincipalRoles) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pr := range prs {
		for _, role := range pr.Roles {
			r.addAssignment(pr.Type, pr.ID, role.ID, role.ScopeType, role.ScopeID, role.PolicyParameters)
		}
	}
}

// addRolePrincipals adds the assignments getRolePrincipals lists for role.
func (r *permReader) addRolePrincipals(role client.Role, prs []client.RolePrincipal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pr := range prs {
		scopeType := pr.ScopeType
		if scopeType == "" {
			scopeType = role.ScopeType
		}
		r.addAssignment(pr.Type, pr.ID, role.ID, scopeType, pr.ScopeID, pr.PolicyParameters)
	}
}

// addAssignment records one assignment, once. Must hold r.mu.
func (r *permReader) addAssignment(ptype client.PrincipalType, pid, roleID string, scopeType client.ScopeType, scopeID string, params client.PolicyParameters) {
	if r.assigns == nil {
		r.assigns = map[string]Assignment{}
	}
	a := Assignment{
		PrincipalType: PrincipalType(ptype), PrincipalID: pid, Role: roleID,
		ScopeID: scopeID, Scope: r.scopeName(string(scopeType), scopeID),
		FolderID: params["folder_id"], CollectionID: params["collection_id"],
	}
	r.assigns[assignmentID(a)] = a
}

// assignmentID is an assignment's identity by ids, for de-duplication.
func assignmentID(a Assignment) string {
	return strings.Join([]string{string(a.PrincipalType), a.PrincipalID, a.Role, a.ScopeID, a.FolderID, a.CollectionID}, "\x00")
}

// scopeName names a scope: account, all, or the environment's cloud_name
// (its id when no listed environment has it).
func (r *permReader) scopeName(scopeType, scopeID string) string {
	switch {
	case scopeType == string(client.ScopeAccount) || scopeID == "":
		return spec.ScopeAccount
	case scopeID == spec.ScopeAll:
		return spec.ScopeAll
	}
	if name, ok := r.envName[scopeID]; ok {
		return name
	}
	return scopeID
}

// readKeys starts reading the access keys of the environment with id envID
// in g, unless they are being read already or no listed environment has
// that id. Its caller may hold a limiter slot: the read waits for its own
// in a goroutine of g.
func (r *permReader) readKeys(rd *reader, g *group, envID string) {
	r.mu.Lock()
	name, ok := r.envName[envID]
	if !ok || r.keysRead[envID] {
		r.mu.Unlock()
		return
	}
	r.keysRead[envID] = true
	r.mu.Unlock()
	g.Go(func(ctx context.Context) error {
		// listKeys (access_keys.go) shares the request with the reading
		// of managed access keys.
		keys, err := rd.listKeys(ctx, envID)
		// Assignments to the keys not read could not be named.
		err = r.incomplete(spec.KindAssignment, "principals missing from the incomplete API key listing of "+name+" cannot be named", err)
		if err != nil {
			return fmt.Errorf("list API keys of product environment %s: %w", name, err)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, k := range keys {
			r.out.APIKeys = append(r.out.APIKeys, APIKey{Environment: name, Name: k.Name, Key: k.APIKey})
		}
		return nil
	})
}

// keyEnvironmentsOfAssignments returns the ids of the environments in
// which apiKey principals hold roles.
func keyEnvironmentsOfAssignments(prs []client.PrincipalRoles) []string {
	var out []string
	for _, pr := range prs {
		if pr.Type != client.PrincipalAPIKey {
			continue
		}
		for _, role := range pr.Roles {
			if role.ScopeType == client.ScopeProdEnv && role.ScopeID != "" && role.ScopeID != spec.ScopeAll {
				out = append(out, role.ScopeID)
			}
		}
	}
	return out
}

// apiKeyEntity matches a Cedar APIKey entity, whose id is a key value.
var apiKeyEntity = regexp.MustCompile(`\bAPIKey\s*::\s*"`)

// keyEnvironmentsOfPolicies returns the ids of the environments to which
// custom policies naming an APIKey entity are scoped (not "all").
func keyEnvironmentsOfPolicies(pols []client.CustomPolicy) []string {
	var out []string
	for _, p := range pols {
		if p.ScopeType == client.ScopeProdEnv && p.ScopeID != "" && p.ScopeID != spec.ScopeAll && apiKeyEntity.MatchString(p.PolicyStatement) {
			out = append(out, p.ScopeID)
		}
	}
	return out
}

// CedarValidator returns a function that asks the service, through api,
// whether a statement is valid, and returns its messages (none when it
// is); it fits planner.ValidatePolicies.
func CedarValidator(api API) func(ctx context.Context, statement string) ([]string, error) {
	return func(ctx context.Context, statement string) ([]string, error) {
		v, err := api.ValidatePolicy(ctx, statement)
		if err != nil {
			return nil, err
		}
		if v.Valid {
			return nil, nil
		}
		msgs := make([]string, 0, len(v.Errors))
		for _, e := range v.Errors {
			msgs = append(msgs, e.CedarMessage)
		}
		if len(msgs) == 0 {
			msgs = append(msgs, "invalid")
		}
		return msgs, nil
	}
}
