package spec

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestSchemaRoleEnum pins the schema's role enum to UserRequest.role in the
// official OpenAPI spec, the ground truth for what the API accepts.
func TestSchemaRoleEnum(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "api", "provisioning.openapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		Components struct {
			Schemas struct {
				UserRequest struct {
					Properties struct {
						Role struct {
							Enum []string `yaml:"enum"`
						} `yaml:"role"`
					} `yaml:"properties"`
				} `yaml:"UserRequest"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &api); err != nil {
		t.Fatal(err)
	}
	want := api.Components.Schemas.UserRequest.Properties.Role.Enum
	if len(want) == 0 {
		t.Fatal("no UserRequest.role enum in the OpenAPI spec")
	}
	got := schemaStrings(t, "$defs", "user", "properties", "role", "enum")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema role enum mismatch with OpenAPI UserRequest.role (-want +got):\n%s", diff)
	}
}

// TestSchemaKinds checks that every kind the schema accepts under prune is
// a Kind constant that Load decodes.
func TestSchemaKinds(t *testing.T) {
	known := []Kind{KindEnvironment, KindUser, KindGroup, KindMembership, KindAccessKey, KindRole, KindPolicy, KindAssignment}
	for _, k := range schemaStrings(t, "$defs", "kind", "enum") {
		if !slices.Contains(known, Kind(k)) {
			t.Errorf("schema kind %q is not a spec.Kind", k)
		}
	}
}

func schemaStrings(t *testing.T, path ...string) []string {
	t.Helper()
	cs, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	list, ok := cs.lookup(path).([]any)
	if !ok {
		t.Fatalf("schema has no list at %v", path)
	}
	var out []string
	for _, v := range list {
		out = append(out, v.(string))
	}
	return out
}

// FuzzParse checks that no input makes Parse panic, and that it returns
// either a configuration or positioned errors.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(specTestdata, "*", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("in.yaml", data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v; want exactly one", cfg, err)
		}
		if errs, ok := err.(Errors); ok && len(errs) == 0 {
			t.Fatal("Parse returned empty Errors")
		}
	})
}
