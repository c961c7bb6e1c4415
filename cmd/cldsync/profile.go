package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $CLDSYNC_CPUPROFILE and a heap
// profile to $CLDSYNC_MEMPROFILE when they are set. They are for
// developers measuring the CLI as its own process (BENCHMARKS.md), where
// `go test -cpuprofile` cannot reach; users never need them. The returned
// func stops and writes them.
func startProfiles(stderr io.Writer) func() {
	cpuPath, memPath := os.Getenv("CLDSYNC_CPUPROFILE"), os.Getenv("CLDSYNC_MEMPROFILE")
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "cpu profile: %v\n", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			_ = cpu.Close()
		}
		if memPath == "" {
			return
		}
		f, err := os.Create(memPath)
		if err != nil {
			fmt.Fprintf(stderr, "heap profile: %v\n", err)
			return
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(stderr, "heap profile: %v\n", err)
		}
	}
}
