-- Embeddings of search documents, for vector search beside the full-text
-- index (search.Index.Nearest; issue 17's chatbot fuses both rankings).
-- A vector is kept with the model that made it (and its length): only
-- vectors of the query's model are compared. embedding is sqlite-vec's
-- compact form (little-endian float32s); its vec_distance_cosine (the
-- extension shipped with the SQLite driver) compares them.
CREATE TABLE search_vectors (
    kind      TEXT NOT NULL,
    id        BIGINT NOT NULL,
    scope     TEXT NOT NULL,
    lang      TEXT NOT NULL,
    model     TEXT NOT NULL,
    dims      INTEGER NOT NULL CHECK (dims BETWEEN 1 AND 4096),
    embedding BLOB NOT NULL,
    PRIMARY KEY (kind, id, scope)
) WITHOUT ROWID;
CREATE INDEX search_vectors_model ON search_vectors (scope, model, dims);
