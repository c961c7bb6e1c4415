package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"

	"github.com/cldsync/cldsync/pkg/spec"
)

// MarkdownOptions configures RenderMarkdown.
type MarkdownOptions struct {
	// MaxBytes caps the output, for example at GitHub's 65,536-character
	// comment limit; 0 means no cap. When the plan does not fit, whole
	// changes are left out and a note says how many were shown. The summary
	// line is always written, so caps below a few hundred bytes cannot be
	// honoured.
	MaxBytes int
}

// maxDestructiveListed caps the deletes listed in the call-out at the top;
// the rest are only in the details sections.
const maxDestructiveListed = 50

// RenderMarkdown writes the plan for a pull-request comment: the summary
// line first (for a plan with errors, the refusal line and then the summary
// line), then deletes called out, errors, warnings and unmanaged
// counts, then one collapsed <details> section per kind with the changes
// as a diff block.
func RenderMarkdown(w io.Writer, p *planner.Plan, opts MarkdownOptions) error {
	return writeMarkdown(w, p, opts, planFrame(p))
}

// mdFrame is what differs between a plan's Markdown and a drift report's:
// the words around the same structure.
type mdFrame struct {
	summary  string                            // the first line
	refused  string                            // when set, the first line, before summary
	destroys func(n int) string                // introduces the call-out of deletes
	change   func(c *planner.Change) string    // one change in a diff block
	section  func(cs []*planner.Change) string // a kind's <summary>
	access   string                            // heads the access changes; "" leaves them out
	cut      func(shown, total int) string
}

func planFrame(p *planner.Plan) mdFrame {
	return mdFrame{
		summary: p.SummaryLine(),
		refused: p.RefusalLine("below"),
		destroys: func(n int) string {
			return fmt.Sprintf("This plan destroys %d %s:", n, planner.Plural(n, "object", "objects"))
		},
		change:  markdownChange,
		access:  "Effective access changes",
		section: sectionSummary,
		cut:     truncationNote,
	}
}

func writeMarkdown(w io.Writer, p *planner.Plan, opts MarkdownOptions, f mdFrame) error {
	out := renderMarkdown(p, 0, f)
	// Room for the truncation note is only reserved when the whole plan
	// does not fit.
	if opts.MaxBytes > 0 && len(out) > opts.MaxBytes {
		out = renderMarkdown(p, opts.MaxBytes, f)
	}
	_, err := io.WriteString(w, out)
	return err
}

func renderMarkdown(p *planner.Plan, maxBytes int, f mdFrame) string {
	m := &mdWriter{max: maxBytes}
	total := len(p.Changes)
	m.reserve = len(f.cut(total, total))

	if f.refused != "" {
		m.force("**" + f.refused + "**\n\n" + f.summary + "\n")
	} else {
		m.force("**" + f.summary + "**\n")
	}

	var deletes []*planner.Change
	for i := range p.Changes {
		if a := p.Changes[i].Action; a == planner.Delete || a == planner.Replace {
			deletes = append(deletes, &p.Changes[i])
		}
	}
	if len(deletes) > 0 {
		m.write("\n> [!CAUTION]\n> " + f.destroys(len(deletes)) + "\n")
		for i, c := range deletes {
			if i == maxDestructiveListed {
				m.write(fmt.Sprintf("> - … and %d more (see below)\n", len(deletes)-i))
				break
			}
			m.write("> - " + planner.Noun(c.Ref.Kind) + " " + code(c.Ref.Name) + ": " + escapeHTML(c.Reason) + "\n")
		}
	}
	if len(p.Errors) > 0 {
		// One item per reason, naming its objects.
		m.write("\n> [!IMPORTANT]\n> The planner refused these objects; fix them before applying:\n")
		for _, g := range p.ErrorGroups() {
			if len(g.Errors) == 1 {
				e := g.Errors[0]
				m.write("> - " + mdObject(e) + ": " + escapeHTML(strings.TrimPrefix(e.Message, e.Pos.String()+": ")) + "\n")
				continue
			}
			m.write("> - " + escapeHTML(g.Headline()) + ":\n")
			for _, e := range g.Errors {
				m.write(">   - " + mdObject(e) + "\n")
			}
		}
	}
	if len(p.Warnings) > 0 {
		m.write("\n> [!WARNING]\n")
		for _, warn := range p.Warnings {
			m.write("> - " + escapeHTML(warn) + "\n")
		}
	}
	if u := unmanagedPhrase(p); u != "" {
		m.write("\nLeft alone, not in the configuration: " + u + ".\n")
		if lines := unmanagedLines(p); len(lines) > 0 {
			m.write("\n<details><summary>Left alone</summary>\n\n")
			for _, line := range lines {
				m.write("- " + escapeHTML(line) + "\n")
			}
			m.write("\n</details>\n")
		}
	}
	writeAccessMarkdown(m, p, f.access) // access_render.go

	// One section per kind, in kind order; changes keep the plan's order
	// within a kind.
	byKind := map[spec.Kind][]*planner.Change{}
	for i := range p.Changes {
		c := &p.Changes[i]
		byKind[c.Ref.Kind] = append(byKind[c.Ref.Kind], c)
	}
	counts := map[spec.Kind]int{}
	for k, cs := range byKind {
		counts[k] = len(cs)
	}
	shown := 0
	for _, k := range planner.Kinds(counts) {
		cs := byKind[k]
		// The section opens with its first change, so that a cut never
		// leaves an empty section.
		head := "\n<details><summary>" + string(k) + ": " + f.section(cs) + "</summary>\n\n```diff\n"
		if !m.open(head+f.change(cs[0]), "```\n\n</details>\n") {
			break
		}
		shown++
		for _, c := range cs[1:] {
			if !m.write(f.change(c)) {
				break
			}
			shown++
		}
		m.close()
	}
	m.closeAll()
	if m.cut {
		m.force(f.cut(shown, total))
	}
	return m.b.String()
}

