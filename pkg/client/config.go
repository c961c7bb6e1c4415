package client

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvAccountURL = "CLOUDINARY_ACCOUNT_URL"             // account://KEY:SECRET@ACCOUNT_ID
	EnvAccountID  = "CLOUDINARY_ACCOUNT_ID"              // wins over the URL
	EnvAPIKey     = "CLOUDINARY_PROVISIONING_API_KEY"    // wins over the URL
	EnvAPISecret  = "CLOUDINARY_PROVISIONING_API_SECRET" // wins over the URL
	EnvRegion     = "CLOUDINARY_REGION"                  // api, api-eu or api-ap
	EnvAPIURL     = "CLDSYNC_API_URL"                    // base URL override (the emulator)
	EnvDebug      = "CLDSYNC_DEBUG"                      // 1 enables debug HTTP logging
)

// Config is the client configuration read from the environment. Its
// String form never shows the secret.
type Config struct {
	AccountID string
	APIKey    string
	APISecret Secret
	Region    string // "" means the default, "api"
	BaseURL   string // "" means https://{region}.cloudinary.com
	Debug     bool

	// AccountIDFrom, APIKeyFrom and APISecretFrom name the environment
	// variable each credential was read from, so that a 401 can say which
	// credentials were sent without showing the secret (Describe).
	AccountIDFrom, APIKeyFrom, APISecretFrom string
}

// String describes the configuration without the secret.
func (c Config) String() string {
	return fmt.Sprintf("account=%s key=%s secret=%s region=%s base_url=%s debug=%t",
		c.AccountID, c.APIKey, c.APISecret, c.Region, c.BaseURL, c.Debug)
}

