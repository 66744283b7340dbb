-- Dossier's schema. Hibernate only validates it (hbm2ddl=validate); changes go in new V<n>__*.sql files.
-- Every table hangs off document_set with ON DELETE CASCADE, so deleting a set removes
-- everything it owns even when the row is deleted by hand.

create table document_set (
    id              uuid primary key,
    name            varchar(200) not null check (btrim(name) <> ''),
    -- +1 on every document added or removed: the key of the prefix cache.
    content_version bigint not null check (content_version >= 1),
    created_at      timestamp(6) with time zone not null,
    updated_at      timestamp(6) with time zone not null
);

create table document (
    id          uuid primary key,
    set_id      uuid not null references document_set (id) on delete cascade,
    position    integer not null check (position >= 0),
    -- file name, or the path inside an uploaded zip
    path        text not null check (btrim(path) <> ''),
    media_type  text not null,
    size_bytes  bigint not null check (size_bytes >= 0),
    sha256      text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    text        text not null,
    -- [{"kind": "PAGE", "number": 3, "start": 120, "end": 980}, ...], offsets into text
    anchors     jsonb not null,
    token_count integer not null check (token_count >= 0),
    created_at  timestamp(6) with time zone not null,
    unique (set_id, position)
);

-- The original bytes live apart so that reading documents never drags them along.
create table document_content (
    document_id    uuid primary key references document (id) on delete cascade,
    original_bytes bytea not null
);
-- Uploads are mostly already compressed (PDF, DOCX, zip): don't try to compress them again.
alter table document_content alter column original_bytes set storage external;

create table conversation (
    id         uuid primary key,
    set_id     uuid not null references document_set (id) on delete cascade,
    title      text not null check (btrim(title) <> ''),
    created_at timestamp(6) with time zone not null
);
create index conversation_set_id on conversation (set_id);

create table message (
    id                          uuid primary key,
    conversation_id             uuid not null references conversation (id) on delete cascade,
    sequence                    integer not null check (sequence >= 0),
    role                        text not null check (role in ('USER', 'ASSISTANT', 'SYSTEM')),
    text                        text not null,
    prompt_tokens               integer,
    completion_tokens           integer,
    cached_prompt_tokens        integer,
    finish_reason               text,
    time_to_first_token_millis  bigint,
    total_millis                bigint,
    -- [{"documentId": "...", "path": "...", "anchorLabel": "p. 3", "quote": "...", "status": "VERIFIED"}, ...]
    citations                   jsonb not null,
    created_at                  timestamp(6) with time zone not null,
    unique (conversation_id, sequence)
);

create table prefix_cache_entry (
    id              uuid primary key,
    set_id          uuid not null references document_set (id) on delete cascade,
    set_version     bigint not null,
    model_id        text not null,
    -- attention layout, e.g. "dca:3072:512"
    attention       text not null,
    token_count     integer not null check (token_count >= 0),
    file_path       text,
    file_size_bytes bigint,
    status          text not null check (status in ('COMPUTING', 'READY', 'FAILED', 'STALE')),
    progress_tokens integer not null check (progress_tokens >= 0),
    error           text,
    created_at      timestamp(6) with time zone not null,
    updated_at      timestamp(6) with time zone not null,
    unique (set_id, set_version, model_id, attention),
    check (status <> 'READY' or (file_path is not null and file_size_bytes is not null))
);
