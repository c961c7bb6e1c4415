// Package contract checks real HTTP traffic against the OpenAPI spec
// (api/provisioning.openapi.yml) with kin-openapi's openapi3filter, plus the
// checks openapi3filter leaves out (undeclared statuses, query parameters and
// properties, bodies where none is declared, error shapes).
//
// A Validator is used from tests in three ways: as an http.RoundTripper
// (Transport) around a client, as middleware (Middleware) around a server,
// or directly (ValidateRequest, ValidateResponse). It records which
// operations and statuses it saw (Coverage), so a test can assert that all
// 47 operations were exercised.
//
// Where the spec is wrong or silent, the validator relaxes only through a
// named Relaxation that cites NOTES.md. The spec's examples are walked,
// checked and reviewed in examples.go; KnownDefects lists the bad ones
// (NOTES.md P10 and more), and Fixture/Named hand out only the good ones.
//
// The tests here drive the emulator (emulator_test.go, plain net/http) and
// pkg/client (client_test.go) through the validator.
package contract
