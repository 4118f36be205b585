-- AI providers: OpenAI-compatible APIs the panel generates text and images
-- with. The API key is sealed (AES-256-GCM) under a key derived from
-- SECRET_KEY ("a1:<key id>:…"), never stored in the clear; '' means none.
-- source 'env' is the one provider defined by AI_BASE_URL and friends,
-- rewritten from the environment at every start and read-only in the API
-- (its key stays in the environment: api_key_sealed is '' there).
-- Prices are integers in the minor unit of currency: per million input
-- tokens, per million output tokens, per image. At most one provider is the
-- default. version counts the writes of a provider (its ETag follows its answer).
CREATE TABLE ai_providers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL DEFAULT 'panel' CHECK (source IN ('panel', 'env')),
    base_url        TEXT NOT NULL,
    api_key_sealed  TEXT NOT NULL DEFAULT '',
    chat_model      TEXT NOT NULL DEFAULT '',
    image_model     TEXT NOT NULL DEFAULT '',
    embedding_model TEXT NOT NULL DEFAULT '',
    input_price     BIGINT NOT NULL DEFAULT 0 CHECK (input_price >= 0),
    output_price    BIGINT NOT NULL DEFAULT 0 CHECK (output_price >= 0),
    image_price     BIGINT NOT NULL DEFAULT 0 CHECK (image_price >= 0),
    currency        TEXT NOT NULL DEFAULT 'USD',
    stream_usage    INTEGER NOT NULL DEFAULT 1,
    enabled         INTEGER NOT NULL DEFAULT 1,
    is_default      INTEGER NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ai_providers_one_env ON ai_providers(source) WHERE source = 'env';
CREATE UNIQUE INDEX ai_providers_one_default ON ai_providers(is_default) WHERE is_default = 1;

-- The usage ledger: one row per provider call (internal/platform/llm's
-- Ledger). A row is written 'reserved' before the call with what the call
-- may use at most (tokens, cost), so concurrent calls cannot both pass a
-- budget, then 'settled' after it with what it used, its latency and
-- outcome ('ok' or the failure's kind). cost is in currency's minor unit,
-- rounded up. provider is the provider's name at the time (providers may
-- be renamed or removed; provider_id then names no row).
CREATE TABLE ai_usage (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    user_id       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    feature       TEXT NOT NULL,
    provider_id   BIGINT,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('reserved', 'settled')),
    input_tokens  BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    images        BIGINT NOT NULL DEFAULT 0,
    cost          BIGINT NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL,
    estimated     INTEGER NOT NULL DEFAULT 0,
    latency_ms    BIGINT NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ai_usage_at ON ai_usage(at);
CREATE INDEX ai_usage_user_at ON ai_usage(user_id, at);

-- Budgets: a cap on tokens and/or cost per day or month (days and months
-- cut in TIMEZONE). scope 'user' caps one user; 'role' caps each member of
-- the role (a user budget of the same period replaces the role budgets).
CREATE TABLE ai_budgets (
    scope      TEXT NOT NULL CHECK (scope IN ('role', 'user')),
    subject_id BIGINT NOT NULL,
    period     TEXT NOT NULL CHECK (period IN ('day', 'month')),
    max_tokens BIGINT CHECK (max_tokens >= 0),
    max_cost   BIGINT CHECK (max_cost >= 0),
    PRIMARY KEY (scope, subject_id, period)
);

-- Prompt templates: a system and a user prompt with {{name}} placeholders,
-- each one of the declared variables (JSON: [{name, description, required,
-- max_length}]). builtin ones are written at start when missing (never
-- over an administrator's edit) and can be reset but not deleted.
CREATE TABLE ai_templates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    user_prompt   TEXT NOT NULL,
    variables     TEXT NOT NULL,
    builtin       INTEGER NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL DEFAULT 1,
    updated_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
