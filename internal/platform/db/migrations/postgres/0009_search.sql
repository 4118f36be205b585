-- The search index (internal/platform/search). A document is one item in
-- one scope ('public': the live version the website shows; 'panel': the
-- latest version, drafts included, for the admin lists).
--
-- terms is a tsvector of the `simple` configuration over the normalised
-- terms search.Normalize and the term splitter make (weights: A title,
-- B tags, C body); the application writes terms, never raw text, so index
-- and query time fold text the same way. title_terms is the title's part,
-- for ranking title matches first. body is the original text, for
-- snippets.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_documents (
    kind        TEXT NOT NULL,
    id          BIGINT NOT NULL,
    scope       TEXT NOT NULL CHECK (scope IN ('public', 'panel')),
    lang        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    title_terms TSVECTOR NOT NULL,
    terms       TSVECTOR NOT NULL,
    PRIMARY KEY (kind, id, scope)
);
CREATE INDEX search_documents_terms ON search_documents USING gin (terms);
CREATE INDEX search_documents_scope_lang ON search_documents (scope, lang, kind);

-- Every term ever indexed (until a rebuild): the vocabulary near misses are
-- corrected against, nearest first by trigram distance.
CREATE TABLE search_words (
    word TEXT PRIMARY KEY
);
CREATE INDEX search_words_trgm ON search_words USING gist (word gist_trgm_ops);
