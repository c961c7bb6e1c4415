package planner

// Access keys (issue 16): the API keys of the environments whose
// configuration lists access_keys. A key's Ref name is "cloud_name/name".
//
//   - create: generate a key and deliver its secret to its sink (apply);
//     the plan shows where the secret goes, never a secret.
//   - update: enabled, a rename (`previously:`, which keeps the api_key and
//     so its secret and role assignments), dedicated_for (sent on create
//     and with any update; compared when the live key's answer carried it,
//     as the live service's does for a dedicated key; the spec's answer
//     never does, and then it is not compared).
//   - delete: live keys the list does not name, with prune: [access_keys];
//     otherwise they are counted and named as unmanaged.
//   - rotation: a key older than max_age, or named by Options.Rotate, is
//     a Create whose Before is the old key: apply generates the new key
//     under a temporary name, delivers its secret, then disables the old
//     key and renames it "NAME (retired DATE)", then gives the new key
//     its name. A later run deletes a disabled retired key once its
//     retire_after has passed.
//
// Assignments and policies that name a key follow it: a renamed key is
// known under its new name, a rotated one's assignments are planned for the
// new key (which they wait for), and the old key is known under its
// retired name.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// AccessKeyValue is an access key of a product environment. It never
// holds a secret.
type AccessKeyValue struct {
	Environment string // cloud_name
	// EnvironmentID is the live environment's id; empty when the plan
	// creates the environment (apply resolves it by cloud_name).
	EnvironmentID string
	Name          string
	// Key is the API key; empty in a Create's After.
	Key     string
	Enabled bool
	// DedicatedFor is sent when set ("webhooks"). In a Before it is the
	// live value when the answer carried it (model.AccessKey), else empty.
	DedicatedFor string
	// CreatedAt is the live key's creation time; zero in an After.
	CreatedAt time.Time
	// Secret is where a Create delivers the new secret: the key's sink, or
	// a file in Options.SecretsDir. Set only in a Create's After.
	Secret *spec.SecretSink
	// RetiredName is set in the After of a rotation (a Create whose
	// Before is the old key): the name the old key gets once disabled.
	RetiredName string
}

// Ref implements Value.
func (v AccessKeyValue) Ref() Ref {
	return Ref{spec.KindAccessKey, spec.AccessKeyName(v.Environment, v.Name)}
}

func (AccessKeyValue) sealed() {}

// IsRotation reports whether a change rotates an access key.
func (c *Change) IsRotation() bool {
	v, ok := c.After.(AccessKeyValue)
	return ok && c.Action == Create && v.RetiredName != ""
}

// retiredRE matches the name of a rotated-out key: "ci (retired
// 2026-12-01)", or "ci (retired 2026-12-01 2)" for the second that day.
var retiredRE = regexp.MustCompile(`^(.*) \(retired (\d{4}-\d{2}-\d{2})( \d+)?\)$`)

// RetiredName is the name a rotated-out key gets on day now.
func RetiredName(name string, now time.Time) string {
	return name + " (retired " + now.UTC().Format(time.DateOnly) + ")"
}

// keyDiffer plans one Diff's access keys.
type keyDiffer struct {
	*differ
	opts Options
	now  time.Time
	// created are the "cloud/name" of keys this plan creates (rotations
	// included); renamed maps a live "cloud/old" to "cloud/new" (retired
	// names for rotations).
	created map[string]bool
	renamed map[string]string
	// unmanagedKeys names the live keys left alone.
	unmanagedKeys []string
	// taken holds the live key names of the environment being planned.
	taken map[string]*model.AccessKey
}

// accessKeys plans the access keys of every environment that lists them,
// and returns live with its permissions half rewritten (a copy) so that
// assignments and policies follow renames and rotations. It runs after the
// environments.
func (d *differ) accessKeys(desired *spec.Config, live *model.Account, opts Options) *model.Account {
	k := &keyDiffer{differ: d, opts: opts, now: opts.now(), created: map[string]bool{}, renamed: map[string]string{}}
	d.keys = k
	read := map[string]bool{}
	for _, c := range live.AccessKeysRead {
		read[c] = true
	}
	byEnv := map[string][]*model.AccessKey{}
	for i := range live.AccessKeys {
		l := &live.AccessKeys[i]
		byEnv[l.Environment] = append(byEnv[l.Environment], l)
	}
	for i := range desired.Environments {
		e := &desired.Environments[i]
		if e.AccessKeys == nil || d.refused[Ref{spec.KindEnvironment, e.CloudName}] {
			continue
		}
		lenv := d.lEnvs[e.CloudName]
		var lkeys []*model.AccessKey
		if lenv != nil {
			// A renamed environment's keys were read under its old name.
			names := []string{e.CloudName}
			for _, p := range e.Previously {
				names = append(names, p.Name)
			}
			found := false
			for _, n := range names {
				if read[n] {
					found = true
					lkeys = append(lkeys, byEnv[n]...)
				}
			}
			if !found {
				d.errorf(Ref{spec.KindEnvironment, e.CloudName}, "access_keys: the environment's live access keys were not read; refusing to plan them")
				continue
			}
		}
		k.environment(e, lenv, lkeys)
	}
	k.refuseSharedFiles()
	return k.followKeys(live)
}

