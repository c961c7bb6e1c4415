package spec

import "testing"

// TestTenantBudget: instantiations of templates that add more than
// maxTenantValues values stop with one error at the tenant that crosses
// it, before its objects are made (a thousand tenants of a large template
// once took gigabytes before the variables' budget stopped them).
func TestTenantBudget(t *testing.T) {
	defer func(old int) { maxTenantValues = old }(maxTenantValues)
	maxTenantValues = 100
	tmpl := "template:\n  params:\n    slug: {type: string, example: acme}\nversion: 1\ngroups:\n"
	for i := range 10 {
		tmpl += "  - name: ${var:slug}-g" + string(rune('a'+i)) + "\n"
	}
	cfg := "version: 1\ntenants:\n"
	for _, slug := range []string{"a", "b", "c", "d", "e"} {
		cfg += "  - {template: t.yaml, vars: {slug: " + slug + "}}\n"
	}
	_, err := loadFiles(t, map[string]string{"c.yaml": cfg, "t.yaml": tmpl}, "c.yaml", LoadOptions{})
	if err == nil {
		t.Fatal("five tenants over the budget loaded")
	}
	want := "c.yaml:5:5: tenants[2]: the tenants instantiate more than 100 values, the limit for a load; split the configuration"
	if got := err.Error(); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	maxTenantValues = 1000
	if _, err := loadFiles(t, map[string]string{"c.yaml": cfg, "t.yaml": tmpl}, "c.yaml", LoadOptions{}); err != nil {
		t.Errorf("tenants within the budget refused: %v", err)
	}
}
