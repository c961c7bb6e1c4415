package planner

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
)

// TestValidatePoliciesAccess checks that a policy the service rejects
// leaves the effective-access diff with its change, and that the diff of
// what is still planned stays; with --no-access-diff it stays empty.
func TestValidatePoliciesAccess(t *testing.T) {
	t.Parallel()
	lines := func(p *Plan) []string {
		var out []string
		for _, a := range p.Access {
			sym := "+"
			if a.Verb == Loses {
				sym = "-"
			}
			out = append(out, sym+" "+a.String())
		}
		return out
	}
	for _, tt := range []struct {
		name         string
		opts         Options
		before, want []string
	}{
		{
			name: "access diff",
			before: []string{
				"+ ana@acme.test gains read on any resource in every environment (via policy ana-reads)",
				"+ key acme-prod/ci gains read on any resource in acme-prod (via policy ci-reads)",
			},
			want: []string{
				"+ ana@acme.test gains read on any resource in every environment (via policy ana-reads)",
			},
		},
		{name: "no access diff", opts: Options{NoAccessDiff: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, live := permConfig(), permLive()
			cfg.Policies = append(cfg.Policies,
				spec.Policy{Name: "ci-reads", Scope: "acme-prod",
					Statement: `permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/ci}", action == Cloudinary::Action::"read", resource);`},
				spec.Policy{Name: "ana-reads", Scope: "all",
					Statement: `permit(principal == Cloudinary::User::"${user:ana@acme.test}", action == Cloudinary::Action::"read", resource);`},
			)
			p, err := Diff(cfg, live, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.before, lines(p)); diff != "" {
				t.Fatalf("access before validation mismatch (-want +got):\n%s", diff)
			}
			reject := func(_ context.Context, stmt string) ([]string, error) {
				if strings.Contains(stmt, "APIKey") {
					return []string{"invalid_principal"}, nil
				}
				return nil, nil
			}
			if err := ValidatePolicies(t.Context(), p, cfg, live, reject); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 1 || p.Errors[0].Ref != (Ref{spec.KindPolicy, "acme-prod/ci-reads"}) {
				t.Fatalf("errors = %v, want the refusal of acme-prod/ci-reads", p.Errors)
			}
			if diff := cmp.Diff(tt.want, lines(p)); diff != "" {
				t.Errorf("access after validation mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
