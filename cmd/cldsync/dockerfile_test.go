package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// No registry is reachable where `make test` runs, so the Dockerfile is
// linted rather than built: these are the rules a build would not catch.

// dockerInstruction is one instruction, continuation lines joined.
type dockerInstruction struct {
	line int
	cmd  string // upper-cased
	args string
}

// parseDockerfile splits a Dockerfile into instructions: comments and
// blank lines dropped, lines ending in a backslash joined.
func parseDockerfile(t *testing.T, text string) []dockerInstruction {
	t.Helper()
	var out []dockerInstruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if cont, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(strings.TrimSpace(cont) + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Errorf("Dockerfile ends inside a continued line")
	}
	return out
}

type dockerStage struct {
	image, name string
	ins         []dockerInstruction
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages []dockerStage
	known := []string{"FROM", "WORKDIR", "COPY", "RUN", "ARG", "ENV", "USER", "ENTRYPOINT", "CMD", "LABEL", "EXPOSE"}
	for _, in := range parseDockerfile(t, string(data)) {
		if !slices.Contains(known, in.cmd) {
			t.Errorf("Dockerfile:%d: unknown or unexpected instruction %s", in.line, in.cmd)
		}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := dockerStage{image: f[len(f)-1]}
			if len(f) >= 3 && strings.EqualFold(f[len(f)-2], "AS") {
				st = dockerStage{image: f[len(f)-3], name: f[len(f)-1]}
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Errorf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a small final stage", len(stages))
	}
	var names []string
	pinned := regexp.MustCompile(`^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$`)
	for i, st := range stages {
		if st.image == "scratch" || slices.Contains(names, st.image) {
			names = append(names, st.name)
			continue
		}
		_, tag, hasTag := strings.Cut(strings.Split(st.image, "@")[0], ":")
		if !pinned.MatchString(st.image) || (!hasTag && !strings.Contains(st.image, "@sha256:")) || tag == "latest" {
			t.Errorf("stage %d: base image %q is not pinned to a release tag or digest", i+1, st.image)
		}
		if hasTag && !regexp.MustCompile(`\d+\.\d+\.\d+`).MatchString(tag) && !strings.Contains(st.image, "@sha256:") {
			t.Errorf("stage %d: base image %q: pin an exact version (x.y.z) or a digest", i+1, st.image)
		}
		for _, in := range st.ins {
			if in.cmd == "RUN" && strings.Contains(in.args, "go build") && !strings.Contains(in.args, "CGO_ENABLED=0") {
				t.Errorf("Dockerfile:%d: go build without CGO_ENABLED=0 does not run on an empty base", in.line)
			}
		}
		names = append(names, st.name)
	}
	final := stages[len(stages)-1]
	var user, entrypoint string
	for _, in := range final.ins {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "COPY":
			for f := range strings.FieldsSeq(in.args) {
				if from, ok := strings.CutPrefix(f, "--from="); ok && !slices.Contains(names, from) {
					t.Errorf("Dockerfile:%d: COPY --from=%s names no stage", in.line, from)
				}
			}
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("final stage runs as %q, want a non-root USER", user)
	}
	var ep []string
	if err := json.Unmarshal([]byte(entrypoint), &ep); err != nil || len(ep) == 0 || filepath.Base(ep[0]) != "cldsync" {
		t.Errorf("final stage ENTRYPOINT is %q, want the exec form [\"/cldsync\"]", entrypoint)
	}

	ignore, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ignore), "\n")
	for _, must := range []string{".git", "bin"} {
		if !slices.Contains(lines, must) {
			t.Errorf(".dockerignore does not exclude %s", must)
		}
	}
	for _, keep := range []string{"schema", "pkg", "cmd", "internal", "api", "go.mod", "go.sum"} {
		if slices.Contains(lines, keep) {
			t.Errorf(".dockerignore excludes %s, which the build needs", keep)
		}
	}
}

func TestParseDockerfile(t *testing.T) {
	t.Parallel()
	got := parseDockerfile(t, "# c\nFROM a:1.2.3 AS b\n\nRUN x \\\n  y\nuser 1\n")
	want := []dockerInstruction{{2, "FROM", "a:1.2.3 AS b"}, {4, "RUN", "x y"}, {6, "USER", "1"}}
	if !slices.Equal(got, want) {
		t.Errorf("parseDockerfile = %v, want %v", got, want)
	}
}

// TestContainerWritesAsTheHostUser: the image runs as uid 65532, which
// cannot write plan --out into a directory mounted from the host. The
// documented invocations that write run as the host user, and parse as
// cldsync command lines; a permission error of uid 65532 says what to do.
func TestContainerWritesAsTheHostUser(t *testing.T) {
	t.Parallel()
	writes := 0
	for _, doc := range []string{"Dockerfile", filepath.Join("docs", "ci.md")} {
		data, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			_, run, ok := strings.Cut(line, "docker run ")
			if !ok {
				continue
			}
			_, args, ok := strings.Cut(run, " cldsync ")
			if !ok {
				t.Errorf("%s: %q: no cldsync image", doc, line)
				continue
			}
			words := strings.Fields(args)
			if _, err := parseCommandLine(words); err != nil {
				t.Errorf("%s: %q: cldsync rejects %q: %v", doc, line, args, err)
			}
			if strings.Contains(args, "--out") || strings.Contains(args, "--plan") {
				writes++
				if !strings.Contains(run, `--user "$(id -u):$(id -g)"`) {
					t.Errorf("%s: %q writes into the mounted directory as uid 65532; run it as the host user", doc, line)
				}
			}
		}
	}
	if writes == 0 {
		t.Error("no documented docker run writes a saved plan")
	}

	denied := &fs.PathError{Op: "open", Path: "/work/.plan.json.123", Err: fs.ErrPermission}
	err := explainPermission(65532, fmt.Errorf("save plan: %w", denied))
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), `docker run --user "$(id -u):$(id -g)"`) {
		t.Errorf("permission error of uid 65532 = %v, want the --user advice", err)
	}
	if err := explainPermission(1000, denied); err != denied {
		t.Errorf("permission error of uid 1000 = %v, want it unchanged", err)
	}
}
