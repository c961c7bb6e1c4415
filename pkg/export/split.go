package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// MaxFileSize bounds every file Files writes: a kind whose document is
// larger is split over several files (users.yaml, users.2.yaml, …), so
// that each loads again under the loader's cap of 4 MiB per file (a 50k
// user account's users.yaml alone is over 6 MB). Half the cap leaves room
// for hand edits.
var MaxFileSize = 2 << 20

// PartName is the name of part n (from 1) of kind k's files: FileName(k)
// for the first, KIND.N.yaml for the others.
func PartName(k spec.Kind, n int) string {
	if n <= 1 {
		return FileName(k)
	}
	return string(k) + "." + strconv.Itoa(n) + ".yaml"
}

// IsPart reports whether name is one of the files export writes kind k
// into (see PartName): a re-export with fewer parts removes the others.
func IsPart(name string, k spec.Kind) bool { return PartNumber(name, k) > 0 }

// PartNumber is n when name is PartName(k, n), else 0: files listed by
// part number come in the order Files writes them (users.2.yaml before
// users.10.yaml), which a directory's sorted listing does not give.
func PartNumber(name string, k spec.Kind) int {
	if name == FileName(k) {
		return 1
	}
	rest, ok := strings.CutPrefix(name, string(k)+".")
	if !ok {
		return 0
	}
	num, ok := strings.CutSuffix(rest, ".yaml")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 2 || strconv.Itoa(n) != num {
		return 0
	}
	return n
}

// items is how many objects of kind k doc holds.
func (d *document) items(k spec.Kind) int {
	switch k {
	case spec.KindEnvironment:
		return len(d.Environments)
	case spec.KindUser:
		return len(d.Users)
	case spec.KindGroup:
		return len(d.Groups)
	case spec.KindRole:
		return len(d.Roles)
	case spec.KindPolicy:
		return len(d.Policies)
	case spec.KindAssignment:
		return len(d.Assignments)
	}
	return 0
}

// part is doc with only the objects [from, to) of kind k.
func (d document) part(k spec.Kind, from, to int) document {
	switch k {
	case spec.KindEnvironment:
		d.Environments = d.Environments[from:to]
	case spec.KindUser:
		d.Users = d.Users[from:to]
	case spec.KindGroup:
		d.Groups = d.Groups[from:to]
	case spec.KindRole:
		d.Roles = d.Roles[from:to]
	case spec.KindPolicy:
		d.Policies = d.Policies[from:to]
	case spec.KindAssignment:
		d.Assignments = d.Assignments[from:to]
	}
	return d
}

// encodeParts encodes the document of kind k as one file, or, when that is
// over MaxFileSize, as several of at most MaxFileSize each, the notes in
// the first. Each part is a whole configuration file (version: 1 and a
// list of some of the objects); the loader joins them.
func encodeParts(k spec.Kind, doc document, notes, partial []string) ([]File, error) {
	content, err := encode(doc, notes, partial)
	if err != nil {
		return nil, err
	}
	if len(content) <= MaxFileSize {
		return []File{{Name: PartName(k, 1), Content: content}}, nil
	}
	var parts [][]byte
	var split func(from, to int, first bool) error
	split = func(from, to int, first bool) error {
		var ns, ps []string
		if first {
			ns, ps = notes, partial
		}
		b, err := encode(doc.part(k, from, to), ns, ps)
		if err != nil {
			return err
		}
		if len(b) <= MaxFileSize {
			parts = append(parts, b)
			return nil
		}
		if to-from <= 1 {
			return fmt.Errorf("one %s is %d bytes, more than a file may hold (%d)", strings.TrimSuffix(string(k), "s"), len(b), MaxFileSize)
		}
		mid := from + (to-from)/2
		if err := split(from, mid, first); err != nil {
			return err
		}
		return split(mid, to, false)
	}
	// Start from as many even parts as the size needs, then halve any part
	// still over.
	n := doc.items(k)
	count := min(n, len(content)/MaxFileSize+1)
	for i := range count {
		if err := split(i*n/count, (i+1)*n/count, i == 0); err != nil {
			return nil, err
		}
	}
	files := make([]File, len(parts))
	for i, b := range parts {
		files[i] = File{Name: PartName(k, i+1), Content: b}
	}
	return files, nil
}
