-- The media library. Bytes live in storage under key (a per-user prefix
-- the server chose); rows say what the pipeline found. status:
-- pending (signed upload issued) → scanning (upload complete, pipeline
-- queued or running) → ready | rejected | failed.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      BIGINT NOT NULL REFERENCES users(id),
    object_key    TEXT NOT NULL UNIQUE,
    filename      TEXT NOT NULL,
    -- the type the uploader declared, and the one sniffed from the bytes
    declared_type TEXT NOT NULL,
    content_type  TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    -- pending, clean, infected or not_scanned (no clamd configured)
    scan          TEXT NOT NULL DEFAULT 'pending',
    reason        TEXT NOT NULL DEFAULT '',
    width         INTEGER NOT NULL DEFAULT 0,
    height        INTEGER NOT NULL DEFAULT 0,
    -- thumbnail sides made, comma-separated (e.g. "256,1024")
    thumbnails    TEXT NOT NULL DEFAULT '',
    title_fa      TEXT NOT NULL DEFAULT '',
    title_en      TEXT NOT NULL DEFAULT '',
    alt_fa        TEXT NOT NULL DEFAULT '',
    alt_en        TEXT NOT NULL DEFAULT '',
    search_text   TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX media_created ON media(created_at, id);
CREATE INDEX media_owner ON media(owner_id, id);
