package spec

import "testing"

func TestSuggest(t *testing.T) {
	keys := []string{"email", "enabled", "environments", "name", "protect", "role"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"emial", keys, "email"},     // swap
		{"enabeld", keys, "enabled"}, // swap
		{"Name", keys, "name"},       // case
		{"rol", keys, "role"},        // deletion
		{"roles", keys, "role"},      // insertion
		{"environment", keys, "environments"},
		{"protected", keys, "protect"}, // run on
		{"colour", keys, ""},           // nothing close
		{"x", keys, ""},
		{"", keys, ""},
		{"name", keys, ""}, // exact: no suggestion
		{"master-admin", []string{"master_admin", "admin"}, "master_admin"},
		{"base_env", []string{"base_environment", "cloud_name"}, "base_environment"},
		{"max_delete", []string{"max_delete_percent", "max_deletes"}, "max_deletes"},
		{"ab", []string{"aa", "bb"}, ""}, // tie
	}
	for _, tc := range tests {
		if got := suggest(tc.word, tc.candidates); got != tc.want {
			t.Errorf("suggest(%q, %q) = %q, want %q", tc.word, tc.candidates, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"ab", "ba", 1}, {"café", "cafe", 1}, {"same", "same", 0},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