// ConfigFromEnv reads the configuration through getenv (os.Getenv in
// production, a map in tests). Credentials come from CLOUDINARY_ACCOUNT_URL
// (account://KEY:SECRET@ACCOUNT_ID), each overridden by
// CLOUDINARY_ACCOUNT_ID, CLOUDINARY_PROVISIONING_API_KEY and
// CLOUDINARY_PROVISIONING_API_SECRET, the convention of Cloudinary's SDKs.
// Errors name the missing or malformed variable and never echo a secret.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	var errs []error
	if raw := strings.TrimSpace(getenv(EnvAccountURL)); raw != "" {
		id, key, secret, err := parseAccountURL(raw)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.AccountID, cfg.APIKey, cfg.APISecret = id, key, Secret(secret)
		cfg.AccountIDFrom, cfg.APIKeyFrom, cfg.APISecretFrom = EnvAccountURL, EnvAccountURL, EnvAccountURL
	}
	if v := strings.TrimSpace(getenv(EnvAccountID)); v != "" {
		cfg.AccountID, cfg.AccountIDFrom = v, EnvAccountID
	}
	if v := strings.TrimSpace(getenv(EnvAPIKey)); v != "" {
		cfg.APIKey, cfg.APIKeyFrom = v, EnvAPIKey
	}
	if v := strings.TrimSpace(getenv(EnvAPISecret)); v != "" {
		cfg.APISecret, cfg.APISecretFrom = Secret(v), EnvAPISecret
	}
	if len(errs) == 0 {
		for _, m := range []struct{ val, env, what string }{
			{cfg.AccountID, EnvAccountID, "account id"},
			{cfg.APIKey, EnvAPIKey, "Account API key"},
			{string(cfg.APISecret), EnvAPISecret, "Account API secret"},
		} {
			if m.val == "" {
				errs = append(errs, fmt.Errorf("missing %s: set %s, or %s=account://KEY:SECRET@ACCOUNT_ID", m.what, m.env, EnvAccountURL))
			}
		}
	}
	if cfg.AccountID != "" {
		if err := checkID("account id", cfg.AccountID); err != nil {
			errs = append(errs, fmt.Errorf("%s/%s: %w", EnvAccountID, EnvAccountURL, err))
		}
	}
	if v := strings.TrimSpace(getenv(EnvRegion)); v != "" {
		if !validRegion(v) {
			errs = append(errs, fmt.Errorf("%s=%q: want one of %s", EnvRegion, v, strings.Join(Regions, ", ")))
		}
		cfg.Region = v
	}
	if v := strings.TrimSpace(getenv(EnvAPIURL)); v != "" {
		if _, err := parseBaseURL(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvAPIURL, err))
		}
		cfg.BaseURL = v
	}
	switch v := strings.TrimSpace(getenv(EnvDebug)); strings.ToLower(v) {
	case "", "0", "false", "no", "off":
	case "1", "true", "yes", "on":
		cfg.Debug = true
	default:
		errs = append(errs, fmt.Errorf("%s=%q: want 1 or 0", EnvDebug, v))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("client config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// Describe lists the credentials and host the configuration sends, one
// "name: value (from VARIABLE)" line each, for an error to show when the
// service refuses them. It never shows the secret, only where it came from.
// A base URL override is named, not shown: the emulator's differs run to run.
func (c Config) Describe() string {
	from := func(env string) string {
		if env == "" {
			return ""
		}
		return " (from " + env + ")"
	}
	region := c.Region
	regionFrom := " (from " + EnvRegion + ")"
	if region == "" {
		region, regionFrom = defaultRegion, " (the default; "+EnvRegion+" not set)"
	}
	host := "https://" + region + ".cloudinary.com, region " + region + regionFrom
	if c.BaseURL != "" {
		host = "the base URL in " + EnvAPIURL
	}
	return strings.Join([]string{
		"account id: " + c.AccountID + from(c.AccountIDFrom),
		"API key:    " + c.APIKey + from(c.APIKeyFrom),
		"API secret: not shown" + from(c.APISecretFrom),
		"API host:   " + host,
	}, "\n")
}

// parseAccountURL splits account://KEY:SECRET@ACCOUNT_ID. Its errors never
// include the value, which holds the secret.
func parseAccountURL(raw string) (id, key, secret string, err error) {
	const want = "want account://KEY:SECRET@ACCOUNT_ID (value not shown: it holds the secret)"
	// A secret holding / ? # % or a space breaks the URL apart, and the
	// error that follows says little: say how to write it.
	hint := fmt.Sprintf("; if the key or secret holds characters such as / ? # %% or a space, percent-encode them (/ as %%2F, ? as %%3F, # as %%23, %% as %%25, space as %%20), or unset %s and set %s, %s and %s instead",
		EnvAccountURL, EnvAccountID, EnvAPIKey, EnvAPISecret)
	u, perr := url.Parse(raw)
	if perr != nil {
		return "", "", "", fmt.Errorf("%s is not a URL: %s%s", EnvAccountURL, want, hint)
	}
	if u.Scheme != "account" {
		return "", "", "", fmt.Errorf("%s has scheme %q: %s", EnvAccountURL, u.Scheme, want)
	}
	if u.User == nil {
		return "", "", "", fmt.Errorf("%s has no KEY:SECRET: %s%s", EnvAccountURL, want, hint)
	}
	key = u.User.Username()
	secret, _ = u.User.Password()
	id = u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "", "", fmt.Errorf("%s has a path, query or fragment: %s%s", EnvAccountURL, want, hint)
	}
	var missing []string
	if key == "" {
		missing = append(missing, "KEY")
	}
	if secret == "" {
		missing = append(missing, "SECRET")
	}
	if id == "" {
		missing = append(missing, "ACCOUNT_ID")
	}
	if len(missing) > 0 {
		return "", "", "", fmt.Errorf("%s lacks %s: %s%s", EnvAccountURL, strings.Join(missing, ", "), want, hint)
	}
	return id, key, secret, nil
}

// Options turns the configuration into client options.
func (c Config) Options() []Option {
	opts := []Option{WithCredentials(c.AccountID, c.APIKey, string(c.APISecret))}
	if c.Region != "" {
		opts = append(opts, WithRegion(c.Region))
	}
	if c.BaseURL != "" {
		opts = append(opts, WithBaseURL(c.BaseURL))
	}
	return opts
}

// WithDebugWriter names where NewFromEnv sends debug logs when
// CLDSYNC_DEBUG=1 (text slog records). Without it they go to os.Stderr.
// It has no effect outside NewFromEnv or when a WithLogger is given.
func WithDebugWriter(w io.Writer) Option {
	return func(s *settings) error {
		if w == nil {
			return errors.New("WithDebugWriter: nil writer")
		}
		s.debugWriter = w
		return nil
	}
}

// NewFromEnv is ConfigFromEnv followed by New; opts come after the
// environment's, so they win.
func NewFromEnv(getenv func(string) string, opts ...Option) (*Client, error) {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	all := append(cfg.Options(), opts...)
	if cfg.Debug {
		all = append(all, func(s *settings) error {
			if s.logger == nil {
				w := s.debugWriter
				if w == nil {
					w = os.Stderr
				}
				s.logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			return nil
		})
	}
	return New(all...)
}
