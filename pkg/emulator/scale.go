package emulator

// The scale fixture: a large, realistic account generated deterministically
// from a handful of counts, for benchmarks and for trying cldsync on
// something the size of a platform team's account.
//
// The account is built as a Seed and loaded through the ordinary seed path
// (Emulator.Seed), so every rule a seed or the API enforces applies to it.
// Its shape, with n the count of each kind:
//
//   - environments: cloud_name env-000…, one named access key each ("main",
//     api_key 1000000000NNNNN); one in ten is disabled.
//   - users: user-00000@scale.example.com…; roles drawn with weights (75%
//     media_library_user, 12% media_library_admin, 5% technical_admin, 4%
//     admin, 2% reports, 1% billing, 1% master_admin); of the users who are
//     not master_admin, 25% may access every environment, 70% one to three
//     of them and 5% none. 5% are pending, 2% disabled.
//   - groups: group-0000…, each with 1 to 39 distinct members (about 20 on
//     average).
//   - roles: custom-role-0000…, in turn account/global, prodenv/global
//     (twice) and prodenv/content, each with a random non-empty subset of
//     the system policies that fit its types.
//   - policies: custom Cedar policies that let one environment's API key
//     read one folder; 20% account scope, 10% scope "all", the rest spread
//     over the environments.
//   - assignments: 80% to users, 20% to groups; half system roles, half
//     custom ones; prodenv roles to one environment (10% to "all"), content
//     roles for one folder. Every assignment is a distinct tuple.
//
// Generate is pure: the same options give the same Seed, byte for byte.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// GenerateOptions size a generated account. Zero counts generate nothing of
// that kind. Seed picks the pseudo-random draws (the same Seed, the same
// account).
type GenerateOptions struct {
	Users        int
	Groups       int
	Environments int
	Roles        int
	Policies     int
	Assignments  int
	Seed         uint64
}

// generateKeys are the keys of ParseGenerateOptions, in order.
var generateKeys = []string{"users", "groups", "environments", "roles", "policies", "assignments", "seed"}

// ParseGenerateOptions reads "users=5000,groups=200,environments=50,
// roles=100,policies=200,assignments=5000" (any subset, any order; also
// seed=N), the form of `cldsync emulator --generate`.
func ParseGenerateOptions(s string) (GenerateOptions, error) {
	var o GenerateOptions
	fields := map[string]*int{
		"users": &o.Users, "groups": &o.Groups, "environments": &o.Environments,
		"roles": &o.Roles, "policies": &o.Policies, "assignments": &o.Assignments,
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok {
			return GenerateOptions{}, fmt.Errorf("%q: want key=count, keys %s", part, strings.Join(generateKeys, ", "))
		}
		if seen[k] {
			return GenerateOptions{}, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		v = strings.TrimSpace(v)
		if k == "seed" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return GenerateOptions{}, fmt.Errorf("seed %q: not a non-negative integer", v)
			}
			o.Seed = n
			continue
		}
		p, known := fields[k]
		if !known {
			return GenerateOptions{}, fmt.Errorf("unknown key %q, want one of %s", k, strings.Join(generateKeys, ", "))
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return GenerateOptions{}, fmt.Errorf("%s=%s: not a non-negative integer", k, v)
		}
		*p = n
	}
	return o, o.validate()
}

// String returns the options in ParseGenerateOptions' form.
func (o GenerateOptions) String() string {
	return fmt.Sprintf("users=%d,groups=%d,environments=%d,roles=%d,policies=%d,assignments=%d,seed=%d",
		o.Users, o.Groups, o.Environments, o.Roles, o.Policies, o.Assignments, o.Seed)
}

// maxGenerate bounds each count, so that a typo cannot exhaust memory.
const maxGenerate = 1_000_000

func (o GenerateOptions) validate() error {
	for _, c := range []struct {
		name string
		n    int
	}{{"users", o.Users}, {"groups", o.Groups}, {"environments", o.Environments}, {"roles", o.Roles}, {"policies", o.Policies}, {"assignments", o.Assignments}} {
		if c.n < 0 || c.n > maxGenerate {
			return fmt.Errorf("%s=%d: want 0 to %d", c.name, c.n, maxGenerate)
		}
	}
	if o.Environments > 99_999 {
		return fmt.Errorf("environments=%d: at most 99999 (one access key each)", o.Environments)
	}
	if o.Assignments > 0 && o.Users+o.Groups == 0 {
		return errors.New("assignments need users or groups to assign roles to")
	}
	return nil
}

