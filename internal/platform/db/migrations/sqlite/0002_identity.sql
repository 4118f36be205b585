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
