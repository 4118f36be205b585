package people

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// newInvite replaces the user's unused links with a new one.
func (s *Service) newInvite(ctx context.Context, tx *db.Tx, p *authz.Principal, userID int64, linkBase string) (Invite, error) {
	now := time.Now()
	if err := s.auth.VoidLinks(ctx, tx, userID, now); err != nil {
		return Invite{}, err
	}
	secret := auth.RandomToken()
	inv := Invite{URL: strings.TrimSuffix(linkBase, "/") + "/invite?token=" + secret,
		ExpiresAt: now.Add(InviteLifetime).UTC().Truncate(time.Microsecond)}
	err := s.store.insertInvite(ctx, tx, userID, auth.HashToken(secret), p.UserID, now, inv.ExpiresAt)
	return inv, err
}

// ReinviteUser makes a new set-password link for a user (an admin reset);
// earlier unused links stop working. Nobody makes one for themselves.
func (s *Service) ReinviteUser(ctx context.Context, id int64, linkBase string) (Invite, error) {
	p, err := authz.Require(ctx, PermManageUsers)
	if err != nil {
		return Invite{}, err
	}
	if err := auth.Interactive(p, "making a set-password link"); err != nil {
		return Invite{}, err
	}
	// a link for yourself would change your password without the current
	// one: whoever holds only your session could lock you out
	if id == p.UserID {
		return Invite{}, apperr.New(apperr.PermissionDenied, "you cannot send yourself a set-password link; change your password on your account page").
			WithReason(auth.ReasonSelf)
	}
	var inv Invite
	var email string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// concurrent resets, and changes of the user, take turns: each
		// reset voids the links made before it, and a link goes to the
		// address the user has when it is made
		if err := s.store.lockUser(ctx, tx, id); err != nil {
			return err
		}
		u, err := s.store.loadUserView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.requireOutranks(ctx, tx, p, u); err != nil {
			return err
		}
		email = u.Email
		if inv, err = s.newInvite(ctx, tx, p, id, linkBase); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.invite", ResourceType: "user", ResourceID: itoa(id)})
	})
	if err != nil {
		return Invite{}, err
	}
	s.sendInvite(ctx, &inv, email)
	return inv, nil
}

// badInvite is the one answer for every link that does not work, whatever
// the cause, so a caller learns nothing about why.
func badInvite() error {
	return apperr.New(apperr.NotFound, "this link is invalid, used or expired; ask an administrator for a new one").
		WithReason(ReasonLinkInvalid)
}

// inviteByToken finds a usable link: unused, unexpired, of an active user
// whom its issuer (still active) still outranks as both are now.
func (s *Service) inviteByToken(ctx context.Context, q db.Querier, token string) (id, userID int64, info InviteInfo, err error) {
	if token == "" || len(token) > 128 {
		return 0, 0, info, badInvite()
	}
	inv, err := s.store.inviteByHash(ctx, q, auth.HashToken(token))
	info = inv.Info
	if errors.Is(err, db.ErrNoRows) || err == nil && (inv.UsedAt != nil || !time.Now().Before(info.ExpiresAt)) {
		return 0, 0, info, badInvite()
	}
	if err != nil {
		return 0, 0, info, err
	}
	if inv.Issuer != nil && *inv.Issuer == inv.UserID {
		return 0, 0, info, badInvite() // made for oneself, before that was refused
	}
	if inv.Issuer != nil && *inv.Issuer != 0 { // 0 or NULL: the system (command line)
		if err := s.issuerOutranks(ctx, q, *inv.Issuer, inv.UserID); err != nil {
			return 0, 0, info, err
		}
	}
	return inv.ID, inv.UserID, info, nil
}

