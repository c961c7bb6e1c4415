package planner

import (
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
)

// jsonAccessKey is an AccessKeyValue in plan JSON and saved plans. It has
// no secret field: the plan never holds one.
type jsonAccessKey struct {
	Environment   string        `json:"environment"`
	EnvironmentID string        `json:"environment_id,omitempty"`
	Name          string        `json:"name"`
	APIKey        string        `json:"api_key,omitempty"`
	Enabled       bool          `json:"enabled"`
	DedicatedFor  string        `json:"dedicated_for,omitempty"`
	CreatedAt     string        `json:"created_at,omitempty"`
	Secret        *jsonSecretTo `json:"secret_to,omitempty"`
	RetiredName   string        `json:"retired_name,omitempty"`
}

// jsonSecretTo is where a new key's secret is delivered: configuration,
// never the secret.
type jsonSecretTo struct {
	File      string   `json:"file,omitempty"`
	Command   []string `json:"command,omitempty"`
	Overwrite bool     `json:"overwrite,omitempty"`
}

func jsonAccessKeyValue(v AccessKeyValue) jsonAccessKey {
	out := jsonAccessKey{Environment: v.Environment, EnvironmentID: v.EnvironmentID, Name: v.Name, APIKey: v.Key,
		Enabled: v.Enabled, DedicatedFor: v.DedicatedFor, RetiredName: v.RetiredName}
	if !v.CreatedAt.IsZero() {
		out.CreatedAt = v.CreatedAt.UTC().Format(time.RFC3339)
	}
	if s := v.Secret; s != nil {
		out.Secret = &jsonSecretTo{File: s.File, Command: s.Command, Overwrite: s.Overwrite}
	}
	return out
}

func fromJSONAccessKey(decode func(any) error) (Value, error) {
	var j jsonAccessKey
	if err := decode(&j); err != nil {
		return nil, err
	}
	v := AccessKeyValue{Environment: j.Environment, EnvironmentID: j.EnvironmentID, Name: j.Name, Key: j.APIKey,
		Enabled: j.Enabled, DedicatedFor: j.DedicatedFor, RetiredName: j.RetiredName}
	if j.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, j.CreatedAt)
		if err != nil {
			return nil, err
		}
		v.CreatedAt = t
	}
	if s := j.Secret; s != nil {
		v.Secret = &spec.SecretSink{File: s.File, Command: s.Command, Overwrite: s.Overwrite}
	}
	return v, nil
}
