package spec

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"syscall"
	"unicode/utf8"
)

// maxFileSize caps the size of one configuration file. It is checked
// before parsing, and a file is never read past it, so a wrong path (a
// log, a disk image) fails fast instead of exhausting memory. Real
// configurations are a few KiB; a variable so that tests can lower it.
var maxFileSize int64 = 4 << 20

// readCapped reads a file, but at most maxFileSize+1 bytes: enough for
// checkInput to tell that it is too large. It reads regular files only: a
// named pipe would block the read forever, and a device (/dev/zero) never
// ends. The mode is checked before opening, since opening a pipe blocks
// until a writer comes, and again on the open file (opened non-blocking),
// in case the name was replaced in between.
func readCapped(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return io.ReadAll(io.LimitReader(f, maxFileSize+1))
}

// NotRegularError is a path to read that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string { return e.Path + " " + e.describe() }

// describe says what the file is, without its path.
func (e *NotRegularError) describe() string {
	what := "not a regular file"
	switch m := e.Mode; {
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	case m&fs.ModeDevice != 0:
		what = "a device, not a regular file"
	case m.IsDir():
		what = "a directory, not a regular file"
	}
	return fmt.Sprintf("is %s: cldsync reads only regular files", what)
}

// checkInput rejects, before any parsing, a file over the size cap and a
// file that is not UTF-8 (YAML requires a Unicode encoding, and names and
// emails are compared byte for byte).
func checkInput(src source) *Error {
	if int64(len(src.data)) > maxFileSize {
		return &Error{Pos: Pos{File: src.name, Line: 1, Col: 1},
			Message: fmt.Sprintf("file is larger than %s, the cap for a configuration file; is this the right file?", formatSize(maxFileSize))}
	}
	if utf8.Valid(src.data) {
		return checkControl(src)
	}
	line, col := 1, 1
	for i := 0; i < len(src.data); {
		r, n := utf8.DecodeRune(src.data[i:])
		if r == utf8.RuneError && n <= 1 {
			return &Error{Pos: Pos{File: src.name, Line: line, Col: col},
				Message: fmt.Sprintf("invalid UTF-8 (byte 0x%02X): save the file as UTF-8", src.data[i])}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unknownAnchor matches yaml.v3's error for an alias without an anchor,
// which carries no position.
var unknownAnchor = regexp.MustCompile(`^invalid YAML: unknown anchor '(.+)' referenced$`)

// locateYAMLError adds the position yaml.v3 leaves out of some errors: the
// alias of an unknown anchor, and the column of a tab used as indentation.
func locateYAMLError(src source, e Error) Error {
	lines := strings.Split(string(src.data), "\n")
	if m := unknownAnchor.FindStringSubmatch(e.Message); m != nil && e.Pos.Line == 0 {
		for i, line := range lines {
			if c := strings.Index(line, "*"+m[1]); c >= 0 {
				e.Pos.Line, e.Pos.Col = i+1, utf8.RuneCountInString(line[:c])+1
				break
			}
		}
		return e
	}
	if e.Pos.Line > 0 && e.Pos.Line <= len(lines) && e.Pos.Col == 0 {
		line := lines[e.Pos.Line-1]
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if c := strings.IndexByte(indent, '\t'); c >= 0 {
			e.Pos.Col = c + 1
			e.Message += " (a tab indents this line; YAML indents with spaces)"
		} else {
			// yaml.v3 gives only a line for most syntax errors: point at
			// the line's first character, so every error has a column.
			e.Pos.Col = utf8.RuneCountInString(indent) + 1
		}
	}
	return e
}

// checkControl returns the position and value of the first character YAML
// does not allow in a document (C0 and C1 controls other than tab, line
// feed and carriage return, and DEL), for an error with a column: yaml.v3
// reports these without one.
func checkControl(src source) *Error {
	if !hasControl(src.data) { // the common case, without decoding runes
		return nil
	}
	line, col := 1, 1
	for _, r := range string(src.data) {
		switch {
		case r == '\n':
			line, col = line+1, 1
			continue
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f && r != 0x85):
			return &Error{Pos: Pos{File: src.name, Line: line, Col: col},
				Message: fmt.Sprintf("control character %U is not allowed in YAML; write it escaped in a double-quoted string", r)}
		}
		col++
	}
	return nil
}

// hasControl reports whether valid UTF-8 b holds a character checkControl
// refuses: a C0 control other than tab, newline and carriage return, DEL,
// or a C1 control other than U+0085 (encoded C2 80 to C2 9F).
func hasControl(b []byte) bool {
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\n' && c != '\t' && c != '\r', c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(b) && b[i+1] <= 0x9f && b[i+1] != 0x85:
			return true // b[i+1] >= 0x80: a continuation byte, b being UTF-8
		}
	}
	return false
}
