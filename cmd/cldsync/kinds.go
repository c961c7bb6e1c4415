package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// pruneKinds are the kinds --prune (and the configuration's prune:) name.
var pruneKinds = []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup, spec.KindMembership,
	spec.KindAccessKey, spec.KindRole, spec.KindPolicy, spec.KindAssignment}

// checkKinds refuses a kind flag value that is not one of known, with the
// closest known kind as a suggestion ("user" → "users").
func checkKinds(flag string, got []spec.Kind, known []spec.Kind) error {
	for _, k := range got {
		if slices.Contains(known, k) {
			continue
		}
		names := make([]string, len(known))
		for i, k := range known {
			names[i] = string(k)
		}
		hint := ""
		if s := spec.Suggest(string(k), names); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s: unknown kind %q%s; want one of %s", flag, k, hint, strings.Join(names, ", "))
	}
	return nil
}