// environment plans one environment's keys against its live ones.
func (k *keyDiffer) environment(e *spec.Environment, lenv *model.Environment, lkeys []*model.AccessKey) {
	envID := ""
	if lenv != nil {
		envID = lenv.ID
	}
	byName := map[string]*model.AccessKey{}
	k.taken = byName
	ambiguous := map[string]bool{}
	for _, l := range lkeys {
		if byName[l.Name] != nil {
			ambiguous[l.Name] = true
		}
		byName[l.Name] = l
	}
	used := map[*model.AccessKey]bool{}
	for i := range e.AccessKeys {
		dk := &e.AccessKeys[i]
		ref := Ref{spec.KindAccessKey, spec.AccessKeyName(e.CloudName, dk.Name)}
		if ambiguous[dk.Name] {
			k.errorf(ref, "%d live access keys have this name; refusing to plan it until all but one are renamed or deleted", countNamed(lkeys, dk.Name))
			k.refused[ref] = true
			continue
		}
		l := byName[dk.Name]
		if l == nil {
			for _, p := range dk.Previously {
				if ambiguous[p.Name] {
					k.errorf(ref, "previously: %d live access keys are named %q; refusing to rename one", countNamed(lkeys, p.Name), p.Name)
					k.refused[ref] = true
					break
				}
				if l = byName[p.Name]; l != nil {
					break
				}
			}
			if k.refused[ref] {
				continue
			}
		}
		if l != nil {
			used[l] = true
		}
		k.key(e, envID, dk, l)
	}
	for _, l := range lkeys {
		if used[l] || ambiguous[l.Name] && slices.ContainsFunc(e.AccessKeys, func(dk spec.AccessKey) bool { return dk.Name == l.Name }) {
			continue
		}
		k.unlisted(e, envID, l)
	}
}

func countNamed(keys []*model.AccessKey, name string) int {
	n := 0
	for _, l := range keys {
		if l.Name == name {
			n++
		}
	}
	return n
}

func liveAccessKey(envID string, env string, l *model.AccessKey) AccessKeyValue {
	return AccessKeyValue{Environment: env, EnvironmentID: envID, Name: l.Name, Key: l.Key, Enabled: l.Enabled, CreatedAt: l.CreatedAt,
		DedicatedFor: l.DedicatedFor}
}

// sink is where a new secret of dk goes: its own sink, else a file in
// Options.SecretsDir; nil when neither says.
func (k *keyDiffer) sink(env string, dk *spec.AccessKey) *spec.SecretSink {
	if dk.Secret != nil {
		s := *dk.Secret
		return &s
	}
	if k.opts.SecretsDir == "" {
		return nil
	}
	return &spec.SecretSink{File: DefaultSecretFile(k.opts.SecretsDir, env, dk.Name)}
}

// DefaultSecretFile is the file in dir that receives the secret of a key
// that names no sink: "CLOUD_NAME-NAME.env", unsafe characters as "_".
func DefaultSecretFile(dir, env, name string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, env+"-"+name)
	return strings.TrimSuffix(dir, "/") + "/" + clean + ".env"
}

// SinkString describes a sink for the plan: "file secrets/ci.env" or
// "command gh secret set X". It is configuration, never a secret.
func SinkString(s *spec.SecretSink) string {
	if s == nil {
		return "nowhere"
	}
	if s.File != "" {
		return "file " + s.File
	}
	return "command " + strings.Join(s.Command, " ")
}

