-- Pre-aggregated statistics (the dashboard never scans orders). A day is
-- a calendar day in the configured TIMEZONE, written YYYY-MM-DD. Each order
-- counts on the day it was created, under its current status: creating an
-- order adds it, a status change moves it between statuses of that day.
CREATE TABLE stats_daily (
    day      TEXT NOT NULL,
    currency TEXT NOT NULL,
    status   TEXT NOT NULL,
    orders   BIGINT NOT NULL,
    -- sum of the orders' totals, in the currency's minor unit
    amount   BIGINT NOT NULL,
    PRIMARY KEY (day, currency, status)
);

-- Customers first seen on a day.
CREATE TABLE stats_customers_daily (
    day           TEXT PRIMARY KEY,
    new_customers BIGINT NOT NULL
);

-- The timezone the days above were cut in; a change needs a rebuild.
CREATE TABLE stats_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX customers_created ON customers(created_at);
