-- upload_key is where the browser's signed PUT goes (a staging key): the
-- pipeline copies what it accepted to object_key and never reads the
-- staging key again, so a replayed signature cannot change what is
-- served. Empty on rows made before it existed (they uploaded to
-- object_key). reason_code is the stable code of reason (infected,
-- type_mismatch, …) that clients translate.
ALTER TABLE media ADD COLUMN upload_key TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';
