package apply

import "context"

// Interruption. Apply takes two contexts (see Options.Work): ctx, whose
// end stops apply from starting new changes (the first Ctrl-C), and work,
// which the requests already sent run under, so that they finish rather
// than being cut off half way with an unknown outcome. The CLI cancels work
// a grace period after the first Ctrl-C, or at once on the second. Callers
// that cannot pass Options.Work, such as a command deep under the CLI's
// signal handling, attach it to ctx with WithWork.

type workKey struct{}

// WithWork returns ctx carrying work as the context Apply runs requests
// under when Options.Work is not set.
func WithWork(ctx, work context.Context) context.Context {
	return context.WithValue(ctx, workKey{}, work)
}

// WorkOf returns the work context attached to ctx by WithWork, else ctx
// without its cancellation: the context Apply runs requests under by
// default.
func WorkOf(ctx context.Context) context.Context {
	if w, ok := ctx.Value(workKey{}).(context.Context); ok && w != nil {
		return w
	}
	return context.WithoutCancel(ctx)
}
