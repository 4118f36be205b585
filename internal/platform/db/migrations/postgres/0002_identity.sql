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
