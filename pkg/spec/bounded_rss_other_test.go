//go:build unix && !linux

package spec

import "syscall"

// maxRSS is the peak resident memory in bytes: BSDs and macOS count it in
// bytes.
func maxRSS(ru *syscall.Rusage) int64 { return int64(ru.Maxrss) }
