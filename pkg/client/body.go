package client

import (
	"io"
	"sync"
)

// Response bodies are read into buffers that are used again: a large read
// (27,000 pages of about 60 KB for a 50k-user account's access) otherwise
// allocates twice its size in growing buffers and leaves it all to the
// garbage collector. Whoever has decoded a body, keeping none of its
// bytes, gives it back with putBody; a body not given back is simply
// collected.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest buffer kept for reuse.
const maxPooledBody = 1 << 20

// readBody reads r to its end, as io.ReadAll does, into a buffer from the
// pool, sized for n bytes when n > 0 (a Content-Length).
func readBody(r io.Reader, n int64) ([]byte, error) {
	bp := bodies.Get().(*[]byte)
	b := (*bp)[:0]
	if n > 0 && int64(cap(b)) <= n {
		b = make([]byte, 0, n+1) // +1: the read that finds the end
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// putBody gives a body read by readBody back for reuse. Its bytes must
// not be used afterwards.
func putBody(b []byte) {
	if b == nil || cap(b) > maxPooledBody {
		return
	}
	b = b[:0]
	bodies.Put(&b)
}
