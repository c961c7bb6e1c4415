package apply_test

import (
	"context"
	"testing"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// recordingUsers wraps the users service and records the users created.
type recordingUsers struct {
	apply.UsersAPI
	created []string
}

func (r *recordingUsers) Create(ctx context.Context, body client.CreateUserRequest) (*client.User, error) {
	r.created = append(r.created, body.Email)
	return r.UsersAPI.Create(ctx, body)
}

// TestApplyTakesAPI: apply reaches the account only through the API it is
// given, so a caller can put its own service in the way.
func TestApplyTakesAPI(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte("version: 1\nusers:\n  - {email: new@acme.test, name: New, role: admin}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, c := setup(t, "")
	p, live := plan(t, c, cfg)
	api := apply.FromClient(c)
	users := &recordingUsers{UsersAPI: api.Users}
	api.Users = users
	rep := apply.Apply(t.Context(), api, p, live, apply.Options{})
	if rep.Failed() || len(users.created) != 1 || users.created[0] != "new@acme.test" {
		t.Errorf("report failed %v, created %v; want new@acme.test created through the given API", rep.Failed(), users.created)
	}
}
