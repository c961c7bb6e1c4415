package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ListAllIDs reads every page of users matching opts, as ListAll does
// (same paging, same proof of the end, same Listing), but keeps only each
// user's id. Unlike ListAll it does not remove a user listed twice (by a
// page shifted under a concurrent insert): callers that mind compact. A listing read only to learn who is in it, such as
// getUsers?sub_account_id= per environment, then costs a scan of its
// bytes rather than a decode of every field of every user: on a large
// account these listings hold millions of user records.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListAllIDs(ctx context.Context, opts *UserListOptions) ([]string, Listing, error) {
	return s.ListAllIDsWhere(ctx, opts, nil)
}

// ListAllIDsWhere is ListAllIDs returning only the ids keep accepts (all
// when keep is nil). keep sees each id's bytes, valid only during the
// call, and whether the user's all_sub_accounts is true (the last such
// member of its object, as encoding/json reads it). Paging and the proof
// of the end look at every id: a caller that wants few ids of a long
// listing, such as the restricted users among everyone with access to an
// environment, then allocates only those, and can tell the others by
// their flag without looking their ids up.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListAllIDsWhere(ctx context.Context, opts *UserListOptions, keep func(id []byte, allSubAccounts bool) bool) ([]string, Listing, error) {
	o := UserListOptions{}
	if opts != nil {
		o = *opts
	}
	if len(o.IDs) > 0 || len(o.Emails) > 0 {
		// No paging with these filters; ListAll handles them.
		users, l, err := s.ListAll(ctx, &o)
		ids := make([]string, 0, len(users))
		for _, u := range users {
			if keep == nil || keep([]byte(u.ID), u.AllSubAccounts) {
				ids = append(ids, u.ID)
			}
		}
		return ids, l, err
	}
	if o.Page == 0 {
		o.Page = 1
	}
	var (
		l    Listing
		out  []string
		page idPages // reused from page to page
	)
	for ; ; o.Page++ {
		if l.Pages >= maxPages {
			l.Reason = fmt.Sprintf("gave up after %d pages", l.Pages)
			return out, l, nil
		}
		var (
			n        int
			repeated bool
			err      error
		)
		out, n, repeated, err = s.listIDs(ctx, &o, &page, out, keep)
		l.Pages++
		if err != nil {
			return nil, l, fmt.Errorf("list users page %d: %w", o.Page, err)
		}
		if n == 0 {
			l.Complete = true
			return out, l, nil
		}
		if repeated {
			l.Reason = fmt.Sprintf("page %d repeated page %d: the server may be ignoring page", o.Page, o.Page-1)
			return out, l, nil
		}
	}
}

// idPages is what reading a listing's pages of ids keeps from page to
// page: the scan's lists, and the previous page's ids (their bytes one
// after another, and their lengths) to tell a repeated page.
type idPages struct {
	ids      idList
	prev     []byte
	prevLens []int
}

// listIDs reads one page of users. It appends to out the ids keep accepts
// (all when keep is nil), unless the page repeats the previous one, and
// returns how many ids the page had.
func (s *UsersService) listIDs(ctx context.Context, opts *UserListOptions, p *idPages, out []string, keep func([]byte, bool) bool) (_ []string, n int, repeated bool, err error) {
	q, err := opts.values()
	if err != nil {
		return nil, 0, false, err
	}
	raw, err := s.client.callRaw(ctx, request{op: "getUsers", query: q})
	if err != nil {
		return nil, 0, false, err
	}
	defer putBody(raw) // every id kept is copied
	if err := p.ids.scan(raw); err != nil {
		return nil, 0, false, fmt.Errorf("getUsers: decode response: %w", err)
	}
	n = len(p.ids.spans)
	if n == 0 {
		return out, 0, false, nil
	}
	if p.repeats(raw) {
		return out, n, true, nil
	}
	p.prev, p.prevLens = p.prev[:0], p.prevLens[:0]
	for i := range p.ids.spans {
		id := p.ids.id(raw, i)
		p.prev = append(p.prev, id...)
		p.prevLens = append(p.prevLens, len(id))
	}
	return p.ids.appendTo(out, raw, keep), n, false, nil
}

// repeats reports whether the page just scanned lists the previous
// page's ids, in order.
func (p *idPages) repeats(b []byte) bool {
	if len(p.ids.spans) != len(p.prevLens) {
		return false
	}
	at := 0
	for i, n := range p.prevLens {
		if string(p.ids.id(b, i)) != string(p.prev[at:at+n]) {
			return false
		}
		at += n
	}
	return true
}

// userIDsOf returns the "id" of each object of the top-level "users" array
// of a getUsers answer, skipping everything else without decoding it.
// Any valid JSON is accepted (unknown fields, nested objects that have
// ids of their own); an id that is not a string is an error.
func userIDsOf(b []byte) ([]string, error) {
	return appendUserIDs(nil, b)
}

// appendUserIDs appends userIDsOf(b) to dst. The ids share one allocation.
func appendUserIDs(dst []string, b []byte) ([]string, error) {
	var ids idList
	if err := ids.scan(b); err != nil {
		return nil, err
	}
	return ids.appendTo(dst, b, nil), nil
}

