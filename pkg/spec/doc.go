// Package spec loads cldsync configuration: YAML from one file or a
// directory, validated against the JSON Schema in schema/ and semantically
// (references resolve, keys are unique), with every error reported as
// file:line:col.
package spec
