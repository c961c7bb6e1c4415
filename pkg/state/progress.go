package state

import "sync"

// Progress is how far a Read has come: the objects read so far, and about
// how many requests the whole read needs. Options.Progress hears it as
// parts complete; the CLI adds the requests sent so far (from the client)
// and shows it on a terminal.
type Progress struct {
	// Estimated is about how many requests the whole read needs: the sum
	// of each part's estimate, exact once a part is read or its strategy
	// chosen (strategy.go). 0 until the environments are listed.
	Estimated int
	// Objects read so far.
	Environments, Users, Groups, Roles, Policies, Assignments int
}

// progress collects a Read's Progress. Its methods may be called
// concurrently; report calls Options.Progress one update at a time.
type progress struct {
	mu    sync.Mutex
	fn    func(Progress)
	cur   Progress
	parts map[string]int // estimated requests per part
}

func newProgress(fn func(Progress)) *progress {
	return &progress{fn: fn, parts: map[string]int{}}
}

// update changes the progress with f and, when someone listens, reports it.
func (p *progress) update(f func(*Progress)) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.cur)
	p.fn(p.cur)
}

// estimate sets the estimated requests of one part of the read.
func (p *progress) estimate(part string, requests int) {
	p.update(func(pr *Progress) {
		p.parts[part] = requests
		pr.Estimated = 0
		for _, n := range p.parts {
			pr.Estimated += n
		}
	})
}
