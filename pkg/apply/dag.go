package apply

import (
	"context"
	"fmt"

	"github.com/sourcegraph/conc/pool"
)

// task is one node of the DAG.
type task struct {
	id   string
	deps []string
	run  func(ctx context.Context) error
	// skip, when set, is why the task must not run: it is skipped, and so
	// is everything that depends on it.
	skip string
}

// Outcome is what became of one change.
type Outcome int

const (
	_ Outcome = iota // the zero value is invalid
	Applied
	Failed
	Skipped
)

func (o Outcome) String() string {
	switch o {
	case Applied:
		return "applied"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// result is the outcome of one task.
type result struct {
	id      string
	outcome Outcome
	err     error  // for Failed
	reason  string // for Skipped
}

// runDAG runs tasks in dependency order, at most parallelism at a time, and
// returns one result per task in the order of tasks. It stops starting new
// tasks when stop is done (the first Ctrl-C), but tasks already running go
// on under work, a context that stop does not cancel, so that no request
// is cut off half way. Dependencies must name tasks in the list and form
// no cycle; a task whose dependency failed or was skipped is skipped.
func runDAG(stop, work context.Context, tasks []task, parallelism int, started func(id string), finished func(result)) []result {
	if parallelism < 1 {
		parallelism = 1
	}
	index := make(map[string]int, len(tasks))
	for i, t := range tasks {
		index[t.id] = i
	}
	waiting := make([]int, len(tasks)) // unfinished dependencies
	dependents := make([][]int, len(tasks))
	for i, t := range tasks {
		for _, d := range t.deps {
			j, ok := index[d]
			if !ok {
				panic(fmt.Sprintf("apply: task %s depends on unknown task %s", t.id, d))
			}
			waiting[i]++
			dependents[j] = append(dependents[j], i)
		}
	}
	results := make([]result, len(tasks))
	done := make([]bool, len(tasks))
	var ready []int
	for i := range tasks {
		if waiting[i] == 0 && tasks[i].skip == "" {
			ready = append(ready, i)
		}
	}

	finish := func(i int, r result) {
		results[i], done[i] = r, true
		if finished != nil {
			finished(r)
		}
	}
	// skip marks i and, transitively, everything depending on it skipped.
	var skip func(i int, reason string)
	skip = func(i int, reason string) {
		if done[i] {
			return
		}
		finish(i, result{id: tasks[i].id, outcome: Skipped, reason: reason})
		for _, d := range dependents[i] {
			skip(d, fmt.Sprintf("depends on %s, which was skipped", tasks[i].id))
		}
	}
	for i, t := range tasks {
		if t.skip != "" {
			skip(i, t.skip)
		}
	}

	completed := make(chan struct {
		i   int
		err error
	}, len(tasks))
	p := pool.New().WithMaxGoroutines(parallelism)
	running := 0
	for len(ready) > 0 || running > 0 {
		for len(ready) > 0 && running < parallelism && stop.Err() == nil {
			i := ready[0]
			ready = ready[1:]
			running++
			if started != nil {
				started(tasks[i].id)
			}
			p.Go(func() {
				// A panic in one change fails that change: conc would
				// re-raise it only from Wait, which this loop never reaches
				// while it waits for the change to complete.
				var err error
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("internal error (panic): %v", r)
					}
					completed <- struct {
						i   int
						err error
					}{i, err}
				}()
				err = tasks[i].run(work)
			})
		}
		if running == 0 {
			break // stopped with work left: skipped below
		}
		c := <-completed
		running--
		if c.err != nil {
			finish(c.i, result{id: tasks[c.i].id, outcome: Failed, err: c.err})
			for _, d := range dependents[c.i] {
				skip(d, fmt.Sprintf("depends on %s, which failed", tasks[c.i].id))
			}
			continue
		}
		finish(c.i, result{id: tasks[c.i].id, outcome: Applied})
		for _, d := range dependents[c.i] {
			if waiting[d]--; waiting[d] == 0 && !done[d] {
				ready = append(ready, d)
			}
		}
	}
	p.Wait()
	for i := range tasks {
		if !done[i] {
			skip(i, "not started: apply was interrupted")
		}
	}
	return results
}
