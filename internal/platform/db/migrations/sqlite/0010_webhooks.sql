-- Webhooks: URLs told of content events, and the log of what was sent.
-- The signing secret is sealed (AES-256-GCM) under a key derived from
-- SECRET_KEY, never stored in the clear; secret_hint is what the panel shows.
-- events is a comma-separated subscription in a fixed order; '' means every
-- event. version counts the writes of a webhook (its ETag is that of its answer).
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    events        TEXT NOT NULL DEFAULT '',
    secret_sealed TEXT NOT NULL,
    secret_hint   TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    version       BIGINT NOT NULL DEFAULT 1,
    created_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX webhooks_active ON webhooks(active);

-- One row per event sent to one webhook (a test send is event 'ping').
-- delivery_id is the X-Pishkhan-Delivery value, the same on every attempt;
-- payload is the exact body sent. status: pending (queued or retrying) →
-- succeeded (a 2xx) | failed (attempts exhausted, address refused, webhook
-- deactivated). The response_* and error columns hold the latest attempt.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id       BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    delivery_id      TEXT NOT NULL UNIQUE,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    response_code    INTEGER,
    response_excerpt TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    duration_ms      BIGINT NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    completed_at     INTEGER
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
