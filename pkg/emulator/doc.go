// Package emulator is an in-memory, stateful fake of Cloudinary's Account
// Provisioning and Permissions APIs (api/provisioning.openapi.yml, all 47
// operations). Every test of cldsync runs against it, so it is as strict as
// the spec allows: it checks credentials, the account id, required fields,
// enums and types, answers 404 for unknown ids and 409 for duplicates, and
// answers only with the status codes the spec lists for each operation
// (operations_gen.go is generated from the spec). Codes outside that table
// come only from the labelled knobs: rate limiting and fault injection.
// Answers that differ from what was stored likewise come only from a
// labelled knob: Fault.Rewrite (AlterResponse).
//
// Options.Profile picks how it answers where Cloudinary's live service is
// known to differ from the spec: ProfileSpec (the default, exactly the spec;
// what the contract tests check) or ProfileLive, which answers as the live
// service does for every row of one table with its evidence
// (live_profile.go, LiveRows; docs/live-api.md).
//
// It imports nothing else of cldsync: it is an independent reading of the
// spec, checked against the spec by the contract tests, so that a mistake in
// pkg/client cannot hide behind the same mistake here.
//
// Choices where the spec is silent are documented where they are made and
// collected in README-style comments on the handlers; the main ones:
//   - A wrong account id in the path answers 401: every authenticated
//     operation lists it, and the credentials do not belong to that account.
//   - Provisioning PUTs take the strictest reading (NOTES.md P1): a field left
//     out of the body is reset to its default.
package emulator
