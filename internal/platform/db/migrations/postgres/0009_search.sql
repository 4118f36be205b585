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
-- corrected against. The candidates for a term are the words of about its
-- length (len, in letters) starting like it, read through (len, word) in
-- byte order (COLLATE "C", so a prefix is a range whatever the database's
-- collation), then kept by trigram similarity (pg_trgm). Retrieving by
-- trigrams instead (a GIN or GiST trigram index) read hundreds of pages
-- per term over 60,000 words: the posting lists of common trigrams.
CREATE TABLE search_words (
    word TEXT COLLATE "C" PRIMARY KEY,
    len  INTEGER NOT NULL
);
CREATE INDEX search_words_len_word ON search_words (len, word);
