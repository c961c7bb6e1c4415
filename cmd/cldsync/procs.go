package main

import (
	"os"
	"runtime"
	"sync"
)

// The read of the live account runs on one P (GOMAXPROCS=1). It spends
// its time waiting for answers: at 10 requests in flight and 50 ms each,
// it needs about 3% of a core. With a second P idle, each answer the
// network poller hands over wakes a second OS thread that finds little or
// nothing to do and goes back to sleep, and that thread hand-off costs
// more CPU than the answer's own work: on the 50k account (29,563
// requests) one P cuts the plan's CPU by about a fifth at the same wall
// time (BENCHMARKS.md). The loader and the planner are single goroutines
// that keep every P for the garbage collector, so the limit is lifted
// when the read ends. A GOMAXPROCS set in the environment is the user's
// choice and is left alone.
var readProcs struct {
	sync.Mutex
	readers int
}

// oneProcWhileReading limits the process to one P until the returned func
// is called. Reads may overlap: the limit holds until the last one ends.
func oneProcWhileReading() (done func()) {
	if os.Getenv("GOMAXPROCS") != "" {
		return func() {}
	}
	readProcs.Lock()
	if readProcs.readers == 0 {
		runtime.GOMAXPROCS(1)
	}
	readProcs.readers++
	readProcs.Unlock()
	return sync.OnceFunc(func() {
		readProcs.Lock()
		defer readProcs.Unlock()
		if readProcs.readers--; readProcs.readers == 0 {
			runtime.SetDefaultGOMAXPROCS()
		}
	})
}
