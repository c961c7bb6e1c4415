package planner

// The deterministic apply order of a plan's changes (see the package documentation).

import (
	"fmt"
	"slices"
	"strings"
)

// order sorts changes (creates and updates by kind then name, then deletes
// in reverse kind order) and then moves each change after its dependencies.
func order(changes []Change) ([]Change, error) {
	slices.SortFunc(changes, compareChanges)
	pos := make(map[Ref]int, len(changes))
	for i, c := range changes {
		pos[c.Ref] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	mark := make([]uint8, len(changes))
	out := make([]Change, 0, len(changes))
	var visit func(i int) error
	visit = func(i int) error {
		switch mark[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("dependency cycle through %s", changes[i].Ref)
		}
		mark[i] = visiting
		for _, dep := range changes[i].DependsOn {
			j, ok := pos[dep]
			if !ok {
				return fmt.Errorf("%s depends on %s, which is not in the plan", changes[i].Ref, dep)
			}
			if err := visit(j); err != nil {
				return err
			}
		}
		mark[i] = done
		out = append(out, changes[i])
		return nil
	}
	for i := range changes {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compareChanges(a, b Change) int {
	pa, pb := a.Action == Delete, b.Action == Delete
	if pa != pb {
		if pa {
			return 1
		}
		return -1
	}
	ra, rb := kindRank(a.Ref.Kind), kindRank(b.Ref.Kind)
	if ra != rb {
		if pa { // deletes: dependents first
			return rb - ra
		}
		return ra - rb
	}
	return strings.Compare(a.Ref.Name, b.Ref.Name)
}

func compareRefs(a, b Ref) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}