// Generate builds the seed of a large account of the given size (see the
// top of scale.go for its shape). Load it with Emulator.Seed, or use
// Emulator.Generate.
func Generate(o GenerateOptions) (Seed, error) {
	if err := o.validate(); err != nil {
		return Seed{}, fmt.Errorf("generate: %w", err)
	}
	g := &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5ca1ab1e))}
	var (
		s   Seed
		err error
	)
	s.Environments = g.environments()
	s.Users = g.users()
	s.Groups = g.groups(s.Users)
	s.Roles = g.roles()
	s.Policies = g.policies(s.Environments)
	s.Assignments, err = g.assignments(s.Users, s.Groups, s.Roles, s.Environments)
	if err != nil {
		return Seed{}, fmt.Errorf("generate: %w", err)
	}
	return s, nil
}

// Generate seeds the emulator with Generate(o).
func (e *Emulator) Generate(o GenerateOptions) error {
	s, err := Generate(o)
	if err != nil {
		return err
	}
	return e.Seed(s)
}

type generator struct {
	o   GenerateOptions
	rng *rand.Rand
}

// width is the number of digits that numbers below n need (at least min).
func width(n, minimum int) int { return max(minimum, len(strconv.Itoa(max(n-1, 0)))) }

// GeneratedCloudName, GeneratedEmail and GeneratedGroupName are the natural
// keys Generate gives the i-th environment, user and group of an account
// with n of them.
func GeneratedCloudName(i, n int) string { return fmt.Sprintf("env-%0*d", width(n, 3), i) }

// GeneratedEmail is the email of Generate's i-th user of n.
func GeneratedEmail(i, n int) string {
	return fmt.Sprintf("user-%0*d@scale.example.com", width(n, 5), i)
}

// GeneratedGroupName is the name of Generate's i-th group of n.
func GeneratedGroupName(i, n int) string { return fmt.Sprintf("group-%0*d", width(n, 4), i) }

func (g *generator) environments() []SeedEnvironment {
	out := make([]SeedEnvironment, g.o.Environments)
	for i := range out {
		enabled := i%10 != 9
		out[i] = SeedEnvironment{
			CloudName:  GeneratedCloudName(i, g.o.Environments),
			Name:       fmt.Sprintf("Environment %d", i),
			Enabled:    &enabled,
			AccessKeys: []SeedAccessKey{{Name: "main", APIKey: fmt.Sprintf("1000000000%05d", i)}},
		}
	}
	return out
}

// pick draws an index by integer weights.
func (g *generator) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := g.rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

var (
	generatedRoles   = []string{"media_library_user", "media_library_admin", "technical_admin", "admin", "reports", "billing", "master_admin"}
	generatedWeights = []int{75, 12, 5, 4, 2, 1, 1}
)

