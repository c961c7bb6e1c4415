package emulator

// Creating provisioning objects: fresh ids, secrets and api_keys, and the
// environments and keys handlers and seeds both add.

import ()

// uniqueID returns a fresh hex id of n characters unused by any object.
func (s *provState) uniqueID(n int) string {
	for {
		id := s.e.newID(n)
		if s.env(id) == nil && s.user(id) == nil && s.group(id) == nil {
			return id
		}
	}
}

// newSecret returns a random api_secret: 27 characters of [A-Za-z0-9].
func (s *provState) newSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 27)
	for i := range b {
		b[i] = alphabet[s.e.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *provState) newAPIKey() string {
	for {
		k := s.e.newDigits(15)
		if !s.accessKeyExists(k) {
			return k
		}
	}
}

// newCloudName returns an unused auto-generated cloud name.
func (s *provState) newCloudName() string {
	for {
		c := "d" + s.e.newID(9)
		if s.envByCloudName(c) == nil {
			return c
		}
	}
}

func (s *provState) addEnv(id, cloud, name string, enabled bool, attrs map[string]any) *provEnv {
	now := s.e.now()
	v := &provEnv{id: id, cloudName: cloud, name: name, enabled: enabled, customAttributes: attrs,
		created: now, updated: now, seq: s.nextSeq()}
	s.envs = append(s.envs, v)
	return v
}

func (s *provState) addKey(v *provEnv, name, apiKey string, enabled bool) *provKey {
	if apiKey == "" {
		apiKey = s.newAPIKey()
	}
	now := s.e.now()
	k := &provKey{name: name, apiKey: apiKey, apiSecret: s.newSecret(), enabled: enabled, root: len(v.keys) == 0,
		created: now, updated: now, seq: s.nextSeq()}
	s.issued = append(s.issued, k.apiSecret) // clock.go: IssuedSecrets
	v.keys = append(v.keys, k)
	return k
}
