-- Old slugs of published projects: the public API answers an old slug with
-- 301 naming the project's current one, as it does for posts
-- (post_slug_redirects). A row is written when a published project's slug
-- or language changes; rows naming a slug are dropped when a project is
-- published under it (the live project wins), and a project's rows when it
-- leaves published (unpublished or archived) or is deleted.
CREATE TABLE project_slug_redirects (
    lang       TEXT NOT NULL,
    old_slug   TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lang, old_slug)
);
CREATE INDEX project_slug_redirects_project ON project_slug_redirects (project_id);
