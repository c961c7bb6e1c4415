package planner

import "testing"

// TestJSONValueExhaustive checks that every Value type has a JSON mapping.
func TestJSONValueExhaustive(t *testing.T) {
	t.Parallel()
	for _, v := range []Value{EnvironmentValue{}, UserValue{}, GroupValue{}, MembershipValue{}} {
		got, err := jsonValue(v)
		if err != nil || got == nil {
			t.Errorf("jsonValue(%T) = %v, %v, want a value and nil", v, got, err)
		}
	}
}