func truncationNote(shown, total int) string {
	return fmt.Sprintf("\n_The plan is too long for this comment: %d of %d changes are shown. Run `cldsync plan` to see all of it._\n", shown, total)
}

// sectionSummary is "2 to add, 1 to destroy" for one kind's changes.
func sectionSummary(cs []*planner.Change) string {
	var s planner.Summary
	for _, c := range cs {
		switch c.Action {
		case planner.Create:
			s.Add++
		case planner.Update:
			s.Change++
		case planner.Delete:
			s.Destroy++
		case planner.Replace:
			s.Add++
			s.Destroy++
		}
	}
	return countPhrase(s, "to add", "to change", "to destroy")
}

// markdownChange is one change inside a diff block: the header line (whose
// +/-/~ prefix GitHub colours) and its field and note lines. No line can
// close the fence: headers start with a symbol and the others are indented
// by four spaces.
func markdownChange(c *planner.Change) string {
	var b strings.Builder
	b.WriteString(changeHeader(c) + "\n")
	for _, f := range displayFields(c) { // rename.go
		b.WriteString("    " + fieldLine(f, c.Action) + "\n")
	}
	if (c.Action == planner.Delete || c.Action == planner.Replace || c.RemovesExpired()) && c.Reason != "" {
		b.WriteString("    # " + c.Reason + "\n")
	}
	for _, n := range c.Notes {
		b.WriteString("    # " + n + "\n")
	}
	return b.String()
}

// code renders s as an inline code span, choosing a fence longer than any
// run of backticks inside s.
func code(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeHTML keeps names and messages from opening HTML tags in a comment.
func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// mdWriter builds Markdown under a byte cap. Every write keeps room for
// the closers of the open blocks and the truncation note, so the document
// stays well-formed when it is cut.
type mdWriter struct {
	b       strings.Builder
	max     int
	reserve int
	closers []string
	cut     bool
}

func (m *mdWriter) pending() int {
	n := 0
	for _, c := range m.closers {
		n += len(c)
	}
	return n
}

// write appends s if it fits; after the first refusal it refuses all.
func (m *mdWriter) write(s string) bool {
	if m.cut {
		return false
	}
	if m.max > 0 && m.b.Len()+len(s)+m.pending()+m.reserve > m.max {
		m.cut = true
		return false
	}
	m.b.WriteString(s)
	return true
}

// open writes s and remembers closer, written by close or closeAll.
func (m *mdWriter) open(s, closer string) bool {
	if m.cut {
		return false
	}
	if m.max > 0 && m.b.Len()+len(s)+len(closer)+m.pending()+m.reserve > m.max {
		m.cut = true
		return false
	}
	m.b.WriteString(s)
	m.closers = append(m.closers, closer)
	return true
}

// close writes the innermost closer; its room was reserved by open.
func (m *mdWriter) close() {
	last := len(m.closers) - 1
	m.b.WriteString(m.closers[last])
	m.closers = m.closers[:last]
}

func (m *mdWriter) closeAll() {
	for len(m.closers) > 0 {
		m.close()
	}
}

// force writes s whatever the cap.
func (m *mdWriter) force(s string) { m.b.WriteString(s) }

// mdObject is "`users.yaml:6:5`: user `ana@acme.test`", the position
// first when known.
func mdObject(e planner.PlanError) string {
	obj := planner.Noun(e.Ref.Kind) + " " + code(e.Ref.Name)
	if e.Pos.Line == 0 {
		return obj
	}
	return code(e.Pos.String()) + ": " + obj
}
