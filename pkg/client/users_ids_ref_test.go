package client

// The id scanner as it was before it skipped values without recursion
// (users_ids.go): the reference FuzzUserIDsOfMatchesReference holds the
// scanner to, errors included.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// refUserIDsOf is userIDsOf as it was: it returns the "id" of each object of the top-level "users" array
// of a getUsers answer, skipping everything else without decoding it.
// Any valid JSON is accepted (unknown fields, nested objects that have
// ids of their own); an id that is not a string is an error.
func refUserIDsOf(b []byte) ([]string, error) {
	sc := refScanner{b: b}
	var ids []string
	// Of repeated keys the last counts, as encoding/json has it.
	err := sc.object(func(key []byte) error {
		if string(key) != "users" {
			return sc.skip()
		}
		ids = nil
		if sc.peek() == 'n' { // null: no users
			return sc.skip()
		}
		return sc.array(func() error {
			if sc.peek() != '{' {
				return sc.skip()
			}
			var id *string
			err := sc.object(func(key []byte) error {
				if string(key) != "id" {
					return sc.skip()
				}
				v, err := sc.str()
				if err != nil {
					return fmt.Errorf("user id: %w", err)
				}
				id = &v
				return nil
			})
			if id != nil {
				ids = append(ids, *id)
			}
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	if sc.ws(); sc.i != len(b) {
		return nil, errors.New("data after the top-level value")
	}
	return ids, nil
}

// refScanner walks JSON text without building values.
type refScanner struct {
	b []byte
	i int
}

func (s *refScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *refScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *refScanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("%w: want %q at offset %d", errJSON, c, s.i)
	}
	s.i++
	return nil
}

// object calls member for each key (its bytes, decoded only when it has
// escapes), positioned at its value, which member must consume.
func (s *refScanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return fmt.Errorf("%w: want a key at offset %d", errJSON, s.i)
		}
		start := s.i
		if err := s.skipStr(); err != nil {
			return err
		}
		end := s.i
		key := s.b[start+1 : end-1]
		// Only a key with escapes can spell "id" or "users" otherwise
		// than as those bytes; other keys are compared, never decoded.
		if bytes.IndexByte(key, '\\') >= 0 { // rare: decode it
			var k string
			if err := json.Unmarshal(s.b[start:end], &k); err != nil {
				return err
			}
			key = []byte(k)
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return fmt.Errorf("%w: want , or } at offset %d", errJSON, s.i)
		}
	}
}

// array calls elem positioned at each element, which elem must consume.
func (s *refScanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return fmt.Errorf("%w: want , or ] at offset %d", errJSON, s.i)
		}
	}
}

// str reads a string, decoding it with encoding/json only when it has
// escapes or non-ASCII bytes.
func (s *refScanner) str() (string, error) {
	start, end, slow, err := s.rawStr()
	if err != nil {
		return "", err
	}
	if !slow {
		return string(s.b[start+1 : end-1]), nil
	}
	var v string
	if err := json.Unmarshal(s.b[start:end], &v); err != nil {
		return "", err
	}
	return v, nil
}

// rawStr consumes a string and returns where it is, quotes included, and
// whether it needs decoding (escapes or non-ASCII bytes).
func (s *refScanner) rawStr() (start, end int, slow bool, err error) {
	if err := s.expect('"'); err != nil {
		return 0, 0, false, err
	}
	start = s.i - 1
	for s.i < len(s.b) {
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

// skipStr consumes a string without looking inside it: escapes, control
// characters and UTF-8 are checked only in the strings kept (keys, ids).
// Finding the quotes with bytes.IndexByte is most of a scan's speed.
func (s *refScanner) skipStr() error {
	s.i++ // the opening quote, which peek saw
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return fmt.Errorf("%w: unterminated string", errJSON)
		}
		end := s.i + j
		s.i = end + 1
		// Escaped when preceded by an odd number of backslashes.
		n := 0
		for k := end - 1; k >= 0 && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return nil
		}
	}
}

// skip consumes one value of any kind.
func (s *refScanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == '"':
		return s.skipStr()
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return nil
			}
		}
		return fmt.Errorf("%w: bad literal at offset %d", errJSON, s.i)
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		for s.i < len(s.b) && refBytesIn(s.b[s.i], "+-.eE0123456789") {
			s.i++
		}
		if _, err := strconv.ParseFloat(string(s.b[start:s.i]), 64); err != nil {
			return fmt.Errorf("%w: bad number at offset %d", errJSON, start)
		}
		return nil
	}
	return fmt.Errorf("%w: unexpected %q at offset %d", errJSON, s.peek(), s.i)
}

func refBytesIn(c byte, set string) bool {
	for i := range len(set) {
		if set[i] == c {
			return true
		}
	}
	return false
}
