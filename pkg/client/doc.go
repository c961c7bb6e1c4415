// Package client is a typed Go SDK for Cloudinary's Account Provisioning
// and Permissions APIs: all 47 operations of api/provisioning.openapi.yml,
// one service per area (ProductEnvironments, AccessKeys, Users,
// UserGroups, Billing, SystemPolicies, CustomPolicies, Roles, Principals,
// EffectivePolicies, Public). It imports nothing else of cldsync.
//
// What it owns, beyond encoding requests:
//
//   - Retries, in one loop (retry.go), decided per operationId (Safety in
//     operations.go): reads retry on 420, 429, 5xx and transport errors;
//     creates only when the server certainly did not act (420/429, dial
//     errors); PUT/DELETE writes on 420/429/502/503/504 and dial errors.
//     Waits honour Retry-After, then X-FeatureRateLimit-Reset, else capped
//     exponential backoff with full jitter, and end when the context does.
//   - Rate limits (ratelimit.go): one limiter per Client, shared by all its
//     goroutines. WithRateLimit sets a fixed ceiling; WithAdaptiveRateLimit
//     paces by X-FeatureRateLimit-Limit/-Remaining/-Reset and makes every
//     goroutine wait out a Retry-After. Stats reports requests, retries,
//     420/429 answers and the time waited; RateLimitState the last headers.
//   - Errors: a non-2xx answer is an *APIError decoding both of the spec's
//     error shapes; errors.Is matches ErrNotFound, ErrConflict,
//     ErrRateLimited and the other sentinels by status.
//   - Pagination: one-page List methods, iterators (iter.Seq2) and, for
//     users, ListAll with a Listing that says whether the listing is
//     provably complete; filters of more than 100 values are chunked by the
//     ListBy helpers.
//   - Secrets: API secrets are Secret values, which print and log as
//     REDACTED; the debug log (WithLogger, CLDSYNC_DEBUG=1) redacts them in
//     bodies too and never logs the Authorization header.
//   - v2 envelopes: {"data": ...} is unwrapped; v1_1 timestamps are
//     Timestamp (ISO strings), v2 timestamps EpochTime (integer seconds).
//
// Usage:
//
//	c, err := client.NewFromEnv(os.Getenv, client.WithVersion(version))
//	if err != nil {
//		return err
//	}
//	users, listing, err := c.Users.ListAll(ctx, nil)
//	if err != nil {
//		return fmt.Errorf("fetch users: %w", err)
//	}
//	if !listing.Complete {
//		return fmt.Errorf("fetch users: %s", listing.Reason) // never delete from a partial list
//	}
//	_, err = c.UserGroups.Create(ctx, client.UserGroupRequest{Name: "Designers"})
//	if errors.Is(err, client.ErrConflict) {
//		// already there: adopt it
//	}
package client