// scan finds the ids of the getUsers answer b.
func (l *idList) scan(b []byte) error {
	l.reset()
	l.keys = l.keys[:0] // places in the last page
	sc := scanner{b: b}
	// Of repeated keys the last counts, as encoding/json has it.
	err := sc.object(func(key []byte) error {
		if string(key) != "users" {
			return sc.skip()
		}
		l.reset()
		if sc.peek() == 'n' { // null: no users
			return sc.skip()
		}
		return sc.userIDs(l)
	})
	if err != nil {
		return err
	}
	if sc.ws(); sc.i != len(b) {
		return errors.New("data after the top-level value")
	}
	return nil
}

// idList collects the ids of a page as places in its bytes, to be copied
// at once into one string when the page is read.
type idList struct {
	spans []idSpan
	all   []bool   // by span: the user's all_sub_accounts is true
	slow  []string // ids that needed decoding
	// keys are where the text of each member's key, quotes and colon
	// included, was last seen plain (no escapes, no space), by the
	// member's place in its user: users of a page list their fields in
	// one order, so the next user's key is most often those bytes again.
	keys []idSpan
}

// idSpan is b[start:end], or slow[end] when start is -1; -2 marks an id
// appendTo leaves out.
type idSpan struct{ start, end int }

func (l *idList) reset() {
	l.spans, l.all, l.slow = l.spans[:0], l.all[:0], l.slow[:0]
}

// id returns the bytes of id i of the page b.
func (l *idList) id(b []byte, i int) []byte {
	if sp := l.spans[i]; sp.start >= 0 {
		return b[sp.start:sp.end]
	}
	return []byte(l.slow[l.spans[i].end])
}

// appendTo appends to dst the ids of the page b that keep accepts (all
// when keep is nil), copied into one string.
func (l *idList) appendTo(dst []string, b []byte, keep func([]byte, bool) bool) []string {
	size, kept := 0, 0
	for i, sp := range l.spans {
		if keep != nil && !keep(l.id(b, i), l.all[i]) {
			l.spans[i].start = -2 // left out
			continue
		}
		kept++
		if sp.start >= 0 {
			size += sp.end - sp.start
		}
	}
	if kept == 0 {
		return dst
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, sp := range l.spans {
		if sp.start >= 0 {
			sb.Write(b[sp.start:sp.end])
		}
	}
	all := sb.String()
	dst = slices.Grow(dst, kept)
	at := 0
	for _, sp := range l.spans {
		switch {
		case sp.start == -1:
			dst = append(dst, l.slow[sp.end])
		case sp.start >= 0:
			n := sp.end - sp.start
			dst = append(dst, all[at:at+n])
			at += n
		}
	}
	return dst
}

// userIDs reads the users array into ids: the last "id" of each object;
// other elements and members are skipped.
func (s *scanner) userIDs(ids *idList) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '{' {
			if err := s.skip(); err != nil {
				return err
			}
		} else if err := s.userID(ids); err != nil {
			return err
		}
		if more, err := s.next(']'); !more {
			return err
		}
	}
}

// userID reads one user object, adding its last "id" to ids, and whether
// its last "all_sub_accounts" is true.
func (s *scanner) userID(ids *idList) error {
	s.i++ // the brace, which peek saw
	id, found, all := idSpan{}, false, false
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for m := 0; ; m++ {
		key, err := s.userKey(ids, m)
		if err != nil {
			return err
		}
		if string(key) != "id" {
			// Most members are strings, literals or numbers: no need
			// for skip's stack.
			var err error
			c := s.peek()
			if string(key) == "all_sub_accounts" {
				all = c == 't' // true, if the literal checks out below
			}
			switch {
			case c == '"':
				_, err = s.skipStr()
			case c == 't' || c == 'f' || c == 'n':
				err = s.literal()
			case c == '-' || (c >= '0' && c <= '9'):
				err = s.number()
			default:
				err = s.skip()
			}
			if err != nil {
				return err
			}
		} else {
			start, end, slow, err := s.rawStr()
			if err != nil {
				return fmt.Errorf("user id: %w", err)
			}
			id, found = idSpan{start + 1, end - 1}, true
			if slow {
				var v string
				if err := json.Unmarshal(s.b[start:end], &v); err != nil {
					return fmt.Errorf("user id: %w", err)
				}
				ids.slow = append(ids.slow, v)
				id = idSpan{-1, len(ids.slow) - 1}
			}
		}
		if more, err := s.next('}'); !more {
			if err == nil && found {
				ids.spans = append(ids.spans, id)
				ids.all = append(ids.all, all)
			}
			return err
		}
	}
}

// userKey reads the key of member m of a user, as key does. When the bytes
// here are those of member m's key in an earlier user, it is that key: a
// plain key and its colon are all a scan would find in them.
func (s *scanner) userKey(ids *idList, m int) ([]byte, error) {
	if m < len(ids.keys) {
		p := ids.keys[m]
		if n := p.end - p.start; n > 0 && len(s.b)-s.i >= n && string(s.b[s.i:s.i+n]) == string(s.b[p.start:p.end]) {
			s.i += n
			return s.b[s.i-n+1 : s.i-2], nil
		}
	}
	s.peek()
	start := s.i
	key, err := s.key()
	if err != nil {
		return nil, err
	}
	// Plain: the key's text is its bytes in quotes, then the colon (an
	// escape makes the key shorter than its text, space makes it longer).
	if s.i-start == len(key)+3 {
		for len(ids.keys) <= m {
			ids.keys = append(ids.keys, idSpan{})
		}
		ids.keys[m] = idSpan{start, s.i}
	}
	return key, nil
}
