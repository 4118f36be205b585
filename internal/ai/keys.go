package ai

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// Providers' API keys are stored sealed (AES-256-GCM) under a key derived
// from SECRET_KEY, which never enters the database, like webhooks' signing
// secrets. A sealed key reads "a1:<key id>:<base64 nonce+ciphertext>".

// keyUse binds a sealed value to this use: a value cut from another table
// sealed under the same SECRET_KEY would not open here.
var keyUse = keys.Use{Prefix: "a1:", Purpose: "pishkhan ai provider keys v1", AAD: []byte("pishkhan ai provider key"), ErrUnknown: ErrUnknownKey}

// ErrUnknownKey means a provider's key is sealed under a key that is
// neither SECRET_KEY nor in SECRET_KEY_OLD.
var ErrUnknownKey = errors.New("an AI provider's key is sealed under a key that is neither SECRET_KEY nor in SECRET_KEY_OLD")

// Sealer seals providers' API keys under SECRET_KEY and opens those sealed
// under it or an earlier key.
type Sealer struct{ ring keys.Ring }

// NewSealer derives the keys from SECRET_KEY (current) and the earlier
// SECRET_KEYs still accepted (old).
func NewSealer(current []byte, old ...[]byte) Sealer {
	return Sealer{ring: keys.NewRing(keyUse, current, old...)}
}

func (s Sealer) seal(key string) (string, error) {
	if key == "" {
		return "", nil
	}
	return s.ring.Seal([]byte(key))
}

func (s Sealer) open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	out, err := s.ring.Open(sealed)
	return string(out), err
}

// CheckKeys refuses keys that cannot open the stored provider keys: it
// names every key id found in the database that is neither SECRET_KEY nor
// in SECRET_KEY_OLD, before a generation fails on it.
func (s *Service) CheckKeys(ctx context.Context) error {
	stored, err := sealedKeys(ctx, s.db.Reader())
	if err != nil {
		return err
	}
	unknown := map[string]bool{}
	for _, sealed := range stored {
		if id := s.sealer.ring.KeyID(sealed); !s.sealer.ring.Knows(id) {
			unknown["key id "+id] = true
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	names := make([]string, 0, len(unknown))
	for n := range unknown {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("%w: stored AI provider keys are sealed under %s; SECRET_KEY (key id %s) cannot open them: set SECRET_KEY to the key they were sealed with, or list it in SECRET_KEY_OLD",
		ErrUnknownKey, strings.Join(names, ", "), s.sealer.ring.CurrentID())
}

// Reseal re-encrypts under SECRET_KEY every provider key sealed under one
// of SECRET_KEY_OLD (`pishkhan secrets rotate`) and returns how many.
// Keys no key opens are left as they are and named in the error.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	stored, err := sealedKeys(ctx, s.db.Reader())
	if err != nil {
		return 0, err
	}
	ids := make([]int64, 0, len(stored))
	for id := range stored {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	n := 0
	var failed []string
	for _, id := range ids {
		sealed := stored[id]
		if s.sealer.ring.KeyID(sealed) == s.sealer.ring.CurrentID() {
			continue
		}
		plain, err := s.sealer.open(sealed)
		if err != nil {
			failed = append(failed, fmt.Sprintf("AI provider %d", id))
			continue
		}
		next, err := s.sealer.seal(plain)
		if err != nil {
			return n, err
		}
		done, err := resealKey(ctx, s.db.Writer(), id, sealed, next)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	if len(failed) > 0 {
		return n, fmt.Errorf("%w: %s; give the key they were sealed with in SECRET_KEY_OLD and run again", ErrUnknownKey, strings.Join(failed, ", "))
	}
	return n, nil
}
