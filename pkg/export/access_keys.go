package export

import (
	"regexp"
	"slices"

	"github.com/cldsync/cldsync/pkg/state"
)

// accessKey is an environment's access key as configuration: its name and
// status, and dedicated_for when the live answer carried it (the live
// service's does for a dedicated key; the spec's never does, and then it
// is not written). Never a secret, nor a secret: sink (where secrets go
// is the reader's choice; keys that exist need none until they are
// rotated).
type accessKey struct {
	Name         string `yaml:"name"`
	Enabled      *bool  `yaml:"enabled,omitempty"` // written only when false
	DedicatedFor string `yaml:"dedicated_for,omitempty"`
}

// retiredName matches a key cldsync rotated out (planner.RetiredName):
// it is left out, so that the planner keeps treating it as retired and
// deletes it when due.
var retiredName = regexp.MustCompile(`^.* \(retired \d{4}-\d{2}-\d{2}(?: \d+)?\)$`)

// accessKeys returns the exportable keys of environment cloud, sorted by
// name: keys without a name cannot be configured and keys sharing a name
// would be ambiguous, so both are left out (plan names them unmanaged
// and refuses the ambiguous ones). An environment with no exportable key
// writes no access_keys, leaving its keys unmanaged.
func accessKeys(acc *state.Account, cloud string) []accessKey {
	count := map[string]int{}
	for _, k := range acc.AccessKeys {
		if k.Environment == cloud {
			count[k.Name]++
		}
	}
	var out []accessKey
	for _, k := range acc.AccessKeys {
		if k.Environment != cloud || k.Name == "" || count[k.Name] > 1 || retiredName.MatchString(k.Name) {
			continue
		}
		ak := accessKey{Name: k.Name, Enabled: falseOrNil(k.Enabled)}
		if k.DedicatedForKnown {
			ak.DedicatedFor = k.DedicatedFor
		}
		out = append(out, ak)
	}
	slices.SortFunc(out, func(a, b accessKey) int { return cmpString(a.Name, b.Name) })
	return out
}
