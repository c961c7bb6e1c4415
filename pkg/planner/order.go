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

// Unmet splits changes into those that can run and those that cannot: a
// change that depends on a change absent from the set (dropped as stale,
// or edited out of a saved plan) cannot run, nor can, in turn, what
// depends on it. Both keep the order of changes.
func Unmet(changes []Change) (runnable, unmet []Change) {
	present := map[Ref]bool{}
	for _, c := range changes {
		present[c.Ref] = true
	}
	dependents := map[Ref][]Ref{} // a ref → the refs of the changes that depend on it
	var gone []Ref
	for _, c := range changes {
		for _, r := range c.DependsOn {
			dependents[r] = append(dependents[r], c.Ref)
			if !present[r] {
				gone = append(gone, r)
			}
		}
	}
	// Walk from the missing refs to everything that depends on them, once.
	cannot := map[Ref]bool{}
	for len(gone) > 0 {
		r := gone[len(gone)-1]
		gone = gone[:len(gone)-1]
		for _, d := range dependents[r] {
			if !cannot[d] {
				cannot[d] = true
				gone = append(gone, d)
			}
		}
	}
	for _, c := range changes {
		if cannot[c.Ref] {
			unmet = append(unmet, c)
		} else {
			runnable = append(runnable, c)
		}
	}
	return runnable, unmet
}
