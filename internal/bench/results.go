package bench

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Result is one benchmark line of `go test -bench` output.
type Result struct {
	Name    string // without the -GOMAXPROCS suffix
	Procs   int
	N       int
	Metrics map[string]float64 // by unit: "ns/op", "B/op", "requests", ...
}

// Results is a parsed `go test -bench` output: results in order and the
// environment lines (goos, goarch, cpu).
type Results struct {
	Results []Result
	Env     map[string]string
}

// Get returns the first result named name, and whether there is one.
func (rs Results) Get(name string) (Result, bool) {
	for _, r := range rs.Results {
		if r.Name == name {
			return r, true
		}
	}
	return Result{}, false
}

// ParseResults reads `go test -bench` output, skipping what it does not
// know (logs, PASS/ok lines).
func ParseResults(r io.Reader) (Results, error) {
	out := Results{Env: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"goos", "goarch", "cpu"} {
			if v, ok := strings.CutPrefix(line, k+": "); ok {
				out.Env[k] = strings.TrimSpace(v)
			}
		}
		if res, ok := parseLine(line); ok {
			out.Results = append(out.Results, res)
		}
	}
	return out, sc.Err()
}

func parseLine(line string) (Result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return Result{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return Result{}, false
	}
	r := Result{Name: f[0], Procs: 1, N: n, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(f[0], '-'); i > 0 {
		if p, err := strconv.Atoi(f[0][i+1:]); err == nil {
			r.Name, r.Procs = f[0][:i], p
		}
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false
		}
		r.Metrics[f[i+1]] = v
	}
	return r, true
}
