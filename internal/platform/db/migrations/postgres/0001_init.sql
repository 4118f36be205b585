-- Users, roles and permissions: the permission core.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL,
    email_lower   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_superuser  BOOLEAN NOT NULL DEFAULT FALSE,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE roles (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE role_permissions (
    role_id    BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role ON user_roles(role_id);

-- Server-side sessions when Redis is not configured. The id is stored hashed.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Orders.
CREATE TABLE customers (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    email_lower TEXT NOT NULL UNIQUE,
    phone       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE orders (
    id          BIGSERIAL PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    items_count INTEGER NOT NULL,
    subtotal    BIGINT NOT NULL,
    shipping    BIGINT NOT NULL,
    total       BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    -- lower-cased number, customer name and email, for the q filter
    search_text TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_created ON orders(created_at, id);
CREATE INDEX orders_total ON orders(total, id);
CREATE INDEX orders_status_created ON orders(status, created_at, id);
CREATE INDEX orders_customer ON orders(customer_id);

CREATE TABLE order_items (
    id         BIGSERIAL PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL,
    quantity   BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    total      BIGINT NOT NULL
);
CREATE INDEX order_items_order ON order_items(order_id);

CREATE TABLE order_history (
    id          BIGSERIAL PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT,
    actor_email TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_history_order ON order_history(order_id, id);

-- Idempotency-Key records for POST /api/orders, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    resource_id  BIGINT NOT NULL,
    -- the first response, replayed byte for byte
    response     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Audit log: one row per mutation, written in the mutation's transaction.
CREATE TABLE audit_logs (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    actor_id      BIGINT,
    actor_email   TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL DEFAULT '',
    changes       TEXT NOT NULL DEFAULT '{}',
    request_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_logs_resource ON audit_logs(resource_type, resource_id);
CREATE INDEX audit_logs_at ON audit_logs(at);

-- Secrets generated once and shared by every instance (e.g. cursor signing).
CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
