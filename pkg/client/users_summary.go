package client

import (
	"errors"
	"strconv"
)

// decodeSummaries decodes a getUsers answer into summaries as
// json.Unmarshal into struct{ Users []UserSummary } does, reading only
// the summary's fields and skipping the rest with the scanner: a users
// page is decoded several times faster. It handles the answers the
// service sends and declines (ok false) anything else, for which the
// caller uses encoding/json, which gives the same result or error by
// construction: keys not plain lower-case ASCII (encoding/json matches
// fields ignoring case), a field's value of another type, null, escapes
// or non-ASCII bytes in a kept string, a repeated "users" key, and
// anything encoding/json would reject (the scan is strict).
func decodeSummaries(b []byte) (users []UserSummary, ok bool) {
	sc := scanner{b: b, strict: true}
	seen := false
	err := sc.object(func(key []byte) error {
		if !plainKey(key) {
			return errDecline
		}
		if string(key) != "users" {
			return sc.skip()
		}
		if seen {
			return errDecline // decoded again into the same slice
		}
		seen = true
		var err error
		users, err = sc.summaries()
		return err
	})
	if err != nil {
		return nil, false
	}
	if sc.ws(); sc.i != len(b) {
		return nil, false
	}
	return users, true
}

// errDecline stops a fast decode that leaves the answer to encoding/json.
var errDecline = errors.New("declined")

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

// summaries reads the users array.
func (s *scanner) summaries() ([]UserSummary, error) {
	if err := s.expect('['); err != nil {
		return nil, errDecline // null or another type
	}
	users := []UserSummary{} // [] decodes to an empty slice, not nil
	if s.peek() == ']' {
		s.i++
		return users, nil
	}
	for {
		if s.peek() != '{' {
			return nil, errDecline
		}
		s.i++
		var u UserSummary
		if s.peek() == '}' {
			s.i++
		} else if err := s.summary(&u); err != nil {
			return nil, err
		}
		users = append(users, u)
		if more, err := s.next(']'); !more {
			return users, err
		}
	}
}

// summary reads the members of one user object after its brace.
func (s *scanner) summary(u *UserSummary) error {
	for {
		key, err := s.key()
		if err != nil || !plainKey(key) {
			return errDecline
		}
		switch string(key) {
		case "id":
			err = s.plainStr(&u.ID)
		case "name":
			err = s.plainStr(&u.Name)
		case "email":
			err = s.plainStr(&u.Email)
		case "role":
			err = s.plainStr(&u.Role)
		case "root":
			err = s.boolean(&u.Root)
		case "pending":
			err = s.boolean(&u.Pending)
		case "enabled":
			err = s.boolean(&u.Enabled)
		case "all_sub_accounts":
			err = s.boolean(&u.AllSubAccounts)
		case "sub_account_count":
			err = s.integer(&u.SubAccountCount)
		case "created_at":
			if s.peek() != '"' {
				return errDecline
			}
			start := s.i
			if err = s.plainStr(new(string)); err == nil {
				err = u.CreatedAt.UnmarshalJSON(s.b[start:s.i])
			}
		default:
			err = s.skip()
		}
		if err != nil {
			return errDecline
		}
		if more, err := s.next('}'); !more {
			return err
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
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return errDecline
	}
	start := s.i
	if err := s.number(); err != nil {
		return err
	}
	n, ok := plainInt(s.b[start:s.i])
	if !ok || strconv.IntSize == 32 && int64(int(n)) != n {
		return errDecline
	}
	*v = int(n)
	return nil
}
