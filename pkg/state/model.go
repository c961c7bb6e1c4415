package state

import "github.com/cldsync/cldsync/pkg/state/model"

// The live account's model lives in package model, which imports nothing
// that reaches the service, so that the planner can read it without
// depending on the client. These aliases keep state.Account and its parts
// the names the rest of cldsync uses.
type (
	Account       = model.Account
	Environment   = model.Environment
	User          = model.User
	Group         = model.Group
	Permissions   = model.Permissions
	Role          = model.Role
	Policy        = model.Policy
	Assignment    = model.Assignment
	PrincipalType = model.PrincipalType
	APIKey        = model.APIKey
	AccessKey     = model.AccessKey
)
