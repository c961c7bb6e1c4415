package client

// Three pagination schemes (NOTES 1.4):
//   - page numbers with a total (access keys): stop when total is reached;
//   - page numbers without a total (users): the page-size cap is
//     undocumented, so a short page proves nothing; stop only at an empty
//     page, and treat a page that repeats the previous one as the server
//     ignoring `page` (the listing is then reported incomplete);
//   - cursors (custom policies, system policies, inspect, inspectMultiple):
//     follow next_cursor; a cursor or page seen twice ends the walk with
//     ErrIncomplete instead of looping forever.
// Callers that delete what a listing lacks (the planner) must check
// completeness: Listing.Complete, or a nil error from an iterator.

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
)

// maxFilterValues is the spec's limit on ids, emails and cloud_names.
const maxFilterValues = 100

// maxPages stops a page-numbered walk that never ends.
const maxPages = 10000

// Listing says how a multi-page listing ended.
type Listing struct {
	Complete bool   // every page was read and the end was proven
	Pages    int    // requests made
	Reason   string // why Complete is false
}

// chunks splits vals into slices of at most n, dropping exact duplicates.
func chunks(vals []string, n int) [][]string {
	seen := make(map[string]bool, len(vals))
	var uniq []string
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			uniq = append(uniq, v)
		}
	}
	var out [][]string
	for len(uniq) > 0 {
		k := min(n, len(uniq))
		out = append(out, uniq[:k:k])
		uniq = uniq[k:]
	}
	return out
}

func checkFilterLen(name string, vals []string) error {
	if len(vals) > maxFilterValues {
		return fmt.Errorf("%s: %d values, the API takes at most %d (use the ListBy helpers, which chunk)", name, len(vals), maxFilterValues)
	}
	return nil
}

// cursorSeq walks a cursor-paginated list. fetch returns one page, the
// next cursor ("" at the end) and the page's item keys for repeat
// detection.
func cursorSeq[T any](ctx context.Context, first string, fetch func(ctx context.Context, cursor string) ([]T, string, error), key func(T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{first: true}
		cursor := first
		var prev []string
		for page := 1; ; page++ {
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			keys := make([]string, len(items))
			for i, it := range items {
				keys[i] = key(it)
			}
			if page > 1 && len(keys) > 0 && slices.Equal(keys, prev) {
				yield(zero, fmt.Errorf("%w: page %d repeats page %d (cursor %q ignored?)", ErrIncomplete, page, page-1, cursor))
				return
			}
			prev = keys
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] {
				yield(zero, fmt.Errorf("%w: cursor %q returned twice", ErrIncomplete, next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}

// query builds url.Values; zero values are left out.
type query url.Values

func (q query) str(k, v string) {
	if v != "" {
		url.Values(q).Set(k, v)
	}
}

func (q query) boolp(k string, v *bool) {
	if v != nil {
		url.Values(q).Set(k, strconv.FormatBool(*v))
	}
}

func (q query) flag(k string, v bool) {
	if v {
		url.Values(q).Set(k, "true")
	}
}

func (q query) num(k string, v int) {
	if v != 0 {
		url.Values(q).Set(k, strconv.Itoa(v))
	}
}

// strs encodes an array form/explode style: ids=a&ids=b (the OpenAPI
// default, since the spec sets no style).
func (q query) strs(k string, vs []string) {
	for _, v := range vs {
		url.Values(q).Add(k, v)
	}
}

// ContentFilter narrows permission reads to one content instance. FolderID
// and CollectionID are external ids; AssetID is "not currently supported"
// by the API. ParamKeys and ParamValues are the generic pair, matched by
// index.
type ContentFilter struct {
	FolderID     string
	AssetID      string
	CollectionID string
	ParamKeys    []string
	ParamValues  []string
}

func (f ContentFilter) encode(q query) {
	q.str("folder_id", f.FolderID)
	q.str("asset_id", f.AssetID)
	q.str("collection_id", f.CollectionID)
	q.strs("param_key", f.ParamKeys)
	q.strs("param_value", f.ParamValues)
}
