// Package schema holds the JSON Schema of cldsync configuration files. The
// same file serves editors (through a yaml-language-server modeline) and
// cldsync itself, which embeds it so validation needs no network.
package schema

import _ "embed"

// JSON is schema/cldsync.schema.json (JSON Schema draft 2020-12).
//
//go:embed cldsync.schema.json
var JSON []byte
