package spec

// Access keys (a product environment's API keys, NOTES.md 2.2) under an
// environment:
//
//	environments:
//	  - cloud_name: acme-prod
//	    access_keys:              # omitted: the environment's keys are not managed
//	      - name: ci              # the natural key within the environment
//	        enabled: true         # omitted: true
//	        dedicated_for: webhooks
//	        max_age: 90d          # rotate when older
//	        retire_after: 7d      # delete the retired key this long after rotation
//	        secret: {file: secrets/acme-prod-ci.env}   # or {command: [argv...]}
//	        previously: [old-ci]  # names the key had: renamed in place
//
// Keys the list does not name are left alone and reported as unmanaged,
// unless `prune: [access_keys]`: then they are deleted (within the
// environments that list access_keys; an environment without the list
// keeps its keys whatever prune says).

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// KindAccessKey is the kind of access keys; a key's Ref name is
// "cloud_name/name" (AccessKeyName).
const KindAccessKey Kind = "access_keys"

// DefaultRetireAfter is how long a rotated-out (retired, disabled) key is
// kept before a later run deletes it, when retire_after is not set.
const DefaultRetireAfter = 7 * 24 * time.Hour

// DedicatedWebhooks is the one value the API allows for dedicated_for.
const DedicatedWebhooks = "webhooks"

// AccessKey is one access key of an environment.
type AccessKey struct {
	Name    string
	Enabled *bool // nil: true
	// DedicatedFor is "webhooks" or empty (not managed: the API never
	// returns it, so it cannot be compared; NOTES.md 2.2).
	DedicatedFor string
	// MaxAge is the age past which the key is rotated; zero never.
	MaxAge time.Duration
	// RetireAfter is how long a retired key is kept (DefaultRetireAfter
	// when zero).
	RetireAfter time.Duration
	// Secret is where a new secret of the key is delivered; nil means the
	// --secrets-dir default (or nowhere, which refuses a create).
	Secret  *SecretSink
	Protect bool
	Pos     Pos
	// Previously lists names the key had within its environment: a live
	// key under one of them is renamed in place.
	Previously []Previous `json:",omitempty"`
}

// SecretSink is where a key's secret goes: a file (written 0600) or a
// command that reads it on stdin. Exactly one is set.
type SecretSink struct {
	File    string   `json:",omitempty"`
	Command []string `json:",omitempty"`
	// Overwrite lets delivery replace a file cldsync did not write.
	Overwrite bool `json:",omitempty"`
	Pos       Pos
}

// AccessKeyName is the natural key of an environment's access key, as Refs
// and api_key principals name it: "cloud_name/name".
func AccessKeyName(cloudName, name string) string { return cloudName + "/" + name }

// EnabledOrDefault is whether the key should be enabled.
func (k *AccessKey) EnabledOrDefault() bool { return orDefault(k.Enabled, true) }

// RetireAfterOrDefault is RetireAfter with its default.
func (k *AccessKey) RetireAfterOrDefault() time.Duration {
	if k.RetireAfter > 0 {
		return k.RetireAfter
	}
	return DefaultRetireAfter
}

