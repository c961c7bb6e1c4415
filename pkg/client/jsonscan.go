package client

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
)

// scanner walks JSON text without building values (users_ids.go). It
// checks the structure of what it skips (brackets, commas, colons, keys,
// literals, numbers) but not the insides of skipped strings: escapes,
// control characters and UTF-8 are checked only in the strings it keeps.
type scanner struct {
	b []byte
	i int
	// strict makes what it skips valid JSON or an error: strings without
	// control characters or bad escapes, numbers by JSON's grammar
	// (users_summary.go).
	strict bool
}

var errJSON = errors.New("invalid JSON")

// maxStrictDepth bounds the nesting a strict scanner skips, well below
// encoding/json's limit (10,000 in all), which it must not exceed.
const maxStrictDepth = 1000

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	// Most JSON has no space between tokens: return at once then.
	if s.i < len(s.b) {
		if c := s.b[s.i]; c > ' ' {
			return c
		}
	}
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("%w: want %q at offset %d", errJSON, c, s.i)
	}
	s.i++
	return nil
}

// object calls member for each key (its bytes, decoded only when it has
// escapes), positioned at its value, which member must consume.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.key()
		if err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if more, err := s.next('}'); !more {
			return err
		}
	}
}

// next consumes what follows a member or an element: a comma, and then
// more follow, or the closing bracket, and then none do.
func (s *scanner) next(closing byte) (more bool, err error) {
	switch s.peek() {
	case ',':
		s.i++
		return true, nil
	case closing:
		s.i++
		return false, nil
	}
	return false, fmt.Errorf("%w: want , or %c at offset %d", errJSON, closing, s.i)
}

// key consumes an object's key and the colon after it, and returns the
// key's bytes, decoded only when it has escapes.
func (s *scanner) key() ([]byte, error) {
	if s.peek() != '"' {
		return nil, fmt.Errorf("%w: want a key at offset %d", errJSON, s.i)
	}
	start := s.i
	esc, err := s.skipStr()
	if err != nil {
		return nil, err
	}
	end := s.i
	key := s.b[start+1 : end-1]
	// Only a key with escapes can spell "id" or "users" otherwise than as
	// those bytes; other keys are compared, never decoded.
	if esc { // rare: decode it
		var k string
		if err := json.Unmarshal(s.b[start:end], &k); err != nil {
			return nil, err
		}
		key = []byte(k)
	}
	if err := s.expect(':'); err != nil {
		return nil, err
	}
	return key, nil
}

// rawStr consumes a string and returns where it is, quotes included, and
// whether it needs decoding (escapes or non-ASCII bytes).
func (s *scanner) rawStr() (start, end int, slow bool, err error) {
	if err := s.expect('"'); err != nil {
		return 0, 0, false, err
	}
	start = s.i - 1
	for s.i < len(s.b) {
		if s.i+8 <= len(s.b) {
			// Eight plain bytes at once: no quote, backslash, control
			// character or non-ASCII byte.
			v := binary.LittleEndian.Uint64(s.b[s.i:])
			m := hasByte(v, '"') | hasByte(v, '\\') | hasLess(v, 0x20) | v&highs
			if m == 0 {
				s.i += 8
				continue
			}
			s.i += bits.TrailingZeros64(m) / 8 // to the first that is not
		}
		switch c := s.b[s.i]; {
		case c == '\\':
			slow = true
			s.i += 2
		case c == '"':
			s.i++
			return start, s.i, slow, nil
		case c < 0x20:
			return 0, 0, false, fmt.Errorf("%w: control character in string at offset %d", errJSON, s.i)
		case c >= 0x80:
			slow = true
			s.i++
		default:
			s.i++
		}
	}
	return 0, 0, false, fmt.Errorf("%w: unterminated string", errJSON)
}