// key plans one configured key; l is its live key (nil: none).
func (k *keyDiffer) key(e *spec.Environment, envID string, dk *spec.AccessKey, l *model.AccessKey) {
	ref := Ref{spec.KindAccessKey, spec.AccessKeyName(e.CloudName, dk.Name)}
	name := spec.AccessKeyName(e.CloudName, dk.Name)
	rotate, why := false, ""
	if l != nil {
		age := k.now.Sub(l.CreatedAt)
		switch {
		case slices.Contains(k.opts.Rotate, name):
			rotate, why = true, "rotation asked for with --rotate"
		case dk.MaxAge > 0 && dk.EnabledOrDefault() && !l.CreatedAt.IsZero() && age > dk.MaxAge:
			rotate, why = true, fmt.Sprintf("rotation: the key is %s old, older than max_age %s", ageString(age), spec.FormatAge(dk.MaxAge))
		}
	}
	if l == nil || rotate {
		after := AccessKeyValue{Environment: e.CloudName, EnvironmentID: envID, Name: dk.Name, Enabled: dk.EnabledOrDefault(),
			DedicatedFor: dk.DedicatedFor, Secret: k.sink(e.CloudName, dk)}
		if after.Secret == nil {
			k.errorf(ref, "nowhere to deliver the new key's secret: set secret: {file: PATH} or {command: [...]}, or pass --secrets-dir DIR")
			return
		}
		c := Change{Action: Create, Ref: ref, Reason: "not in the account"}
		if envID == "" {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindEnvironment, e.CloudName})
		}
		c.Fields = append(c.Fields, FieldDiff{Name: "enabled", New: strconv.FormatBool(after.Enabled)})
		if after.DedicatedFor != "" {
			c.Fields = append(c.Fields, FieldDiff{Name: "dedicated_for", New: quote(after.DedicatedFor)})
		}
		c.Fields = append(c.Fields, FieldDiff{Name: "secret", New: SinkString(after.Secret)})
		if rotate {
			before := liveAccessKey(envID, e.CloudName, l)
			after.RetiredName = RetiredName(dk.Name, k.now)
			// Names are unique in an environment: a second rotation the
			// same day numbers the retired name.
			for n := 2; k.taken[after.RetiredName] != nil; n++ {
				after.RetiredName = fmt.Sprintf("%s (retired %s %d)", dk.Name, k.now.UTC().Format(time.DateOnly), n)
			}
			c.Before = before
			c.Reason = why
			retireAt := k.now.Add(dk.RetireAfterOrDefault())
			c.Notes = append(c.Notes, why,
				fmt.Sprintf("step 1: generate a new key (named %q until step 3) and deliver its secret to %s", after.TempName(), SinkString(after.Secret)),
				fmt.Sprintf("step 2: only once the secret is delivered, disable the old key %s and rename it %q", l.Key, after.RetiredName),
				fmt.Sprintf("step 3: name the new key %q; assignments naming %s move to it", dk.Name, name),
				fmt.Sprintf("next: the old key is deleted by a run on or after %s (retire_after %s)", retireAt.UTC().Format(time.DateOnly), spec.FormatAge(dk.RetireAfterOrDefault())))
			k.renamed[spec.AccessKeyName(e.CloudName, l.Name)] = spec.AccessKeyName(e.CloudName, after.RetiredName)
		} else {
			c.Notes = append(c.Notes, "the new secret is delivered to "+SinkString(after.Secret)+", never shown")
		}
		c.After = after
		k.created[name] = true
		k.add(c)
		return
	}
	before := liveAccessKey(envID, e.CloudName, l)
	after := before
	after.CreatedAt = time.Time{}
	var fields []FieldDiff
	if l.Name != dk.Name {
		fields = append(fields, FieldDiff{Name: "name", Old: quote(l.Name), New: quote(dk.Name)})
		after.Name = dk.Name
		k.renamed[spec.AccessKeyName(e.CloudName, l.Name)] = name
	}
	if want := dk.EnabledOrDefault(); want != l.Enabled {
		fields = append(fields, FieldDiff{Name: "enabled", Old: strconv.FormatBool(l.Enabled), New: strconv.FormatBool(want)})
		after.Enabled = want
	}
	if l.DedicatedForKnown && l.DedicatedFor != dk.DedicatedFor {
		fields = append(fields, FieldDiff{Name: "dedicated_for", Old: quote(l.DedicatedFor), New: quote(dk.DedicatedFor)})
	}
	if len(fields) == 0 {
		if dk.MaxAge > 0 && dk.EnabledOrDefault() && !l.CreatedAt.IsZero() {
			due := l.CreatedAt.Add(dk.MaxAge)
			k.warnf("access key %s: next rotation due on %s (max_age %s)", name, due.UTC().Format(time.DateOnly), spec.FormatAge(dk.MaxAge))
		}
		return
	}
	after.DedicatedFor = dk.DedicatedFor
	c := Change{Action: Update, Ref: ref, Before: before, After: after, Fields: fields, Reason: "differs from the configuration",
		Notes: []string{"api_key " + l.Key}}
	if l.Name != dk.Name {
		c.Reason = "renamed (previously: " + l.Name + "); the key and its secret stay the same"
	}
	switch {
	case l.DedicatedForKnown:
	case after.DedicatedFor != "":
		c.Notes = append(c.Notes, "dedicated_for is sent again: the live answer did not carry it, so it is not compared")
	default:
		c.Notes = append(c.Notes, "the live answer did not carry dedicated_for, and this PUT resets it unless the configuration sets it")
	}
	k.add(c)
}

