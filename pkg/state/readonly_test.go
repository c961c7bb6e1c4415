package state_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// readOnlyArgs are the argument values TestAPIIsReadOnly calls state.API's
// methods with, by type. A method with a parameter type missing here fails
// the test: add a value that makes it send its request.
var readOnlyArgs = map[reflect.Type]any{
	reflect.TypeFor[string]():                         "id",
	reflect.TypeFor[*client.UserListOptions]():        (*client.UserListOptions)(nil),
	reflect.TypeFor[client.RoleListOptions]():         client.RoleListOptions{PermissionType: client.PermissionGlobal},
	reflect.TypeFor[client.CustomPolicyListOptions](): client.CustomPolicyListOptions{},
	reflect.TypeFor[client.InspectOptions]():          client.InspectOptions{ScopeType: client.ScopeAccount},
	reflect.TypeFor[func([]byte, bool) bool]():        func([]byte, bool) bool { return true },
}

// TestAPIIsReadOnly calls every method of state.API, the only access to
// the account that the state package (and through it the planner) has,
// through FromClient against the emulator, and fails if any sends a
// request whose operationId can change the account, or sends none (so a
// new method cannot slip past). Whether an operation writes is decided
// per operationId (client.IsReadOnly), not by HTTP method:
// validateCedarPolicy is a POST that only reads.
func TestAPIIsReadOnly(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	api := reflect.ValueOf(state.FromClient(c))
	iface := reflect.TypeFor[state.API]()
	if iface.NumMethod() == 0 {
		t.Fatal("state.API has no methods")
	}
	for i := range iface.NumMethod() {
		m := iface.Method(i)
		t.Run(m.Name, func(t *testing.T) {
			for _, verb := range []string{"Create", "Update", "Delete", "Add", "Remove", "Set", "Put", "Post", "Assign"} {
				if strings.HasPrefix(m.Name, verb) {
					t.Errorf("state.API.%s is named like a write", m.Name)
				}
			}
			before := len(emu.Log())
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			for j := 1; j < m.Type.NumIn(); j++ {
				v, ok := readOnlyArgs[m.Type.In(j)]
				if !ok {
					t.Fatalf("no argument for %s's parameter of type %s: add one to readOnlyArgs", m.Name, m.Type.In(j))
				}
				args = append(args, reflect.ValueOf(v))
				if v == nil || reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
					args[len(args)-1] = reflect.Zero(m.Type.In(j))
				}
			}
			api.MethodByName(m.Name).Call(args) // errors (404 for "id") do not matter
			sent := emu.Log()[before:]
			if len(sent) == 0 {
				t.Fatalf("%s sent no request; give it arguments that do", m.Name)
			}
			for _, r := range sent {
				if !client.IsReadOnly(r.Op) {
					t.Errorf("%s sent %s (%s %s), which can change the account", m.Name, r.Op, r.Method, r.Path)
				}
			}
		})
	}
}

// TestReadOnlyOperations pins the operations that are POSTs yet only read,
// and checks the client and the emulator agree on every operation.
func TestReadOnlyOperations(t *testing.T) {
	t.Parallel()
	ops := emulator.Operations()
	if len(ops) == 0 {
		t.Fatal("emulator.Operations() is empty")
	}
	for _, op := range ops {
		if client.IsReadOnly(op) == emulator.IsWrite(op) {
			t.Errorf("%s: client.IsReadOnly = %v, emulator.IsWrite = %v", op, client.IsReadOnly(op), emulator.IsWrite(op))
		}
	}
	for _, op := range []string{"validateCedarPolicy", "inspectMultiple"} {
		if !client.IsReadOnly(op) {
			t.Errorf("client.IsReadOnly(%s) = false, want true: it is a POST that only reads", op)
		}
	}
}
