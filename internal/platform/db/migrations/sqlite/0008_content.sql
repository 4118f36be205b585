-- Content: the blog and the portfolio (API.md section 8).
--
-- A post's row is its working copy, what editors see and change. What the
-- website shows is post_live: a snapshot written when the post is
-- published and removed when it is unpublished, so editing a published
-- post leaves the live version up until the changes are published, and the
-- public API, which reads only post_live, can never show a draft.

-- Tags and categories, per language; slug is search.Slugify(name).
CREATE TABLE content_terms (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind  TEXT NOT NULL CHECK (kind IN ('tag', 'category')),
    lang  TEXT NOT NULL,
    slug  TEXT NOT NULL,
    name  TEXT NOT NULL,
    UNIQUE (kind, lang, slug)
);

CREATE TABLE posts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    lang              TEXT NOT NULL,
    slug              TEXT NOT NULL,
    title             TEXT NOT NULL,
    body_md           TEXT NOT NULL DEFAULT '',
    body_html         TEXT NOT NULL DEFAULT '',
    excerpt           TEXT NOT NULL DEFAULT '',
    cover_media_id    BIGINT REFERENCES media(id) ON DELETE SET NULL,
    seo_title         TEXT NOT NULL DEFAULT '',
    seo_description   TEXT NOT NULL DEFAULT '',
    canonical_url     TEXT NOT NULL DEFAULT '',
    og_image_media_id BIGINT REFERENCES media(id) ON DELETE SET NULL,
    -- the post this one translates (its other-language version), or NULL
    translation_of    BIGINT REFERENCES posts(id) ON DELETE SET NULL,
    status            TEXT NOT NULL,
    publish_at        INTEGER,
    unpublish_at      INTEGER,
    published_at      INTEGER,
    -- the number of the latest revision (post_revisions.number)
    revision          BIGINT NOT NULL DEFAULT 0,
    -- bumped by every change; the ETag
    version           BIGINT NOT NULL DEFAULT 1,
    created_by        BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (lang, slug)
);
CREATE INDEX posts_status_id ON posts (status, id);
CREATE INDEX posts_lang_id ON posts (lang, id);
CREATE INDEX posts_publish_at ON posts (publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX posts_unpublish_at ON posts (unpublish_at) WHERE unpublish_at IS NOT NULL;

CREATE TABLE post_authors (
    post_id  BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_authors_user ON post_authors (user_id);

-- The working copy's terms.
CREATE TABLE post_terms (
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    term_id BIGINT NOT NULL REFERENCES content_terms(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_terms_term ON post_terms (term_id);

-- Every save is a revision: snapshot is the JSON of the editable fields
-- (title, slug, body_md, excerpt, tags, categories, cover, seo, authors,
-- translation_of) as they were after the save.
CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    number     BIGINT NOT NULL,
    author_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- why: what the editor typed, or "created", "restored from N", "published"
    reason     TEXT NOT NULL DEFAULT '',
    snapshot   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (post_id, number)
);

-- One rolling autosave per user and post; it never touches the post.
CREATE TABLE post_autosaves (
    post_id    BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- the post's version the autosave was based on
    base_version BIGINT NOT NULL,
    snapshot   TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

-- Old slugs of published posts: the public API answers 301 to the current.
CREATE TABLE post_slug_redirects (
    lang       TEXT NOT NULL,
    old_slug   TEXT NOT NULL,
    post_id    BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (lang, old_slug)
);

-- The live version of each published post: what the website sees.
CREATE TABLE post_live (
    post_id           BIGINT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    lang              TEXT NOT NULL,
    slug              TEXT NOT NULL,
    title             TEXT NOT NULL,
    excerpt           TEXT NOT NULL,
    body_html         TEXT NOT NULL,
    cover_media_id    BIGINT REFERENCES media(id) ON DELETE SET NULL,
    seo_title         TEXT NOT NULL,
    seo_description   TEXT NOT NULL,
    canonical_url     TEXT NOT NULL,
    og_image_media_id BIGINT REFERENCES media(id) ON DELETE SET NULL,
    -- JSON: [{"id","name"}]
    authors           TEXT NOT NULL,
    revision          BIGINT NOT NULL,
    published_at      INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (lang, slug)
);
CREATE INDEX post_live_feed ON post_live (lang, published_at DESC, post_id DESC);

CREATE TABLE post_live_terms (
    post_id BIGINT NOT NULL REFERENCES post_live(post_id) ON DELETE CASCADE,
    term_id BIGINT NOT NULL REFERENCES content_terms(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_live_terms_term ON post_live_terms (term_id);

-- Portfolio projects. A project is edited in place (no revisions); the
-- public API shows published ones only. position is the editors' manual
-- order (ascending).
CREATE TABLE projects (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    lang           TEXT NOT NULL,
    slug           TEXT NOT NULL,
    title          TEXT NOT NULL,
    client         TEXT NOT NULL DEFAULT '',
    -- calendar dates, "YYYY-MM-DD", or NULL
    started_on     TEXT,
    ended_on       TEXT,
    summary        TEXT NOT NULL DEFAULT '',
    body_md        TEXT NOT NULL DEFAULT '',
    body_html      TEXT NOT NULL DEFAULT '',
    cover_media_id BIGINT REFERENCES media(id) ON DELETE SET NULL,
    -- JSON: [{"label","url"}]
    links          TEXT NOT NULL DEFAULT '[]',
    featured       INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    position       BIGINT NOT NULL,
    published_at   INTEGER,
    version        BIGINT NOT NULL DEFAULT 1,
    created_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (lang, slug)
);
CREATE INDEX projects_position ON projects (position, id);

CREATE TABLE project_gallery (
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    media_id   BIGINT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    caption_fa TEXT NOT NULL DEFAULT '',
    caption_en TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_terms (
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    term_id    BIGINT NOT NULL REFERENCES content_terms(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, term_id)
);
CREATE INDEX project_terms_term ON project_terms (term_id);

-- The placeholder blog.* and portfolio.* permissions become content.*:
-- a role keeps what it could do.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
    SELECT DISTINCT role_id, 'content.view' FROM role_permissions
    WHERE permission IN ('blog.view', 'portfolio.view');
INSERT OR IGNORE INTO role_permissions (role_id, permission)
    SELECT DISTINCT role_id, 'content.edit' FROM role_permissions
    WHERE permission IN ('blog.edit', 'portfolio.edit');
INSERT OR IGNORE INTO role_permissions (role_id, permission)
    SELECT DISTINCT role_id, 'content.publish' FROM role_permissions
    WHERE permission = 'blog.publish';
DELETE FROM role_permissions
    WHERE permission IN ('blog.view', 'blog.edit', 'blog.publish', 'portfolio.view', 'portfolio.edit');