// unlisted plans a live key the configuration does not name: a retired
// key is deleted once due; others are deleted when access keys are pruned,
// and otherwise left alone, counted and named.
func (k *keyDiffer) unlisted(e *spec.Environment, envID string, l *model.AccessKey) {
	name := spec.AccessKeyName(e.CloudName, l.Name)
	ref := Ref{spec.KindAccessKey, name}
	if k.isIgnored(spec.KindAccessKey, name) {
		return
	}
	if m := retiredRE.FindStringSubmatch(l.Name); m != nil && !l.Enabled {
		retireAfter := spec.DefaultRetireAfter
		for i := range e.AccessKeys {
			if e.AccessKeys[i].Name == m[1] {
				retireAfter = e.AccessKeys[i].RetireAfterOrDefault()
			}
		}
		day, err := time.Parse(time.DateOnly, m[2])
		if err == nil {
			due := day.Add(retireAfter)
			if k.now.Before(due) {
				k.warnf("access key %s: retired, deleted by a run on or after %s (retire_after %s)", name, due.Format(time.DateOnly), spec.FormatAge(retireAfter))
				return
			}
			if !k.canDelete(spec.KindAccessKey) {
				return
			}
			k.add(Change{Action: Delete, Ref: ref, Before: liveAccessKey(envID, e.CloudName, l),
				Reason: fmt.Sprintf("retired on %s and disabled since; retire_after %s has passed", m[2], spec.FormatAge(retireAfter)),
				Notes:  []string{"api_key " + l.Key}})
			return
		}
	}
	if !k.prune[spec.KindAccessKey] || !k.canDelete(spec.KindAccessKey) {
		k.plan.addUnmanaged(spec.KindAccessKey, name)
		k.unmanagedKeys = append(k.unmanagedKeys, name)
		return
	}
	k.add(Change{Action: Delete, Ref: ref, Before: liveAccessKey(envID, e.CloudName, l),
		Reason: "not in the configuration, and access keys are pruned", Notes: []string{"api_key " + l.Key}})
}

// ageString writes a duration in whole days, or hours below a day.
func ageString(d time.Duration) string {
	if d >= 24*time.Hour {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return strconv.Itoa(int(d/time.Hour)) + " hours"
}

// followKeys rewrites the live permissions half (a copy, renameLive's) so
// that what names a key follows this plan: a renamed key is known by its
// new name, a rotated-out key by its retired name. A key this plan creates
// is resolved by keyCreated as pending.
func (k *keyDiffer) followKeys(live *model.Account) *model.Account {
	if len(k.unmanagedKeys) > 0 {
		slices.Sort(k.unmanagedKeys)
		k.warnf("access keys: %d not in the configuration, left alone: %s", len(k.unmanagedKeys), strings.Join(k.unmanagedKeys, ", "))
	}
	if live.Permissions == nil || len(k.renamed) == 0 {
		return live
	}
	v := *live
	p := *live.Permissions
	v.Permissions = &p
	p.APIKeys = slices.Clone(p.APIKeys)
	for i := range p.APIKeys {
		a := &p.APIKeys[i]
		if to, ok := k.renamed[spec.AccessKeyName(a.Environment, a.Name)]; ok {
			_, a.Name = spec.SplitAPIKey(to)
		}
	}
	p.Assignments = slices.Clone(p.Assignments)
	for i := range p.Assignments {
		a := &p.Assignments[i]
		if a.Principal.Kind != spec.PrincipalAPIKey {
			continue
		}
		if to, ok := k.renamed[a.Principal.Name]; ok {
			a.Principal.Name = to
		}
	}
	return &v
}

// keyCreated reports whether this plan creates (or rotates in) the key
// named "cloud/name", so that what names it waits for that change.
func (d *differ) keyCreated(name string) bool {
	return d.keys != nil && d.keys.created[name] && !d.refused[Ref{spec.KindAccessKey, name}]
}

// TempName is the name a rotation's new key has until the old key has
// given up the name: "NAME (new DATE)", DATE the rotation's.
func (v AccessKeyValue) TempName() string {
	if m := retiredRE.FindStringSubmatch(v.RetiredName); m != nil {
		return v.Name + " (new " + m[2] + m[3] + ")"
	}
	return v.Name + " (new)"
}