// skipStr consumes a string without looking inside it, and reports
// whether it has a backslash. It looks at eight bytes at a time for a
// quote or a backslash: most of a scan is crossing strings.
func (s *scanner) skipStr() (esc bool, err error) {
	if s.strict {
		start, end, slow, err := s.rawStr()
		if err != nil {
			return false, err
		}
		if slow && !json.Valid(s.b[start:end]) {
			return false, fmt.Errorf("%w: bad string at offset %d", errJSON, start)
		}
		return bytes.IndexByte(s.b[start:end], '\\') >= 0, nil
	}
	b, i := s.b, s.i+1 // after the opening quote, which peek saw
	for {
		for i+8 <= len(b) {
			v := binary.LittleEndian.Uint64(b[i:])
			if m := hasByte(v, '"') | hasByte(v, '\\'); m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			i++
		}
		switch {
		case i >= len(b):
			s.i = len(b)
			return false, fmt.Errorf("%w: unterminated string", errJSON)
		case b[i] == '"':
			s.i = i + 1
			return esc, nil
		}
		esc = true
		i += 2 // the backslash and what it escapes
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte is non-zero when a byte of v is c, its lowest set bit in the
// first such byte (bits above it may be set wrongly).
func hasByte(v uint64, c byte) uint64 {
	return hasLess(v^(ones*uint64(c)), 1)
}

// hasLess is non-zero when a byte of v is less than n (n <= 128), its
// lowest set bit in the first such byte.
func hasLess(v uint64, n byte) uint64 {
	return (v - ones*uint64(n)) &^ v & highs
}

// skip consumes one value of any kind. It keeps the brackets it is inside
// on a stack of its own rather than recursing: one call per value skipped,
// not one per member and element.
func (s *scanner) skip() error {
	var buf [32]byte
	open := buf[:0] // '{' or '[' for each container the value is inside
	for {
		// At a value.
		switch c := s.peek(); {
		case s.strict && len(open) >= maxStrictDepth:
			return fmt.Errorf("%w: nested too deep at offset %d", errJSON, s.i)
		case c == '{':
			s.i++
			if s.peek() != '}' {
				open = append(open, '{')
				if _, err := s.key(); err != nil {
					return err
				}
				continue
			}
			s.i++
		case c == '[':
			s.i++
			if s.peek() != ']' {
				open = append(open, '[')
				continue
			}
			s.i++
		case c == '"':
			if _, err := s.skipStr(); err != nil {
				return err
			}
		case c == 't' || c == 'f' || c == 'n':
			if err := s.literal(); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if err := s.number(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: unexpected %q at offset %d", errJSON, c, s.i)
		}
		// After a value: close what ends here, up to the next value.
	next:
		for {
			if len(open) == 0 {
				return nil
			}
			top := open[len(open)-1]
			switch c := s.peek(); {
			case c == ',':
				s.i++
				if top == '{' {
					if _, err := s.key(); err != nil {
						return err
					}
				}
				break next
			case top == '{' && c == '}', top == '[' && c == ']':
				s.i++
				open = open[:len(open)-1]
			case top == '{':
				return fmt.Errorf("%w: want , or } at offset %d", errJSON, s.i)
			default:
				return fmt.Errorf("%w: want , or ] at offset %d", errJSON, s.i)
			}
		}
	}
}

func (s *scanner) literal() error {
	lit := "null"
	switch s.b[s.i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	}
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return nil
	}
	return fmt.Errorf("%w: bad literal at offset %d", errJSON, s.i)
}

// number consumes a number: the longest run of number characters, which
// strconv.ParseFloat must accept. A run of digits after an optional minus,
// which it accepts unless it overflows, is not parsed.
func (s *scanner) number() error {
	start := s.i
	digits := true
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		if c >= '0' && c <= '9' {
			continue
		}
		if c == '-' && s.i == start {
			continue
		}
		if c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E' {
			digits = false
			continue
		}
		break
	}
	n := s.i - start
	if s.strict && !jsonNumber(s.b[start:s.i]) {
		return fmt.Errorf("%w: bad number at offset %d", errJSON, start)
	}
	if digits && n <= 300 && s.b[s.i-1] != '-' {
		return nil
	}
	if _, err := strconv.ParseFloat(string(s.b[start:s.i]), 64); err != nil {
		return fmt.Errorf("%w: bad number at offset %d", errJSON, start)
	}
	return nil
}

// jsonNumber reports whether b is a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
