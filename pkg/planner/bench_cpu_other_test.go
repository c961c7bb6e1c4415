//go:build !unix

package planner

import "time"

// processCPU is not measured here: the cpu-ms/op of the benchmarks read 0.
func processCPU() time.Duration { return 0 }
