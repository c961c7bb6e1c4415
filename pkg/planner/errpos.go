package planner

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cldsync/cldsync/pkg/spec"
)

// LocateErrors fills the Pos of every error that has none with where cfg
// writes its object, so that a command can print it file:line:col first
// like a configuration error. It is more precise where the message says
// which value it is about: the ${kind:name} reference of a statement, an
// assignment's principal or role, or a statement position the message
// starts with (ValidatePolicies). Errors about objects the configuration
// does not write keep a zero Pos. Messages are not changed.
func (p *Plan) LocateErrors(cfg *spec.Config) {
	if cfg == nil {
		return
	}
	for i := range p.Errors {
		e := &p.Errors[i]
		if e.Pos.Line == 0 {
			e.Pos = errorPos(cfg, e.Ref, e.Message)
		}
	}
}

func errorPos(cfg *spec.Config, ref Ref, msg string) spec.Pos {
	switch ref.Kind {
	case spec.KindEnvironment:
		for _, e := range cfg.Environments {
			if e.CloudName == ref.Name {
				return e.Pos
			}
		}
	case spec.KindUser:
		for _, u := range cfg.Users {
			if strings.EqualFold(u.Email, ref.Name) {
				return u.Pos
			}
		}
	case spec.KindGroup:
		return groupPos(cfg, ref.Name)
	case spec.KindMembership:
		if i := strings.LastIndex(ref.Name, membershipSeparator); i >= 0 {
			return groupPos(cfg, ref.Name[:i])
		}
	case spec.KindRole:
		for _, r := range cfg.Roles {
			if r.ID == ref.Name {
				return r.Pos
			}
		}
	case spec.KindPolicy:
		for i := range cfg.Policies {
			if dp := &cfg.Policies[i]; dp.Key() == ref.Name {
				return policyErrorPos(dp, msg)
			}
		}
	case spec.KindAssignment:
		for _, a := range cfg.Assignments {
			name := AssignmentName(apiPrincipalType(a.Principal.Kind), a.Principal.Name, a.Role, a.Scope, a.FolderID, a.CollectionID)
			if name != ref.Name {
				continue
			}
			switch {
			case strings.HasPrefix(msg, "principal: ") && a.PrincipalPos.Line > 0:
				return a.PrincipalPos
			case strings.HasPrefix(msg, "role ") && a.RolePos.Line > 0:
				return a.RolePos
			}
			return a.Pos
		}
	}
	return spec.Pos{}
}

func groupPos(cfg *spec.Config, name string) spec.Pos {
	for _, g := range cfg.Groups {
		if g.Name == name {
			return g.Pos
		}
	}
	return spec.Pos{}
}

// policyErrorPos is the position of the statement position msg starts
// with, of the ${kind:name} reference a "statement: ${kind:name}: ..."
// message is about, or else of the policy.
func policyErrorPos(dp *spec.Policy, msg string) spec.Pos {
	if at, ok := leadingPos(msg, dp.StatementPos); ok {
		return at
	}
	if rest, ok := strings.CutPrefix(msg, "statement: "); ok {
		for _, r := range spec.CedarRefs(dp.Statement) {
			if strings.HasPrefix(rest, r.String()+":") {
				before := dp.Statement[:r.Start]
				line := strings.Count(before, "\n") + 1
				col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
				return dp.PosAt(line, col)
			}
		}
	}
	return dp.Pos
}

// leadingPos parses the "FILE:LINE:COL: " a message starts with, when FILE
// (and the template instantiation) is the one like is in.
func leadingPos(msg string, like spec.Pos) (spec.Pos, bool) {
	rest, ok := strings.CutPrefix(msg, like.File+":")
	if !ok || like.File == "" {
		return spec.Pos{}, false
	}
	lineStr, rest, _ := strings.Cut(rest, ":")
	colStr, _, _ := strings.Cut(rest, ":")
	colStr, _, _ = strings.Cut(colStr, " ")
	line, err1 := strconv.Atoi(lineStr)
	col, err2 := strconv.Atoi(colStr)
	if err1 != nil || err2 != nil || line <= 0 || col <= 0 {
		return spec.Pos{}, false
	}
	at := spec.Pos{File: like.File, Line: line, Col: col, Via: like.Via}
	if !strings.HasPrefix(msg, at.String()+": ") {
		return spec.Pos{}, false
	}
	return at, true
}
