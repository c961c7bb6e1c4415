package state

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
)

// maxUserPages stops a users listing that never ends (a server that
// answers every page number with users).
const maxUserPages = 10000

// usersListing is the account's users listing, read with numbered pages
// in parallel (issue 18): getUsers pages are numbered, not linked by a
// cursor, so once a page is in, the next ones can be asked at once.
// getUsers has no total (NOTES.md P17), so the walk grows as pages come
// back: a full page n (as long as the first) starts the pages up to
// n + min(n, Parallelism), a shorter one only the page after it, which
// must come back empty to prove the end. Which pages are asked depends
// only on their answers, never on timing: with F full pages, the pages up
// to max(F + min(F, Parallelism), the empty one) are asked, at most
// Parallelism − 1 more than the walk page by page (none for a listing of
// up to two full pages and a short one), and the chain of pages is about
// F ÷ Parallelism long instead of F.
type usersListing struct {
	rd   *reader
	g    *group
	opts client.UserListOptions

	mu       sync.Mutex
	pages    map[int][]client.UserSummary // answered pages by number
	launched int                          // pages 1..launched are asked
	full     int                          // the first page's length: a full page
	stop     string                       // why no more pages are asked, if the listing cannot end
}

// listUsers reads every user in pages of rd.opts.UsersPageSize, and the
// page size the server kept (the first page's length when there are more).
func (rd *reader) listUsers(ctx context.Context) ([]client.UserSummary, client.Listing, int, error) {
	l := &usersListing{rd: rd, g: newGroup(ctx), opts: client.UserListOptions{PageSize: rd.opts.UsersPageSize}, pages: map[int][]client.UserSummary{}}
	l.mu.Lock()
	l.launch(1)
	l.mu.Unlock()
	if err := l.g.Wait(); err != nil {
		return nil, client.Listing{}, 0, err
	}
	return l.result()
}

// launch asks pages up to last. Must hold l.mu.
func (l *usersListing) launch(last int) {
	last = min(last, maxUserPages)
	for ; l.launched < last; l.launched++ {
		n := l.launched + 1
		// A goroutine of its own waits for the slot: the caller may hold one.
		l.g.Go(func(ctx context.Context) error {
			return l.rd.do(ctx, urgent, func(ctx context.Context) error {
				o := l.opts
				o.Page = n
				users, err := l.rd.api.ListUsersPage(ctx, &o)
				if err != nil {
					return fmt.Errorf("page %d: %w", n, err)
				}
				l.answered(n, users)
				return nil
			})
		})
	}
}

// answered records page n and asks the pages it makes worth asking.
func (l *usersListing) answered(n int, users []client.UserSummary) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pages[n] = users
	if n == 1 {
		l.full = len(users)
	}
	l.rd.prog.update(func(p *Progress) { p.Users += len(users) })
	defer func() { l.rd.prog.estimate("users", l.launched) }()
	if len(users) == 0 || l.stop != "" {
		return
	}
	if prev, ok := l.pages[n-1]; ok && sameUsers(prev, users) {
		l.stop = fmt.Sprintf("page %d repeated page %d: the server may be ignoring page", n, n-1)
		return
	}
	if next, ok := l.pages[n+1]; ok && sameUsers(users, next) {
		l.stop = fmt.Sprintf("page %d repeated page %d: the server may be ignoring page", n+1, n)
		return
	}
	if len(users) >= l.full {
		l.launch(n + min(n, l.rd.opts.Parallelism))
	} else {
		l.launch(n + 1)
	}
}

func sameUsers(a, b []client.UserSummary) bool {
	return slices.EqualFunc(a, b, func(x, y client.UserSummary) bool { return x.ID == y.ID })
}

// result joins the pages up to the first empty one, each user once.
func (l *usersListing) result() ([]client.UserSummary, client.Listing, int, error) {
	listing := client.Listing{Pages: len(l.pages)}
	n := 0
	for i := 1; len(l.pages[i]) > 0; i++ {
		n += len(l.pages[i])
	}
	out := make([]client.UserSummary, 0, n)
	seen := make(map[string]bool, n)
	for n := 1; ; n++ {
		page, ok := l.pages[n]
		switch {
		case !ok:
			listing.Reason = l.stop
			if listing.Reason == "" {
				listing.Reason = fmt.Sprintf("gave up after %d pages", n-1)
			}
			return out, listing, l.pageSize(), nil
		case len(page) == 0:
			listing.Complete = l.stop == ""
			listing.Reason = l.stop
			return out, listing, l.pageSize(), nil
		}
		for _, u := range page {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
}

// pageSize is the page size the server kept: the first page's length when
// a second page had users too, else what was asked.
func (l *usersListing) pageSize() int {
	if len(l.pages[2]) > 0 && l.full > 0 {
		return l.full
	}
	return l.opts.PageSize
}
