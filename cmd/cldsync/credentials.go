package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
)

// explainUnauthorized turns a 401 from whichever request failed first into
// one message about the credentials: a wrong secret and a wrong account id
// both answer 401 "Invalid credentials", so the request's URL (different
// from run to run) says nothing useful, while which key, account, host and
// variables were used does. The secret is never shown.
func explainUnauthorized(getenv func(string) string, err error) error {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		return err
	}
	cfg, cerr := client.ConfigFromEnv(getenv)
	if cerr != nil {
		return err
	}
	answer := "401 Unauthorized"
	if apiErr.Message != "" {
		answer += ": " + apiErr.Message
	}
	return fmt.Errorf(`the account refused the credentials (%s); cldsync sent:
  %s
Check that:
  - the key is an Account API key (Console: Settings > Account API Keys), not a product environment's API key;
  - the secret is the one shown with that key, and has not been regenerated since;
  - the account id is the one the key belongs to (Console: Settings > Account API Keys shows it);
  - the host is the account's region (%s: api, api-eu or api-ap).
(a wrong secret and a wrong account id both answer 401)`, answer, indent(cfg.Describe(), "  "), client.EnvRegion)
}

// indent prefixes every line of s after the first with prefix.
func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

// imageUID is the user the container image runs as (Dockerfile's USER).
const imageUID = 65532

// explainPermission adds, to a permission-denied error of the container
// image's user, what to do: a directory mounted from the host belongs to
// the host's user, so uid 65532 cannot write plan --out or export --out
// there. Other users' permission errors say enough as they are.
func explainPermission(uid int, err error) error {
	if uid != imageUID || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return fmt.Errorf("%w\n(cldsync runs as uid %d, the container image's user, which cannot write to or read from a directory it does not own, such as one mounted from the host: run the container as the directory's owner, docker run --user \"$(id -u):$(id -g)\" ...)", err, uid)
}
