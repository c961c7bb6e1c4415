package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/emulator"
)

type emulatorCmd struct {
	Listen    string        `default:"127.0.0.1:8080" help:"Address to listen on (127.0.0.1:0 picks a free port)."`
	AccountID string        `default:"acc" help:"Account id the emulator serves."`
	APIKey    string        `default:"key" help:"Account API key it accepts."`
	APISecret string        `default:"secret" help:"Account API secret it accepts."`
	Seed      string        `type:"existingfile" placeholder:"FILE" help:"YAML or JSON file of objects to start with (an example: scripts/demo-seed.yaml in the cldsync source repository)."`
	Bare      bool          `help:"Start with no users (a real new account has one root master_admin)."`
	Latency   time.Duration `help:"Delay added to every request, e.g. 50ms."`
	RateLimit perSecond     `placeholder:"N/s" help:"Requests per second accepted on rate-limited operations, as 20 or 20/s (0: unlimited); the rest are answered 429 with Retry-After and X-FeatureRateLimit-* headers."`
	Profile   string        `enum:"spec,live" default:"spec" help:"How to answer where the live service and the OpenAPI spec differ: spec answers exactly as the spec says, live as Cloudinary's live API does (docs/live-api.md)."`
	Generate  string        `placeholder:"KIND=N,..." help:"Seed a large account deterministically, e.g. users=5000,groups=200,environments=50,roles=100,policies=200,assignments=5000 (also seed=N for other draws). Applied after --seed."`
	Clock     time.Time     `placeholder:"RFC3339" help:"Stop the account's clock at this time (e.g. 2026-01-01T00:00:00Z): what is created or changed gets it as created_at or updated_at, so access keys can be made old enough to rotate. Move it while serving with PUT /_emulator/clock and the time as the body (the account's API key and secret as basic auth); run cldsync with CLDSYNC_NOW set to the same time."`
}

// perSecond is a rate given as "20" or "20/s".
type perSecond float64

func (p *perSecond) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/s"), "/sec")
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("rate %q: want a non-negative number of requests per second, like 20 or 20/s", string(b))
	}
	*p = perSecond(v)
	return nil
}

// Validate checks --generate before anything starts.
func (c *emulatorCmd) Validate() error {
	if c.Generate == "" {
		return nil
	}
	if _, err := emulator.ParseGenerateOptions(c.Generate); err != nil {
		return fmt.Errorf("--generate: %w", err)
	}
	return nil
}

func (c *emulatorCmd) Run(ctx context.Context, s streams) error {
	profile, err := emulator.ParseProfile(c.Profile)
	if err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	emu := emulator.New(emulator.Options{
		AccountID: c.AccountID, APIKey: c.APIKey, APISecret: c.APISecret,
		Bare: c.Bare, Latency: c.Latency, RateLimit: float64(c.RateLimit), Profile: profile,
	})
	if !c.Clock.IsZero() {
		emu.SetClock(c.Clock) // before seeding: seeded objects are created then too
	}
	if c.Seed != "" {
		f, err := os.Open(c.Seed)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		err = emu.LoadSeed(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("seed %s: %w", c.Seed, err)
		}
	}
	if c.Generate != "" {
		o, err := emulator.ParseGenerateOptions(c.Generate)
		if err != nil {
			return fmt.Errorf("--generate: %w", err)
		}
		if err := emu.Generate(o); err != nil {
			return fmt.Errorf("--generate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: withClock(emu, c.APIKey, c.APISecret), ReadHeaderTimeout: 10 * time.Second}
	// The base URL is the first line of stdout so scripts can read it.
	fmt.Fprintf(s.Stdout, "http://%s\n", ln.Addr())
	// The profile is named: answers differ by profile, and a user who
	// forgot --profile live should see it at once.
	fmt.Fprintf(s.Stderr, "emulating account %s (profile %s); use CLDSYNC_API_URL=http://%s with CLOUDINARY_ACCOUNT_URL=account://%s:%s@%s\n",
		c.AccountID, profile, ln.Addr(), c.APIKey, "<secret>", c.AccountID)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// clockPath is the emulator's one path outside the API: it moves the
// account's clock, so a user can try key rotation by hand.
const clockPath = "/_emulator/clock"

// withClock serves clockPath in front of the emulator: PUT with an RFC
// 3339 time as the body stops the clock there (an empty body restarts the
// real clock), GET answers the time set. It takes the account's
// credentials, as the API does.
func withClock(emu *emulator.Emulator, key, secret string) http.Handler {
	var mux http.ServeMux
	mux.Handle("/", emu)
	mux.HandleFunc(clockPath, func(w http.ResponseWriter, r *http.Request) {
		if k, s, ok := r.BasicAuth(); !ok || k != key || s != secret {
			w.Header().Set("WWW-Authenticate", `Basic realm="emulator"`)
			http.Error(w, "the account's API key and secret are needed", http.StatusUnauthorized)
			return
		}
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut:
			body, err := io.ReadAll(io.LimitReader(r.Body, 100))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var t time.Time
			if v := strings.TrimSpace(string(body)); v != "" {
				if t, err = time.Parse(time.RFC3339, v); err != nil {
					http.Error(w, "want an RFC 3339 time such as 2026-04-11T00:00:00Z, or nothing for the real clock", http.StatusBadRequest)
					return
				}
			}
			emu.SetClock(t)
		default:
			w.Header().Set("Allow", "GET, PUT")
			http.Error(w, "GET or PUT", http.StatusMethodNotAllowed)
			return
		}
		now, ok := emu.Clock()
		if !ok {
			fmt.Fprintln(w, "real")
			return
		}
		fmt.Fprintln(w, now.Format(time.RFC3339))
	})
	return &mux
}
