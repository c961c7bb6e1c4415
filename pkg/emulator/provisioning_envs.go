package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Product environments and their access keys. See provisioning.go for the
// choices made where the spec is silent.

// envJSON is the spec's ProductEnvironment.
type envJSON struct {
	CloudName     string          `json:"cloud_name"`
	Name          string          `json:"name"`
	Enabled       bool            `json:"enabled"`
	ID            string          `json:"id"`
	APIAccessKeys []apiAccessJSON `json:"api_access_keys"`
	CreatedAt     string          `json:"created_at"`
	UpdatedAt     string          `json:"updated_at"`
}

// apiAccessJSON is the spec's ApiAccessKey.
type apiAccessJSON struct {
	Key     string `json:"key"`
	Secret  string `json:"secret"`
	Enabled bool   `json:"enabled"`
}

// accessKeyJSON is the spec's AccessKey.
type accessKeyJSON struct {
	Name      string `json:"name"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Enabled   bool   `json:"enabled"`
}

func (v *provEnv) json() envJSON {
	keys := make([]apiAccessJSON, len(v.keys))
	for i, k := range v.keys {
		keys[i] = apiAccessJSON{Key: k.apiKey, Secret: k.apiSecret, Enabled: k.enabled}
	}
	return envJSON{CloudName: v.cloudName, Name: v.name, Enabled: v.enabled, ID: v.id, APIAccessKeys: keys,
		CreatedAt: isoTime(v.created), UpdatedAt: isoTime(v.updated)}
}

func (k *provKey) json() accessKeyJSON {
	return accessKeyJSON{Name: k.name, APIKey: k.apiKey, APISecret: k.apiSecret, Enabled: k.enabled,
		CreatedAt: isoTime(k.created), UpdatedAt: isoTime(k.updated)}
}

// envParam finds the product environment of the path's sub_account_id.
func (s *provState) envParam(c *call) (*provEnv, reply, bool) {
	id := c.param("sub_account_id")
	v := s.env(id)
	if v == nil {
		return nil, c.fail(http.StatusNotFound, fmt.Sprintf("product environment %q not found", id)), false
	}
	return v, reply{}, true
}

func (s *provState) getProductEnvironments(c *call) reply {
	ids, rep, ok := c.listParam("ids")
	if !ok {
		return rep
	}
	clouds, rep, ok := c.listParam("cloud_names")
	if !ok {
		return rep
	}
	enabled, hasEnabled, rep, ok := c.boolParam("enabled")
	if !ok {
		return rep
	}
	prefix := strings.ToLower(c.query().Get("prefix"))
	out := []envJSON{}
	for _, v := range s.envs {
		if len(ids) > 0 {
			// "When provided, other parameters are ignored."
			if slices.Contains(ids, v.id) {
				out = append(out, v.json())
			}
			continue
		}
		if hasEnabled && v.enabled != enabled {
			continue
		}
		if len(clouds) > 0 && !slices.Contains(clouds, v.cloudName) {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(v.name), prefix) {
			continue
		}
		out = append(out, v.json())
	}
	return ok200(map[string]any{"sub_accounts": out})
}

// ok200 is ok under a name that does not shadow the ok booleans above.
func ok200(body any) reply { return ok(body) }

func (s *provState) createProductEnvironment(c *call) reply {
	var body struct {
		Name             *string        `json:"name"`
		CloudName        *string        `json:"cloud_name"`
		BaseSubAccountID *string        `json:"base_sub_account_id"`
		CustomAttributes map[string]any `json:"custom_attributes"`
		// Not in the spec, sent by the classic SDKs: accepted and ignored
		// (NOTES.md P11), so a client relying on it is caught.
		Enabled *bool `json:"enabled"`
	}
	if rep, ok := c.decodeStrict(&body); !ok {
		return rep
	}
	if body.Name == nil || strings.TrimSpace(*body.Name) == "" {
		return c.fail(http.StatusBadRequest, "name is required")
	}
	cloud := ""
	if body.CloudName != nil {
		cloud = *body.CloudName
		if rep, ok := s.checkCloudName(c, cloud, nil); !ok {
			return rep
		}
	} else {
		cloud = s.newCloudName()
	}
	if body.BaseSubAccountID != nil && s.env(*body.BaseSubAccountID) == nil {
		// 400, not 404: the operation lists no 404, and this is a bad
		// field of the request rather than a missing resource in the path.
		return c.fail(http.StatusBadRequest, fmt.Sprintf("base_sub_account_id %q: product environment not found", *body.BaseSubAccountID))
	}
	v := s.addEnv(s.uniqueID(32), cloud, *body.Name, true, cloneMap(body.CustomAttributes))
	s.addKey(v, "", "", true)
	// Users with access to all product environments get the new one too:
	// allSubAccounts covers it.
	return ok(v.json())
}

// checkCloudName validates a requested cloud_name; self is the environment
// being renamed (nil on create).
func (s *provState) checkCloudName(c *call, cloud string, self *provEnv) (reply, bool) {
	if !cloudNameRE.MatchString(cloud) {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("invalid cloud_name %q: use lower-case letters, digits, '-' and '_'", cloud)), false
	}
	if other := s.envByCloudName(cloud); other != nil && other != self {
		return c.fail(http.StatusConflict, fmt.Sprintf("cloud_name %q already exists", cloud)), false
	}
	return reply{}, true
}

func (s *provState) getProductEnvironment(c *call) reply {
	v, rep, ok := s.envParam(c)
	if !ok {
		return rep
	}
	return ok200(v.json())
}

func (s *provState) updateProductEnvironment(c *call) reply {
	v, rep, found := s.envParam(c)
	if !found {
		return rep
	}
	var body struct {
		Name             *string        `json:"name"`
		CloudName        *string        `json:"cloud_name"`
		CustomAttributes map[string]any `json:"custom_attributes"`
		Enabled          *bool          `json:"enabled"`
	}
	if rep, ok := c.decodeStrict(&body); !ok {
		return rep
	}
	if body.Name != nil && strings.TrimSpace(*body.Name) == "" {
		return c.fail(http.StatusBadRequest, "name must not be empty")
	}
	if body.CloudName != nil {
		if rep, ok := s.checkCloudName(c, *body.CloudName, v); !ok {
			return rep
		}
	}
	// Strict PUT (provisioning.go): absent fields reset to their defaults.
	if body.Name != nil {
		v.name = *body.Name
	}
	if body.CloudName != nil {
		v.cloudName = *body.CloudName
	}
	v.customAttributes = cloneMap(body.CustomAttributes)
	v.enabled = boolOr(body.Enabled, true)
	v.updated = s.e.now()
	return ok(v.json())
}

func (s *provState) deleteProductEnvironment(c *call) reply {
	v, rep, ok := s.envParam(c)
	if !ok {
		return rep
	}
	s.envs = slices.DeleteFunc(s.envs, func(x *provEnv) bool { return x == v })
	for _, u := range s.users {
		if !u.allSubAccounts {
			u.subAccounts = slices.DeleteFunc(u.subAccounts, func(id string) bool { return id == v.id })
		}
	}
	for _, k := range v.keys {
		s.e.perm.forgetPrincipal("apiKey", k.apiKey)
	}
	s.e.perm.forgetScope(v.id)
	return okMessage()
}

// ---- access keys ----

var accessKeySortBy = []string{"api_key", "created_at", "name", "enabled"}

func (s *provState) getAccessKeys(c *call) reply {
	v, rep, ok := s.envParam(c)
	if !ok {
		return rep
	}
	page, hasPage, rep, ok := c.positiveInt("page")
	if !ok {
		return rep
	}
	if page > AccessKeysMaxPage {
		return c.invalid("invalid page %d: at most %d", page, AccessKeysMaxPage)
	}
	size, hasSize, rep, ok := c.positiveInt("page_size")
	if !ok {
		return rep
	}
	sortBy := c.query().Get("sort_by")
	if sortBy == "" {
		sortBy = "created_at"
	} else if !slices.Contains(accessKeySortBy, sortBy) {
		return c.invalid("invalid sort_by %q: expected one of %s", sortBy, strings.Join(accessKeySortBy, ", "))
	}
	dir, rep, ok := c.sortOrder()
	if !ok {
		return rep
	}
	keys := slices.Clone(v.keys)
	slices.SortStableFunc(keys, func(a, b *provKey) int {
		var r int
		switch sortBy {
		case "api_key":
			r = cmp.Compare(a.apiKey, b.apiKey)
		case "name":
			r = cmp.Compare(a.name, b.name)
		case "enabled":
			r = cmp.Compare(b2i(a.enabled), b2i(b.enabled))
		default:
			r = a.created.Compare(b.created)
		}
		return dir * cmp.Or(r, cmp.Compare(a.seq, b.seq))
	})
	total := len(keys)
	if hasPage {
		if !hasSize {
			size = AccessKeysDefaultPageSize
		}
		keys = pageOf(keys, page, size)
	}
	out := make([]accessKeyJSON, len(keys))
	for i, k := range keys {
		out[i] = k.json()
	}
	return ok200(map[string]any{"access_keys": out, "total": total})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pageOf returns the 1-based page of size items; empty past the end.
func pageOf[T any](items []T, page, size int) []T {
	start := (page - 1) * size
	if start >= len(items) || start < 0 {
		return items[:0:0]
	}
	return items[start:min(len(items), start+size)]
}

func (s *provState) generateAccessKey(c *call) reply {
	v, rep, found := s.envParam(c)
	if !found {
		return rep
	}
	var body struct {
		Name    *string `json:"name"`
		Enabled *bool   `json:"enabled"`
	}
	if rep, ok := c.decodeStrict(&body); !ok {
		return rep
	}
	name := ""
	if body.Name != nil {
		name = *body.Name
	}
	if name != "" && v.keyByName(name) != nil {
		return c.fail(http.StatusConflict, fmt.Sprintf("access key named %q already exists in %s", name, v.cloudName))
	}
	k := s.addKey(v, name, "", boolOr(body.Enabled, true))
	return ok(k.json())
}

func (s *provState) keyParam(c *call) (*provEnv, *provKey, reply, bool) {
	v, rep, ok := s.envParam(c)
	if !ok {
		return nil, nil, rep, false
	}
	key := c.param("key")
	k := v.key(key)
	if k == nil {
		return nil, nil, c.fail(http.StatusNotFound, fmt.Sprintf("access key %q not found in product environment %q", key, v.id)), false
	}
	return v, k, reply{}, true
}

func (s *provState) updateAccessKey(c *call) reply {
	v, k, rep, found := s.keyParam(c)
	if !found {
		return rep
	}
	var body struct {
		Name         *string `json:"name"`
		Enabled      *bool   `json:"enabled"`
		DedicatedFor *string `json:"dedicated_for"`
	}
	if rep, ok := c.decodeStrict(&body); !ok {
		return rep
	}
	if body.DedicatedFor != nil && *body.DedicatedFor != "webhooks" {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("invalid dedicated_for %q: expected webhooks", *body.DedicatedFor))
	}
	// Strict PUT (provisioning.go): absent fields reset to their defaults.
	name := ""
	if body.Name != nil {
		name = *body.Name
	}
	if other := v.keyByName(name); name != "" && other != nil && other != k {
		return c.fail(http.StatusConflict, fmt.Sprintf("access key named %q already exists in %s", name, v.cloudName))
	}
	k.name = name
	k.enabled = boolOr(body.Enabled, true)
	k.dedicatedFor = ""
	if body.DedicatedFor != nil {
		// "This action replaces any previously assigned key."
		for _, o := range v.keys {
			if o.dedicatedFor == *body.DedicatedFor {
				o.dedicatedFor = ""
			}
		}
		k.dedicatedFor = *body.DedicatedFor
	}
	k.updated = s.e.now()
	return ok(k.json())
}

func (s *provState) removeKey(v *provEnv, k *provKey) {
	v.keys = slices.DeleteFunc(v.keys, func(x *provKey) bool { return x == k })
	s.e.perm.forgetPrincipal("apiKey", k.apiKey)
}

func (s *provState) deleteAccessKey(c *call) reply {
	v, k, rep, ok := s.keyParam(c)
	if !ok {
		return rep
	}
	s.removeKey(v, k)
	return okMessage()
}

func (s *provState) deleteAccessKeyByName(c *call) reply {
	v, rep, ok := s.envParam(c)
	if !ok {
		return rep
	}
	name := c.query().Get("name")
	if name == "" {
		return c.fail(http.StatusBadRequest, "query parameter name is required")
	}
	k := v.keyByName(name)
	if k == nil {
		return c.fail(http.StatusNotFound, fmt.Sprintf("access key named %q not found in product environment %q", name, v.id))
	}
	s.removeKey(v, k)
	return okMessage()
}
