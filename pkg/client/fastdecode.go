package client

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Fast decodes of the long lists a whole-account read fetches (users
// pages, a role's principals): the scanner reads the fields a type keeps
// and skips the rest, several times faster than encoding/json. Each
// handles the answers the service sends and declines (ok false) anything
// else, which the caller then decodes with encoding/json, so the result
// or error is encoding/json's by construction: keys not plain lower-case
// ASCII (encoding/json matches fields ignoring case), a field's value of
// another type, null, a repeated list key, and anything encoding/json
// would reject (the scan is strict). A kept string with escapes or
// non-ASCII bytes is decoded as encoding/json does (str).

// errDecline stops a fast decode that leaves the answer to encoding/json.
var errDecline = errors.New("declined")

// decodeList decodes b as json.Unmarshal into a struct whose only field
// is a []T under the key list does; field decodes member key of one
// element into v, or skips it.
func decodeList[T any](b []byte, list string, field func(s *scanner, v *T, key []byte) error) (out []T, ok bool) {
	return decodeListWith(b, list, field, nil)
}

// decodeListWith is decodeList calling other, when not nil, for the
// other top-level keys: it decodes the member or skips it.
func decodeListWith[T any](b []byte, list string, field func(s *scanner, v *T, key []byte) error, other func(s *scanner, key []byte) error) (out []T, ok bool) {
	sc := scanner{b: b, strict: true}
	seen := false
	err := sc.object(func(key []byte) error {
		if !plainKey(key) {
			return errDecline
		}
		if string(key) != list {
			if other != nil {
				return other(&sc, key)
			}
			return sc.skip()
		}
		if seen {
			return errDecline // decoded again into the same slice
		}
		seen = true
		var err error
		out, err = elements(&sc, field)
		return err
	})
	if err != nil {
		return nil, false
	}
	if sc.ws(); sc.i != len(b) {
		return nil, false
	}
	return out, true
}

// plainKey reports whether a key is one encoding/json can match to a
// field only by its exact bytes: lower-case ASCII, digits, '_' and '-'.
func plainKey(k []byte) bool {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// elements reads an array of objects.
func elements[T any](s *scanner, field func(s *scanner, v *T, key []byte) error) ([]T, error) {
	if err := s.expect('['); err != nil {
		return nil, errDecline // null or another type
	}
	out := []T{} // [] decodes to an empty slice, not nil
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		if s.peek() != '{' {
			return nil, errDecline
		}
		s.i++
		out = append(out, *new(T))
		v := &out[len(out)-1]
		if s.peek() == '}' {
			s.i++
		} else {
			for {
				key, err := s.key()
				if err != nil || !plainKey(key) {
					return nil, errDecline
				}
				if err := field(s, v, key); err != nil {
					return nil, errDecline
				}
				if more, err := s.next('}'); !more {
					if err != nil {
						return nil, err
					}
					break
				}
			}
		}
		if more, err := s.next(']'); !more {
			return out, err
		}
	}
}

// plainStr reads a string that needs no decoding into v.
func (s *scanner) plainStr(v *string) error {
	if s.peek() != '"' {
		return errDecline
	}
	start, end, slow, err := s.rawStr()
	if err != nil || slow {
		return errDecline
	}
	*v = string(s.b[start+1 : end-1])
	return nil
}

// str reads a string into v, decoding escapes and non-ASCII bytes as
// encoding/json does (with it).
func (s *scanner) str(v *string) error {
	if s.peek() != '"' {
		return errDecline
	}
	start, end, slow, err := s.rawStr()
	if err != nil {
		return errDecline
	}
	if slow {
		if u, ok := unescapeASCII(s.b[start+1 : end-1]); ok {
			*v = u
			return nil
		}
		return json.Unmarshal(s.b[start:end], v)
	}
	*v = string(s.b[start+1 : end-1])
	return nil
}

// unescapeASCII decodes the inside of a JSON string of ASCII bytes whose
// escapes are all single characters (\" \\ \/ \b \f \n \r \t), as a
// Cedar statement's quotes are; ok is false for anything else.
func unescapeASCII(b []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 0x80 {
			return "", false
		}
		if c != '\\' {
			sb.WriteByte(c)
			continue
		}
		if i++; i == len(b) {
			return "", false
		}
		switch b[i] {
		case '"', '\\', '/':
			sb.WriteByte(b[i])
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		default:
			return "", false
		}
	}
	return sb.String(), true
}

