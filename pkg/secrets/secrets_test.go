package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var key = Key{CloudName: "acme-prod", Name: "ci", APIKey: "123456789012345", Secret: "s3cr3t-VALUE"}

func TestDeliverFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "ci.env")
	if err := Deliver(t.Context(), Sink{File: path}, key); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(b), "\nCLOUDINARY_URL=cloudinary://123456789012345:s3cr3t-VALUE@acme-prod\n") {
		t.Errorf("content %q", b)
	}
	// Our own file is replaced; no temporary file is left.
	key2 := key
	key2.Secret = "other"
	if err := Deliver(t.Context(), Sink{File: path}, key2); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), ":other@") {
		t.Errorf("not replaced: %q", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("%d files in the directory, want 1", len(ents))
	}
}

func TestDeliverRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ci.env")
	if err := os.WriteFile(path, []byte("MINE=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Deliver(t.Context(), Sink{File: path}, key)
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("err = %v, want ErrNotOurs", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "MINE=1\n" {
		t.Errorf("file changed: %q", b)
	}
	if err := Deliver(t.Context(), Sink{File: path, Overwrite: true}, key); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), key.Secret) {
		t.Errorf("not overwritten: %q", b)
	}
}

func TestDeliverCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "got")
	sink := Sink{Command: []string{"sh", "-c", `cat > "$0"; echo "$CLDSYNC_KEY_ENVIRONMENT/$CLDSYNC_KEY_NAME $CLDSYNC_API_KEY" >> "$0"`, out}}
	if err := Deliver(t.Context(), sink, key); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if want := "cloudinary://123456789012345:s3cr3t-VALUE@acme-prod\nacme-prod/ci 123456789012345\n"; string(b) != want {
		t.Errorf("command got %q, want %q", b, want)
	}
	// A failing command's output, which may echo the secret, is not in the error.
	err := Deliver(t.Context(), Sink{Command: []string{"sh", "-c", "cat; exit 3"}}, key)
	if err == nil || strings.Contains(err.Error(), key.Secret) || !strings.Contains(err.Error(), "exited 3") {
		t.Errorf("err = %v", err)
	}
}