// issuerOutranks applies ReinviteUser's rules to a link's issuer as they
// are now (active, holding users.manage, outranking the user): a link
// works only while its issuer could still make it.
func (s *Service) issuerOutranks(ctx context.Context, q db.Querier, issuerID, userID int64) error {
	issuer, err := s.store.loadUserView(ctx, q, issuerID)
	if apperr.CodeOf(err) == apperr.NotFound || err == nil && !issuer.IsActive {
		return badInvite()
	}
	if err != nil {
		return err
	}
	target, err := s.store.loadUserView(ctx, q, userID)
	if err != nil {
		return err
	}
	perms, err := s.store.userPermissions(ctx, q, issuerID)
	if err != nil {
		return err
	}
	p := &authz.Principal{UserID: issuer.ID, Superuser: issuer.IsSuperuser, Permissions: perms}
	if !p.Can(PermManageUsers) {
		return badInvite()
	}
	if err := s.requireOutranks(ctx, q, p, target); err != nil {
		if apperr.CodeOf(err) == apperr.PermissionDenied {
			return badInvite()
		}
		return err
	}
	return nil
}

// CheckInvite tells whose link a token is, without using it.
func (s *Service) CheckInvite(ctx context.Context, token string) (InviteInfo, error) {
	_, _, info, err := s.inviteByToken(ctx, s.db.Reader(), token)
	return info, err
}

// AcceptInvite sets the password of an invite's user and uses the link up;
// every session the user had ends (a reset locks out whoever else got in).
func (s *Service) AcceptInvite(ctx context.Context, in AcceptInviteInput) error {
	if _, _, info, err := s.inviteByToken(ctx, s.db.Reader(), in.Token); err != nil {
		return err
	} else if msg, reason := auth.PasswordRule(in.Password, info.Email); msg != "" {
		return apperr.FieldReason("password", msg, reason)
	}
	hash, err := s.auth.HashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	var userID int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var inviteID int64
		var err error
		if inviteID, userID, _, err = s.inviteByToken(ctx, tx, in.Token); err != nil {
			return err
		}
		// the user's row before the link's, as resets and changes of the
		// user take them (else they deadlock); a link voided meanwhile is
		// caught below
		if err := s.store.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		now := time.Now()
		unused, err := s.store.useInvite(ctx, tx, inviteID, now)
		if err != nil {
			return err
		}
		if !unused {
			return badInvite() // used concurrently
		}
		if err := s.store.SetPasswordHash(ctx, tx, userID, hash, now); err != nil {
			return err
		}
		// a reset locks out whoever else got in, scripts included
		if _, err := s.auth.RevokeUserTokens(ctx, tx, userID, now); err != nil {
			return err
		}
		ctx := authz.With(ctx, &authz.Principal{UserID: userID})
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.invite_accept", ResourceType: "user", ResourceID: itoa(userID),
			Changes: map[string]audit.Change{"password": {From: "***", To: "***"}}})
	})
	if err != nil {
		return err
	}
	s.auth.AccessChanged(ctx, userID)
	if err := s.auth.EndUserAccess(ctx, userID); err != nil {
		return apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	return s.auth.RevokeAfterCredentialChange(ctx, userID)
}

// sendInvite emails inv's link when a mailer is configured; the link is
// then not shown in the API answer. On failure it stays shown, so the
// admin can pass it on by hand.
func (s *Service) sendInvite(ctx context.Context, inv *Invite, to string) {
	if s.mailer == nil {
		return
	}
	body := "You have been invited to Pishkhan. Set your password here (the link works once, until " +
		inv.ExpiresAt.Format(time.RFC1123) + "):\n\n" + inv.URL + "\n\n" +
		"به پیشخوان دعوت شده\u200cاید. برای تعیین گذرواژه این پیوند را باز کنید:\n" + inv.URL + "\n"
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := s.mailer.Send(sctx, to, "Pishkhan: set your password / تعیین گذرواژه", body); err != nil {
		slog.WarnContext(ctx, "invite email failed; the link is shown to the admin instead", "err", err)
		return
	}
	inv.Emailed, inv.URL = true, ""
}
