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
-- diacritics kept only splits them at the spaces between them. facets
-- holds one token per filter value (scope, lang, kind; see search.facet),
-- so that filtering, ranking and the limit all happen inside FTS5 and only
-- the answered rows are joined with search_docs.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, tags, body, facets,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Every term ever indexed (until a rebuild): the vocabulary near misses are
-- corrected against. SQLite has no trigram index: candidates are the words
-- of about the term's length (len, in letters) starting like it.
CREATE TABLE search_words (
    word TEXT PRIMARY KEY,
    len  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX search_words_len_word ON search_words (len, word);
