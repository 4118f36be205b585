-- Built-in roles (Administrator, Manager, Editor, Support, Viewer) carry
-- builtin = true; the server sets their permissions at every start.
ALTER TABLE roles ADD COLUMN builtin BOOLEAN NOT NULL DEFAULT false;