// sample returns k distinct numbers below n, in increasing order.
func (g *generator) sample(n, k int) []int {
	k = min(k, n)
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for len(out) < k {
		i := g.rng.IntN(n)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

func (g *generator) users() []SeedUser {
	out := make([]SeedUser, g.o.Users)
	for i := range out {
		u := SeedUser{
			Email: GeneratedEmail(i, g.o.Users),
			Name:  fmt.Sprintf("User %d", i),
			Role:  generatedRoles[g.pick(generatedWeights)],
		}
		switch r := g.rng.IntN(100); {
		case r < 5:
			u.Pending = true
		case r < 7:
			f := false
			u.Enabled = &f
		}
		if u.Role != "master_admin" {
			switch r := g.rng.IntN(100); {
			case r < 25:
				// Environments nil: every environment.
			case r < 95 && g.o.Environments > 0:
				for _, e := range g.sample(g.o.Environments, 1+g.rng.IntN(3)) {
					u.Environments = append(u.Environments, GeneratedCloudName(e, g.o.Environments))
				}
			default:
				u.Environments = []string{}
			}
		}
		out[i] = u
	}
	return out
}

func (g *generator) groups(users []SeedUser) []SeedGroup {
	out := make([]SeedGroup, g.o.Groups)
	for i := range out {
		out[i] = SeedGroup{Name: GeneratedGroupName(i, g.o.Groups)}
		if len(users) == 0 {
			continue
		}
		for _, m := range g.sample(len(users), 1+g.rng.IntN(39)) {
			out[i].Members = append(out[i].Members, users[m].Email)
		}
	}
	return out
}

// rolePolicies are the system policies a custom role of these types may
// hold, from the catalog, in catalog order.
func rolePolicies(permissionType, scopeType string) []string {
	var out []string
	for _, p := range theCatalog().policies {
		if p.PermissionType == permissionType && p.ScopeType == scopeType {
			out = append(out, p.ID)
		}
	}
	return out
}

func (g *generator) roles() []SeedRole {
	kinds := []struct{ permission, scope string }{
		{"global", "account"}, {"global", "prodenv"}, {"global", "prodenv"}, {"content", "prodenv"},
	}
	out := make([]SeedRole, g.o.Roles)
	for i := range out {
		k := kinds[i%len(kinds)]
		pols := rolePolicies(k.permission, k.scope)
		var ids []string
		for _, j := range g.sample(len(pols), 1+g.rng.IntN(len(pols))) {
			ids = append(ids, pols[j])
		}
		out[i] = SeedRole{
			ID:              fmt.Sprintf("custom-role-%0*d", width(g.o.Roles, 4), i),
			Name:            fmt.Sprintf("Custom role %d", i),
			Description:     fmt.Sprintf("Generated %s %s role", k.scope, k.permission),
			PermissionType:  k.permission,
			ScopeType:       k.scope,
			SystemPolicyIDs: ids,
		}
	}
	return out
}

// folderID is a made-up external folder id; distinct n give distinct ids.
func folderID(n int) string { return fmt.Sprintf("f%011x", n) }

func (g *generator) policies(envs []SeedEnvironment) []SeedPolicy {
	out := make([]SeedPolicy, g.o.Policies)
	for i := range out {
		p := SeedPolicy{Name: fmt.Sprintf("policy-%0*d", width(g.o.Policies, 4), i), ScopeType: "prodenv"}
		principal := "principal is Cloudinary::User"
		if len(envs) > 0 {
			e := envs[g.rng.IntN(len(envs))]
			principal = fmt.Sprintf("principal == Cloudinary::APIKey::%q", e.AccessKeys[0].APIKey)
			p.Scope = e.CloudName
		}
		switch r := g.rng.IntN(10); {
		case r < 2 || len(envs) == 0:
			p.ScopeType, p.Scope = "account", ""
		case r < 3:
			p.Scope = "all"
		}
		if i%7 == 6 {
			f := false
			p.Enabled = &f
		}
		// The folder makes every statement distinct, so none is a
		// duplicate in its scope (409).
		p.PolicyStatement = fmt.Sprintf("permit(%s, action == Cloudinary::Action::\"read\", resource is Cloudinary::Folder) when { resource.ancestor_ids.contains(%q) };",
			principal, folderID(i))
		p.Description = "Generated: one API key may read one folder"
		out[i] = p
	}
	return out
}

// generatedSystemRoles are the catalog's system roles, with their types.
func generatedSystemRoles() []SeedRole {
	var out []SeedRole
	for _, r := range theCatalog().roles {
		out = append(out, SeedRole{ID: r.ID, PermissionType: r.PermissionType, ScopeType: r.ScopeType})
	}
	return out
}

func (g *generator) assignments(users []SeedUser, groups []SeedGroup, custom []SeedRole, envs []SeedEnvironment) ([]SeedAssignment, error) {
	if g.o.Assignments == 0 {
		return nil, nil
	}
	var roles []SeedRole
	for _, r := range generatedSystemRoles() {
		// A prodenv role needs an environment to be assigned in.
		if r.ScopeType == "account" || len(envs) > 0 {
			roles = append(roles, r)
		}
	}
	var customOK []SeedRole
	for _, r := range custom {
		if r.ScopeType == "account" || len(envs) > 0 {
			customOK = append(customOK, r)
		}
	}
	seen := make(map[string]bool, g.o.Assignments)
	out := make([]SeedAssignment, 0, g.o.Assignments)
	// A small account has few distinct tuples: give up rather than loop.
	maxDraws := 100*g.o.Assignments + 1000
	for folder := 0; len(out) < g.o.Assignments; folder++ {
		if folder == maxDraws {
			return nil, fmt.Errorf("assignments=%d: only %d distinct assignments found in this account; add users, groups, environments or roles", g.o.Assignments, len(out))
		}
		var a SeedAssignment
		if len(groups) == 0 || (len(users) > 0 && g.rng.IntN(100) < 80) {
			a.PrincipalType, a.Principal = "user", users[g.rng.IntN(len(users))].Email
		} else {
			a.PrincipalType, a.Principal = "group", groups[g.rng.IntN(len(groups))].Name
		}
		r := roles[g.rng.IntN(len(roles))]
		if len(customOK) > 0 && g.rng.IntN(2) == 0 {
			r = customOK[g.rng.IntN(len(customOK))]
		}
		a.RoleID = r.ID
		if r.ScopeType == "prodenv" {
			a.Scope = envs[g.rng.IntN(len(envs))].CloudName
			if g.rng.IntN(10) == 0 {
				a.Scope = "all"
			}
		}
		if r.PermissionType == "content" {
			a.PolicyParameters = map[string]string{"folder_id": folderID(folder)}
		}
		key := fmt.Sprint(a.PrincipalType, "\x00", a.Principal, "\x00", a.RoleID, "\x00", a.Scope, "\x00", a.PolicyParameters["folder_id"])
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a)
	}
	return out, nil
}
