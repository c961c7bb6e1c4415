package apply

import (
	"fmt"
	"time"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// EstimateOptions describe the service a plan will be applied against.
type EstimateOptions struct {
	// Latency is the mean round trip of one request. The CLI measures it
	// while reading the live account (client Stats: Busy / Requests).
	Latency time.Duration
	// Parallelism is apply's worker count (default 10, as Options).
	Parallelism int
	// RatePerSecond is the sustained rate the server accepts; 0 when
	// there is no limit or it is unknown. Requests beyond what Remaining
	// covers are paced at it.
	RatePerSecond float64
	// Remaining and ResetIn are what the server last said of its quota
	// (X-FeatureRateLimit-Remaining, and the time until
	// X-FeatureRateLimit-Reset); Remaining < 0 means unknown. Needing
	// more requests than remain means waiting at least until the reset.
	Remaining int
	ResetIn   time.Duration
}

// Bound names what an estimate's duration is bound by.
type Bound string

const (
	// BoundLatency: requests × latency ÷ parallelism.
	BoundLatency Bound = "latency"
	// BoundDependencies: the longest chain of changes that must run one
	// after another.
	BoundDependencies Bound = "dependencies"
	// BoundRateLimit: requests ÷ the rate limit.
	BoundRateLimit Bound = "rate limit"
	// BoundQuota: more requests than the quota has left before its reset.
	BoundQuota Bound = "quota"
)

// Estimate is how many requests applying a plan sends and about how long
// it takes, if nothing fails.
type Estimate struct {
	Requests int
	Duration time.Duration
	Bound    Bound
}

// String reads "1000 requests, about 50s (bound by the rate limit)".
func (e Estimate) String() string {
	if e.Requests == 0 {
		return "no requests"
	}
	s := fmt.Sprintf("%d requests", e.Requests)
	if e.Requests == 1 {
		s = "1 request"
	}
	if e.Duration <= 0 {
		return s
	}
	d := e.Duration.Round(time.Second)
	if e.Duration < 10*time.Second {
		d = e.Duration.Round(100 * time.Millisecond)
	}
	return fmt.Sprintf("%s, about %s (bound by %s)", s, d, e.Bound)
}

// RequestsFor is how many API requests apply sends for one change when
// nothing fails: one, except a product environment created disabled, which
// is created and then disabled (the create body has no enabled field,
// NOTES.md P11), and a replace, which deletes and creates. Kinds without a
// mapping here count one request a change.
func RequestsFor(c planner.Change) int {
	if c.Action == planner.Replace {
		return 2
	}
	if c.Action == planner.Create && c.Ref.Kind == spec.KindEnvironment {
		if v, ok := c.After.(planner.EnvironmentValue); ok && !v.Enabled {
			return 2
		}
	}
	return 1
}

// EstimatePlan estimates the requests and time of applying p: the largest
// of the time the requests take spread over the workers, the longest chain
// of dependent changes, the requests at the rate limit, and the wait for a
// quota's reset.
func EstimatePlan(p *planner.Plan, o EstimateOptions) Estimate {
	if o.Parallelism <= 0 {
		o.Parallelism = 10
	}
	var e Estimate
	// finish[i] is the requests on the longest chain ending with change
	// i; changes come after the changes they depend on.
	finish := make([]int, len(p.Changes))
	last := map[planner.Ref]int{} // longest chain ending at any change of a Ref
	longest := 0
	for i, c := range p.Changes {
		n := RequestsFor(c)
		e.Requests += n
		before := 0
		for _, d := range c.DependsOn {
			before = max(before, last[d])
		}
		finish[i] = before + n
		last[c.Ref] = max(last[c.Ref], finish[i])
		longest = max(longest, finish[i])
	}
	candidates := []struct {
		d time.Duration
		b Bound
	}{
		{time.Duration(e.Requests) * o.Latency / time.Duration(o.Parallelism), BoundLatency},
		{time.Duration(longest) * o.Latency, BoundDependencies},
	}
	if o.RatePerSecond > 0 {
		// What the quota has left goes at once; the rest at the rate.
		paced := e.Requests
		if o.Remaining >= 0 {
			paced = max(0, paced-o.Remaining)
		}
		candidates = append(candidates, struct {
			d time.Duration
			b Bound
		}{time.Duration(float64(paced) / o.RatePerSecond * float64(time.Second)), BoundRateLimit})
	}
	if o.Remaining >= 0 && e.Requests > o.Remaining && o.ResetIn > 0 {
		candidates = append(candidates, struct {
			d time.Duration
			b Bound
		}{o.ResetIn, BoundQuota})
	}
	e.Bound = BoundLatency
	for _, c := range candidates {
		if c.d > e.Duration {
			e.Duration, e.Bound = c.d, c.b
		}
	}
	return e
}

// EstimateOptionsFrom derives the options from what c saw while reading
// the live account: the mean latency of its requests and the server's
// last rate-limit headers (the quota left before its reset, and the
// sustained rate they imply, client.RateLimitState.Rate).
func EstimateOptionsFrom(c *client.Client, parallelism int, now time.Time) EstimateOptions {
	o := EstimateOptions{Parallelism: parallelism, Remaining: -1}
	if st := c.Stats(); st.Requests > 0 {
		o.Latency = st.Busy / time.Duration(st.Requests)
	}
	if rl := c.RateLimitState(); rl.Known {
		o.Remaining, o.ResetIn, o.RatePerSecond = rl.Remaining, rl.Reset.Sub(now), rl.Rate
	}
	return o
}
