// Package secrets delivers the secret of a product environment's access
// key to where the configuration says, and nowhere else: a file, created
// 0600 and replaced atomically, holding
//
//	CLOUDINARY_URL=cloudinary://KEY:SECRET@CLOUD_NAME
//
// or a command that reads cloudinary://KEY:SECRET@CLOUD_NAME on its stdin
// (gh secret set NAME, vault kv put ..., aws secretsmanager ...). Nothing
// of a secret is ever returned in an error: a failing command's output is
// dropped, since it could echo what it was given.
package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Sink is where a secret goes: File or Command, exactly one.
type Sink struct {
	File    string
	Command []string
	// Overwrite lets Deliver replace a file that cldsync did not write.
	Overwrite bool
}

// Key is an access key with its secret, as the API returned it.
type Key struct {
	CloudName string
	Name      string // the key's name, for the file's header and the command's environment
	APIKey    string
	Secret    string
}

// URL is the key as Cloudinary's SDKs read it from CLOUDINARY_URL.
func (k Key) URL() string {
	return "cloudinary://" + k.APIKey + ":" + k.Secret + "@" + k.CloudName
}

// marker starts every file cldsync writes; a file without it is not
// replaced unless Sink.Overwrite.
const marker = "# Written by cldsync for access key "

// ErrNotOurs is returned for an existing file that cldsync did not write.
var ErrNotOurs = errors.New("the file exists and was not written by cldsync")

// Deliver sends k's secret to sink.
func Deliver(ctx context.Context, sink Sink, k Key) error {
	switch {
	case sink.File != "" && len(sink.Command) == 0:
		return writeFile(sink, k)
	case sink.File == "" && len(sink.Command) > 0:
		return runCommand(ctx, sink.Command, k)
	}
	return errors.New("deliver secret: a sink is a file or a command")
}

// fileContent is what a secrets file holds.
func fileContent(k Key) []byte {
	return []byte(marker + k.CloudName + "/" + k.Name + " (api_key " + k.APIKey + "); cldsync secrets deliver rewrites it.\n" +
		"CLOUDINARY_URL=" + k.URL() + "\n")
}

// writeFile writes the file atomically: a temporary file (created 0600)
// in the same directory, synced, then renamed over the target, so that a
// reader never sees half a secret and a failure leaves the old file.
func writeFile(sink Sink, k Key) error {
	path := sink.File
	if old, err := os.ReadFile(path); err == nil {
		if !bytes.HasPrefix(old, []byte(marker)) && !sink.Overwrite {
			return fmt.Errorf("deliver secret to %s: %w; set overwrite: true on the sink to replace it", path, ErrNotOurs)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	if _, err := tmp.Write(fileContent(k)); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("deliver secret to %s: %w", path, err)
	}
	done = true
	return nil
}

// runCommand runs argv (no shell) with the URL on stdin, and the key's
// environment, name and API key (never the secret) in its environment as
// CLDSYNC_KEY_ENVIRONMENT, CLDSYNC_KEY_NAME and CLDSYNC_API_KEY. Its
// output is discarded, not printed: it could echo the secret.
func runCommand(ctx context.Context, argv []string, k Key) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(k.URL() + "\n")
	cmd.Env = append(os.Environ(), "CLDSYNC_KEY_ENVIRONMENT="+k.CloudName, "CLDSYNC_KEY_NAME="+k.Name, "CLDSYNC_API_KEY="+k.APIKey)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("deliver secret to command %s: it exited %d (its output is not shown: it could hold the secret)", argv[0], ee.ExitCode())
		}
		return fmt.Errorf("deliver secret to command %s: %w", argv[0], err)
	}
	return nil
}
