//go:build unix

package bench_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
)

// BenchmarkHTTPFloor measures the CPU a bare net/http client, its
// transport set up as pkg/client's, spends per request reading the 50k
// account's users pages (~47 KB each) from `cldsync emulator`, ten at a
// time as the CLI reads, without latency and at 50 ms a request: the floor
// under any Go reader of the API on this machine, before it does anything
// with the answers. It runs with the process's Ps and, as the CLI reads
// (cmd/cldsync/procs.go), with one. BENCHMARKS.md sets the 50k plan's CLI
// CPU beside it.
func BenchmarkHTTPFloor(b *testing.B) {
	bin := os.Getenv("CLDSYNC_BIN")
	if bin == "" {
		b.Skip("CLDSYNC_BIN is not set: build cldsync and point it there (make bench does)")
	}
	const requests = 2000
	for _, row := range []struct {
		name    string
		latency time.Duration
		procs   int // 0: the process's
	}{{"latency=0", 0, 0}, {"latency=50ms", scaleLatency, 0}, {"latency=0,procs=1", 0, 1}, {"latency=50ms,procs=1", scaleLatency, 1}} {
		b.Run(row.name, func(b *testing.B) {
			if row.procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(row.procs))
			}
			ctx := context.Background()
			emu, err := bench.StartEmulator(ctx, bin, bench.Scale50k, row.latency)
			if err != nil {
				b.Fatal(err)
			}
			defer emu.Stop()
			url := emu.URL + "/v1_1/provisioning/accounts/acc/users?page_size=100&page="
			// The transport as pkg/client sets its default up: a
			// connection kept per parallel request, answers read through
			// 64 KB; each body is read into a buffer of its own that is
			// used again, as the client's readBody does.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: scaleParallelism, ReadBufferSize: 64 << 10}}
			bodies := sync.Pool{New: func() any { return new([]byte) }}
			get := func(page int) int {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+strconv.Itoa(page%500+1), nil)
				if err != nil {
					b.Fatal(err)
				}
				req.SetBasicAuth("key", "secret")
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				bp := bodies.Get().(*[]byte)
				defer bodies.Put(bp)
				if int64(cap(*bp)) <= resp.ContentLength {
					*bp = make([]byte, 0, resp.ContentLength+1)
				}
				body := (*bp)[:0]
				for err == nil {
					if len(body) == cap(body) {
						body = append(body, 0)[:len(body)]
					}
					var n int
					n, err = resp.Body.Read(body[len(body):cap(body)])
					body = body[:len(body)+n]
				}
				*bp = body
				if err != io.EOF || resp.StatusCode != http.StatusOK {
					b.Fatalf("page %d: %d, %v", page, resp.StatusCode, err)
				}
				return len(body)
			}
			get(0) // connect and warm the emulator's memoised list
			for b.Loop() {
				var wg sync.WaitGroup
				pages := make(chan int)
				var mu sync.Mutex
				bytes := 0
				start, cpu0 := time.Now(), processCPU(b)
				for range scaleParallelism {
					wg.Go(func() {
						for p := range pages {
							n := get(p)
							mu.Lock()
							bytes += n
							mu.Unlock()
						}
					})
				}
				for p := range requests {
					pages <- p
				}
				close(pages)
				wg.Wait()
				cpu := processCPU(b) - cpu0
				b.ReportMetric(float64(cpu.Microseconds())/requests, "cpu-us/request")
				b.ReportMetric(float64(bytes)/requests/1000, "kB/request")
				b.ReportMetric(time.Since(start).Seconds(), "s")
			}
		})
	}
}

// processCPU is the user and system CPU this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
