-- The search index (internal/platform/search). A document is one item in
-- one scope ('public': the live version the website shows; 'panel': the
-- latest version, drafts included, for the admin lists).
--
-- terms is a tsvector of the `simple` configuration over the normalised
-- terms search.Normalize and the term splitter make, of title, tags and
-- body: what is matched (through the GIN index). The application writes
-- terms, never raw text, so index and query time fold text the same way.
-- Ranking reads two small tsvectors that stay in the row instead of the
-- whole body's, which is toasted and costly to read for each of thousands
-- of matches: title_terms (title matches rank first) and lead_terms (title
-- A, tags B, the body's first search.leadTerms terms C, for cover
-- density). body is the original text, for snippets.
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
    lead_terms  TSVECTOR NOT NULL,
    terms       TSVECTOR NOT NULL,
    PRIMARY KEY (kind, id, scope)
);
-- fastupdate off: no pending list, whose size makes the planner scan the
-- table (reading every toasted tsvector) after many writes
CREATE INDEX search_documents_terms ON search_documents USING gin (terms) WITH (fastupdate = off);
CREATE INDEX search_documents_scope_lang ON search_documents (scope, lang, kind);

-- Every term ever indexed (until a rebuild): the vocabulary near misses are
-- corrected against: the words sharing enough trigrams with a term (pg_trgm's
-- % at its default similarity threshold, 0.3), through the GIN index.
CREATE TABLE search_words (
    word TEXT PRIMARY KEY
);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);
