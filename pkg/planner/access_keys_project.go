package planner

import (
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// renameKey projects what an access key's rename, or a rotation (which
// renames the old key "NAME (retired DATE)"), does to the names that
// refer to the key: the permissions half's API keys and the assignments
// of apiKey principals, which stay with the key's value. The key itself
// moves in addKey.
func (p *projection) renameKey(c *Change) {
	b, okB := c.Before.(AccessKeyValue)
	a, okA := c.After.(AccessKeyValue)
	if !okB || !okA {
		return
	}
	to := a.Name
	switch {
	case c.IsRotation():
		to = a.RetiredName
	case c.Action != Update || a.Name == b.Name:
		return
	}
	from, toName := b.Ref().Name, spec.AccessKeyName(b.Environment, to)
	if p.perms {
		for i, k := range p.apiKeys {
			if k.Environment == b.Environment && k.Name == b.Name {
				p.apiKeys[i].Name = to
			}
		}
	}
	p.rekeyAssignments(func(as *model.Assignment) bool {
		if as.Principal.Kind != spec.PrincipalAPIKey || as.Principal.Name != from {
			return false
		}
		as.Principal.Name = toName
		return true
	})
}
