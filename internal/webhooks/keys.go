package webhooks

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// CheckKeys refuses keys that cannot open the stored signing secrets: it
// names every key id found in the database that is neither SECRET_KEY nor
// in SECRET_KEY_OLD, before any delivery fails on it.
func (s *Service) CheckKeys(ctx context.Context) error {
	stored, err := sealedSecrets(ctx, s.db.Reader())
	if err != nil {
		return err
	}
	unknown := map[string]bool{}
	for _, st := range stored {
		if id := s.sealer.ring.KeyID(st.sealed); !s.sealer.ring.Knows(id) {
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
	return fmt.Errorf("%w: stored webhook secrets are sealed under %s; SECRET_KEY (key id %s) cannot open them: set SECRET_KEY to the key they were sealed with, or list it in SECRET_KEY_OLD",
		ErrUnknownKey, strings.Join(names, ", "), s.sealer.ring.CurrentID())
}

// Reseal re-encrypts under SECRET_KEY every signing secret sealed under one
// of SECRET_KEY_OLD (`pishkhan secrets rotate`), and returns how many. The
// secrets themselves do not change: receivers notice nothing. Secrets no
// key opens are left as they are and named in the error, by webhook id.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	stored, err := sealedSecrets(ctx, s.db.Reader())
	if err != nil {
		return 0, err
	}
	n := 0
	var failed []string
	for _, st := range stored {
		if s.sealer.ring.KeyID(st.sealed) == s.sealer.ring.CurrentID() {
			continue
		}
		plain, err := s.sealer.Open(st.sealed)
		if err != nil {
			failed = append(failed, fmt.Sprintf("webhook %d", st.id))
			continue
		}
		sealed, err := s.sealer.Seal(plain)
		if err != nil {
			return n, err
		}
		done, err := resealSecret(ctx, s.db.Writer(), st.id, st.sealed, sealed)
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
