-- The website chatbot (internal/chat).
--
-- chat_faq: the knowledge base's questions and answers, one language each;
-- phrasings are other ways of asking the question, one a line. Each entry
-- is also a search document (kind 'faq', scope 'public'), written in the
-- same transaction. version counts its writes.
CREATE TABLE chat_faq (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    lang       TEXT NOT NULL CHECK (lang IN ('fa', 'en')),
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    phrasings  TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A visitor's conversation. token_hash is the SHA-256 (hex) of the
-- visitor's token, the only credential for it; the token itself is never
-- stored. state: bot (the bot answers) → waiting (a person was asked for)
-- → agent (assignee holds it) → resolved (final). agent_seen_id is the
-- last message an agent has answered or taken it at: visitor messages
-- after it are unread.
CREATE TABLE chat_conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    lang            TEXT NOT NULL CHECK (lang IN ('fa', 'en')),
    token_hash      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('bot', 'waiting', 'agent', 'resolved')),
    assignee_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    agent_seen_id   BIGINT NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL
);
CREATE INDEX chat_conversations_state ON chat_conversations(state, id);

-- One message of a conversation. sources is the JSON array the bot cited;
-- author_id the agent who wrote it; client_key the visitor's
-- Idempotency-Key, so a resent message is stored once.
CREATE TABLE chat_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('visitor', 'bot', 'agent')),
    text            TEXT NOT NULL,
    sources         TEXT NOT NULL DEFAULT '[]',
    author_id       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    client_key      TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (conversation_id, client_key)
);
CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id);

-- Canned replies agents insert (chatbot.manage edits them).
CREATE TABLE chat_canned (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    lang       TEXT NOT NULL CHECK (lang IN ('fa', 'en')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