func (s *scanner) boolean(v *bool) error {
	switch c := s.peek(); c {
	case 't', 'f':
		start := s.i
		if err := s.literal(); err != nil {
			return err
		}
		*v = s.b[start] == 't'
		return nil
	}
	return errDecline
}

// integer reads an integer of at most 18 digits, as JSON writes it.
func (s *scanner) integer(v *int) error {
	n, err := s.int64()
	if err == nil && strconv.IntSize == 32 && int64(int(n)) != n {
		err = errDecline
	}
	*v = int(n)
	return err
}

func (s *scanner) int64() (int64, error) {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, errDecline
	}
	start := s.i
	if err := s.number(); err != nil {
		return 0, err
	}
	n, ok := plainInt(s.b[start:s.i])
	if !ok {
		return 0, errDecline
	}
	return n, nil
}

// decodePrincipals decodes a getRolePrincipals answer as json.Unmarshal
// into struct{ Data []RolePrincipal } does, or declines.
func decodePrincipals(b []byte) ([]RolePrincipal, bool) {
	return decodeList(b, "data", principalField)
}

func principalField(s *scanner, p *RolePrincipal, key []byte) error {
	switch string(key) {
	case "id":
		return s.str(&p.ID)
	case "type":
		return s.str((*string)(&p.Type))
	case "role_id":
		return s.str(&p.RoleID)
	case "scope_type":
		return s.str((*string)(&p.ScopeType))
	case "scope_id":
		return s.str(&p.ScopeID)
	case "created_at":
		return s.epoch(&p.CreatedAt)
	case "updated_at":
		return s.epoch(&p.UpdatedAt)
	case "policy_parameters":
		if p.PolicyParameters != nil {
			return errDecline // decoded again into the same map
		}
		return s.stringMap((*map[string]string)(&p.PolicyParameters))
	}
	return s.skip()
}

// epoch reads an integer epoch time.
func (s *scanner) epoch(t *EpochTime) error {
	start := s.i
	if _, err := s.int64(); err != nil {
		return err
	}
	return t.UnmarshalJSON(s.b[start:s.i])
}

// stringMap reads an object of plain strings into a new map.
func (s *scanner) stringMap(m *map[string]string) error {
	if err := s.expect('{'); err != nil {
		return errDecline
	}
	*m = map[string]string{}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		var k, v string
		if err := s.str(&k); err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := s.str(&v); err != nil {
			return err
		}
		(*m)[k] = v
		if more, err := s.next('}'); !more {
			return err
		}
	}
}

// decodePolicies decodes a getCustomPolicies answer as json.Unmarshal
// into its data and next_cursor does, or declines.
func decodePolicies(b []byte) (policies []CustomPolicy, next string, ok bool) {
	policies, ok = decodeListWith(b, "data", policyField, func(s *scanner, key []byte) error {
		if string(key) == "next_cursor" {
			return s.str(&next)
		}
		return s.skip()
	})
	return policies, next, ok
}

func policyField(s *scanner, p *CustomPolicy, key []byte) error {
	switch string(key) {
	case "id":
		return s.str(&p.ID)
	case "name":
		return s.str(&p.Name)
	case "description":
		return s.str(&p.Description)
	case "policy_statement":
		return s.str(&p.PolicyStatement)
	case "scope_type":
		return s.str((*string)(&p.ScopeType))
	case "scope_id":
		return s.str(&p.ScopeID)
	case "enabled":
		return s.boolean(&p.Enabled)
	case "created_at":
		return s.epoch(&p.CreatedAt)
	case "updated_at":
		return s.epoch(&p.UpdatedAt)
	}
	return s.skip()
}
