-- The search index (internal/platform/search). A document is one item in
-- one scope ('public': the live version the website shows; 'panel': the
-- latest version, drafts included, for the admin lists).
--
-- search_docs holds what results show (title, slug, the original body for
-- snippets) and the filters; search_fts, keyed by its doc_id, indexes the
-- normalised terms search.Normalize and the term splitter make of title,
-- tags and body (the application writes terms, never raw text, so index
-- and query time fold text the same way). It stores no text of its own.
CREATE TABLE search_docs (
    doc_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT NOT NULL,
    id     BIGINT NOT NULL,
    scope  TEXT NOT NULL CHECK (scope IN ('public', 'panel')),
    lang   TEXT NOT NULL,
    slug   TEXT NOT NULL,
    title  TEXT NOT NULL,
    body   TEXT NOT NULL,
    UNIQUE (kind, id, scope)
);
CREATE INDEX search_docs_scope_lang ON search_docs (scope, lang, kind);

-- Terms are letters and digits only, already folded: unicode61 with
-- diacritics kept only splits them at the spaces between them.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, tags, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Every indexed term with its document count: the vocabulary near misses
-- are corrected against.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row');
