package main

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/access"
	"github.com/cldsync/cldsync/pkg/spec"
)

// testCmd runs the configuration's access tests against the desired
// account, offline: no credentials, no requests.
type testCmd struct {
	Path   string `arg:"" optional:"" default:"." help:"Configuration file, or directory whose *.yaml and *.yml files are merged. Default: . (the current directory)."`
	Format string `enum:"text,json" default:"text" help:"Output format: ${enum}."`
	varFlags
}

func (c *testCmd) Run(s streams) error {
	cfg, err := loadConfig(s, c.Path, c.varFlags)
	if err != nil {
		return err
	}
	at, err := clock(s.Getenv) // access_keys.go
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	cfg, _ = cfg.Expire(at, cfg.Prunes(spec.KindUser)) // the account as it stands now: what expired is gone
	results := access.FromConfig(cfg).RunTests(cfg.AccessTests)
	if c.Format == "json" {
		err = access.WriteJSON(s.Stdout, results)
	} else if len(results) == 0 {
		_, err = fmt.Fprintf(s.Stdout, "No access tests in %s (add access_tests: to the configuration).\n", c.Path)
	} else {
		err = access.WriteText(s.Stdout, results)
	}
	if err != nil {
		return err
	}
	if n := access.Failed(results); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s failed", count(n, "access test", "access tests"))}
	}
	return nil
}
