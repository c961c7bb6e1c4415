package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// githubCommentCmd posts a Markdown file (plan --format markdown output) as
// a pull-request comment, or updates the comment it posted before, found by
// a hidden marker, so every push rewrites one comment instead of adding
// another. The token comes from GITHUB_TOKEN and is never printed.
type githubCommentCmd struct {
	File   string `arg:"" type:"existingfile" help:"Markdown file to post."`
	PR     int    `name:"pr" required:"" help:"Pull request (or issue) number."`
	Repo   string `env:"GITHUB_REPOSITORY" placeholder:"OWNER/NAME" help:"Repository; when not given, the environment variable GitHub Actions sets"`
	Marker string `default:"cldsync-plan" help:"Names the comment: the one holding this hidden marker is updated rather than duplicated. Use different markers for different configurations."`
	APIURL string `name:"api-url" env:"GITHUB_API_URL" default:"https://api.github.com" help:"GitHub API base URL; when not given, the environment variable GitHub Actions sets, or the default when it is empty"`
}

// githubCommentMax is GitHub's limit on a comment body, in characters.
const githubCommentMax = 65536

var (
	repoRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	markerRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
)

// Validate checks the flags before any request.
func (c *githubCommentCmd) Validate() error {
	if c.Repo == "" {
		return errors.New("no repository: pass --repo OWNER/NAME, or set GITHUB_REPOSITORY (GitHub Actions sets it)")
	}
	if !repoRE.MatchString(c.Repo) || strings.Contains(c.Repo, "..") {
		return fmt.Errorf("--repo %q: want OWNER/NAME", c.Repo)
	}
	if !markerRE.MatchString(c.Marker) {
		return fmt.Errorf("--marker %q: use letters, digits and . _ : -", c.Marker)
	}
	if c.PR <= 0 {
		return fmt.Errorf("--pr %d: want a pull request number", c.PR)
	}
	return nil
}

type ghComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
}

func (c *githubCommentCmd) Run(ctx context.Context, s streams) error {
	token := s.Getenv("GITHUB_TOKEN")
	if token == "" {
		return errors.New("GITHUB_TOKEN is not set")
	}
	text, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	tag := "<!-- cldsync:" + c.Marker + " -->"
	body := tag + "\n" + string(text)
	if n := len([]rune(body)); n > githubCommentMax {
		return fmt.Errorf("the comment would be %d characters; GitHub accepts %d (cut the Markdown with --markdown-limit)", n, githubCommentMax)
	}
	gh := &githubAPI{base: strings.TrimSuffix(c.APIURL, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
	repo := c.Repo
	existing, err := gh.findComment(ctx, fmt.Sprintf("/repos/%s/issues/%d/comments?per_page=100", repo, c.PR), tag)
	if err != nil {
		return err
	}
	var out ghComment
	if existing != nil {
		err = gh.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/comments/%d", repo, existing.ID), map[string]string{"body": body}, &out)
		if err == nil {
			fmt.Fprintf(s.Stdout, "Updated comment %s\n", out.HTMLURL)
		}
		return err
	}
	err = gh.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", repo, c.PR), map[string]string{"body": body}, &out)
	if err == nil {
		fmt.Fprintf(s.Stdout, "Created comment %s\n", out.HTMLURL)
	}
	return err
}

// githubAPI is the little of GitHub's REST API the command needs.
type githubAPI struct {
	base  string
	token string
	http  *http.Client
}

// findComment pages through the comments (following Link: rel="next") and
// returns the first whose body holds tag, or nil.
func (g *githubAPI) findComment(ctx context.Context, path, tag string) (*ghComment, error) {
	next := g.base + path
	for pages := 0; next != "" && pages < 100; pages++ {
		var page []ghComment
		link, err := g.request(ctx, http.MethodGet, next, nil, &page)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if strings.Contains(page[i].Body, tag) {
				return &page[i], nil
			}
		}
		next = nextLink(link)
		if next != "" && !strings.HasPrefix(next, g.base+"/") {
			return nil, fmt.Errorf("github: next page %q is not under %s", next, g.base)
		}
	}
	return nil, nil
}

func (g *githubAPI) do(ctx context.Context, method, path string, in, out any) error {
	_, err := g.request(ctx, method, g.base+path, in, out)
	return err
}

// request sends one request and decodes a 2xx answer into out; it returns
// the Link header. Errors name the method and path, never the token.
func (g *githubAPI) request(ctx context.Context, method, rawURL string, in, out any) (string, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return "", err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return "", fmt.Errorf("github: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("github: %s %s: %w", method, req.URL.Path, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return "", fmt.Errorf("github: %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return "", fmt.Errorf("github: %s %s: %s: %s", method, req.URL.Path, resp.Status, e.Message)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return "", fmt.Errorf("github: %s %s: decode answer: %w", method, req.URL.Path, err)
		}
	}
	return resp.Header.Get("Link"), nil
}

// nextLink returns the rel="next" URL of a Link header, or "".
func nextLink(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		u, params, ok := strings.Cut(part, ";")
		if !ok || !strings.Contains(params, `rel="next"`) {
			continue
		}
		u = strings.Trim(strings.TrimSpace(u), "<>")
		if _, err := url.Parse(u); err == nil {
			return u
		}
	}
	return ""
}
