-- Built-in roles (Administrator, Manager, Editor, Support, Viewer) carry
-- builtin = true; the server sets their permissions at every start.
ALTER TABLE roles ADD COLUMN builtin BOOLEAN NOT NULL DEFAULT false;

-- API tokens for scripts: the secret is shown once and stored as its
-- SHA-256; permissions (a JSON array) are a subset of the creator's.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

-- Sessions get a public integer id (the API lists and revokes by it). The
-- table records every session in both modes; with Redis it is the index
-- behind "my sessions", while Redis answers the per-request lookups.
ALTER TABLE sessions ADD COLUMN id BIGSERIAL UNIQUE;

-- One-time set-password links for invited users and admin resets; the
-- secret is stored as its SHA-256. Invited users have password_hash ''.
CREATE TABLE invites (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX invites_user ON invites(user_id);

-- Second factor (TOTP, RFC 6238). Secrets are stored encrypted (AES-GCM
-- with a key in app_secrets); totp_last_step refuses a code's replay.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE roles ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE recovery_codes (
    id        BIGSERIAL PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Tamper-evident audit log: each row carries the SHA-256 of its content
-- and of the previous row's hash (pishkhan audit verify walks the chain).
-- Rows are append-only: a trigger refuses UPDATE and DELETE unless the
-- purge gate is open in the same transaction (only `audit purge` opens it,
-- after exporting what it deletes; audit_anchor keeps the chain's start).
ALTER TABLE audit_logs ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_logs ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_logs_actor ON audit_logs(actor_id, id);
CREATE INDEX audit_logs_action ON audit_logs(action, id);
CREATE TABLE audit_purge_gate (opened_at TIMESTAMPTZ NOT NULL);
CREATE TABLE audit_anchor (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    purged_through_id BIGINT NOT NULL,
    hash              TEXT NOT NULL
);
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_purge_gate) THEN
        RAISE EXCEPTION 'audit_logs is append-only';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
-- new rows must be chained (NOT VALID: rows from before the chain stay)
ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_chained CHECK (hash <> '' AND id > 0) NOT VALID;
