package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// Scale rows of issue 18: a generated account planned by the CLI against
// `cldsync emulator` in another process, each process's CPU measured on
// its own. GenerateArg is the --generate flag of each.
var (
	Scale20k  = emulator.GenerateOptions{Users: 20000, Groups: 500, Environments: 100, Roles: 200, Policies: 500, Assignments: 20000, Seed: 1}
	Scale50k  = emulator.GenerateOptions{Users: 50000, Groups: 1000, Environments: 200, Roles: 400, Policies: 1000, Assignments: 50000, Seed: 1}
	Scale100k = emulator.GenerateOptions{Users: 100000, Groups: 2000, Environments: 20, Roles: 200, Policies: 500, Assignments: 100000, Seed: 1}
)

// GenerateArg is o as `cldsync emulator --generate` takes it.
func GenerateArg(o emulator.GenerateOptions) string {
	return fmt.Sprintf("users=%d,groups=%d,environments=%d,roles=%d,policies=%d,assignments=%d,seed=%d",
		o.Users, o.Groups, o.Environments, o.Roles, o.Policies, o.Assignments, o.Seed)
}

// EmulatorProcess is `cldsync emulator` running in a process of its own.
type EmulatorProcess struct {
	URL string
	cmd *exec.Cmd
}

// StartEmulator starts bin's emulator serving the generated account o
// with latency added to every request, and waits until it serves.
func StartEmulator(ctx context.Context, bin string, o emulator.GenerateOptions, latency time.Duration) (*EmulatorProcess, error) {
	cmd := exec.CommandContext(ctx, bin, "emulator", "--listen", "127.0.0.1:0", "--generate", GenerateArg(o), "--latency", latency.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("emulator: no URL: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &EmulatorProcess{URL: strings.TrimSpace(line), cmd: cmd}, nil
}

// CPU is the CPU time (user and system) the emulator process used so far,
// from /proc.
func (e *EmulatorProcess) CPU() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", e.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second
	// on Linux).
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad /proc stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// Stop ends the emulator process.
func (e *EmulatorProcess) Stop() {
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
}

// Env is the environment a CLI process needs to talk to the emulator.
func (e *EmulatorProcess) Env() []string {
	return append(os.Environ(), "CLDSYNC_API_URL="+e.URL, "CLOUDINARY_ACCOUNT_URL=account://key:secret@acc", "NO_COLOR=1")
}

// CLIRun is one CLI process: its output, wall time, CPU time (user and
// system) and peak memory.
type CLIRun struct {
	Stdout, Stderr string
	Wall, CPU      time.Duration
	MaxRSS         int64 // bytes
}

// RunCLI runs bin with args in env and measures it.
func RunCLI(ctx context.Context, bin string, env []string, args ...string) (CLIRun, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := CLIRun{Stdout: stdout.String(), Stderr: stderr.String(), Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		return r, fmt.Errorf("cldsync %s: %w\n%s", strings.Join(args, " "), err, r.Stderr)
	}
	return r, nil
}

var readLine = regexp.MustCompile(`Read the live account(?: in [^:]+)?: (\d+) requests?`)

// ReadRequests is the requests plan --verbose says the read sent.
func ReadRequests(stderr string) (int, bool) {
	m := readLine.FindStringSubmatch(stderr)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}
