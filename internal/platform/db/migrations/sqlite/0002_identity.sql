-- Built-in roles (Administrator, Manager, Editor, Support, Viewer) carry
-- builtin = true; the server sets their permissions at every start.
ALTER TABLE roles ADD COLUMN builtin INTEGER NOT NULL DEFAULT 0;

-- API tokens for scripts: the secret is shown once and stored as its
-- SHA-256; permissions (a JSON array) are a subset of the creator's.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

-- Sessions get a public integer id (the API lists and revokes by it); SQLite
-- cannot add an autoincrement column, so the table is rebuilt.
CREATE TABLE sessions_v2 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    id_hash      TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
INSERT INTO sessions_v2 (id_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at)
    SELECT id_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time set-password links for invited users and admin resets; the
-- secret is stored as its SHA-256. Invited users have password_hash ''.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX invites_user ON invites(user_id);

-- Second factor (TOTP, RFC 6238). Secrets are stored encrypted (AES-GCM
-- with a key in app_secrets); totp_last_step refuses a code's replay.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE roles ADD COLUMN require_totp INTEGER NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Tamper-evident audit log: each row carries the SHA-256 of its content
-- and of the previous row's hash (pishkhan audit verify walks the chain).
-- Rows are append-only: triggers refuse UPDATE and DELETE unless the purge
-- gate is open in the same transaction (only `audit purge` opens it, after
-- exporting what it deletes; audit_anchor keeps the chain's start).
ALTER TABLE audit_logs ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_logs ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_logs_actor ON audit_logs(actor_id, id);
CREATE INDEX audit_logs_action ON audit_logs(action, id);
CREATE TABLE audit_purge_gate (opened_at INTEGER NOT NULL);
CREATE TABLE audit_anchor (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    purged_through_id BIGINT NOT NULL,
    hash              TEXT NOT NULL
);
CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_gate)
    BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only'); END;
CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_gate)
    BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only'); END;
-- new rows must be chained
CREATE TRIGGER audit_logs_chained BEFORE INSERT ON audit_logs WHEN NEW.hash = ''
    BEGIN SELECT RAISE(ABORT, 'audit rows must be chained'); END;