// decodeAccessKeys reads an environment's access_keys list. Values of the
// wrong shape were reported by the schema and are skipped.
func (l *loader) decodeAccessKeys(f *file, n *yaml.Node, path string) []AccessKey {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	out := []AccessKey{}
	seen := map[string]Pos{}
	for i, item := range items(n) {
		if item.Kind != yaml.MappingNode {
			continue
		}
		ipath := itemPath(path, i)
		k := AccessKey{Pos: f.pos(item)}
		for _, kv := range fields(item) {
			val := kv[1]
			switch kv[0].Value {
			case "name":
				k.Name, _ = str(val)
				if prev, dup := seen[k.Name]; dup && k.Name != "" {
					l.errorf(f.pos(val), ipath+".name", "duplicate access key %q in this environment; first defined at %s", k.Name, prev)
				} else if k.Name != "" {
					seen[k.Name] = f.pos(val)
				}
			case "enabled":
				k.Enabled = boolean(val)
			case "dedicated_for":
				k.DedicatedFor, _ = str(val)
			case "max_age":
				k.MaxAge = l.decodeAge(f, val, ipath+".max_age")
			case "retire_after":
				k.RetireAfter = l.decodeAge(f, val, ipath+".retire_after")
			case "secret":
				k.Secret = l.decodeSink(f, val, ipath+".secret")
			case "protect":
				k.Protect = orDefault(boolean(val), false)
			case "previously":
				k.Previously = l.decodePreviously(f, val, ipath+".previously", KindAccessKey)
			}
		}
		for _, p := range k.Previously {
			if p.Name == k.Name {
				l.errorf(p.Pos, ipath+".previously", "%q is the key's own name", p.Name)
			}
		}
		out = append(out, k)
	}
	// A previous name must not be another configured key's name, nor be
	// claimed by two keys: either would make the rename ambiguous.
	claimed := map[string]Pos{}
	for i := range out {
		for _, p := range out[i].Previously {
			if at, ok := seen[p.Name]; ok && p.Name != out[i].Name {
				l.errorf(p.Pos, fmt.Sprintf("%s[%d].previously", path, i), "%q is the name of another access key of this environment (at %s)", p.Name, at)
			}
			if at, ok := claimed[p.Name]; ok {
				l.errorf(p.Pos, fmt.Sprintf("%s[%d].previously", path, i), "%q is listed as a previous name by another key too (at %s)", p.Name, at)
			}
			claimed[p.Name] = p.Pos
		}
	}
	return out
}

func (l *loader) decodeSink(f *file, n *yaml.Node, path string) *SecretSink {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	s := &SecretSink{Pos: f.pos(n)}
	for _, kv := range fields(n) {
		val := kv[1]
		switch kv[0].Value {
		case "file":
			s.File, _ = str(val)
		case "command":
			for _, a := range items(val) {
				if v, ok := str(a); ok {
					s.Command = append(s.Command, v)
				}
			}
		case "overwrite":
			s.Overwrite = orDefault(boolean(val), false)
		}
	}
	if (s.File == "") == (len(s.Command) == 0) {
		l.errorf(s.Pos, path, "set exactly one of file and command")
		return nil
	}
	return s
}

// decodeAge reads a duration written as a number and a unit: 90d, 2w, 12h,
// 30m. The schema checks the shape; a value that still does not parse (an
// overflow) is reported here.
func (l *loader) decodeAge(f *file, n *yaml.Node, path string) time.Duration {
	s, ok := str(n)
	if !ok || !ageRE.MatchString(s) {
		return 0 // the schema said so
	}
	d, err := ParseAge(s)
	if err != nil {
		l.errorf(f.pos(n), path, "%v", err)
		return 0
	}
	return d
}

// ageRE is the schema's age pattern.
var ageRE = regexp.MustCompile(`^[1-9][0-9]*[mhdw]$`)

// ParseAge parses an age such as 90d, 2w, 12h or 30m.
func ParseAge(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, fmt.Errorf("invalid age %q: want a number and a unit (m, h, d or w), as 90d", s)
	}
	unit, ok := units[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if !ok || err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid age %q: want a positive number and a unit (m, h, d or w), as 90d", s)
	}
	if time.Duration(n) > (1<<62)/unit {
		return 0, fmt.Errorf("invalid age %q: too long", s)
	}
	return time.Duration(n) * unit, nil
}

// FormatAge writes d as ParseAge reads it, in the largest whole unit.
func FormatAge(d time.Duration) string {
	for _, u := range []struct {
		s string
		d time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}} {
		if d >= u.d && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.s
		}
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// ManagesAccessKeys returns the cloud names whose environments list
// access_keys, in configuration order, each followed by the names it had
// (previously:, since a renamed environment's keys are read under its
// live name): the state reader lists their keys.
func (c *Config) ManagesAccessKeys() []string {
	var out []string
	for _, e := range c.Environments {
		if e.AccessKeys != nil {
			out = append(out, e.CloudName)
			for _, p := range e.Previously {
				out = append(out, p.Name)
			}
		}
	}
	return out
}
