-- Review agents (contract review, code review): one row per run, its findings as JSON.
create table review_run (
    id             uuid primary key,
    set_id         uuid not null references document_set (id) on delete cascade,
    kind           text not null check (kind in ('CONTRACT', 'CODE')),
    status         text not null check (status in ('RUNNING', 'COMPLETED', 'FAILED')),
    -- the set's content version the run read
    set_version    bigint not null,
    model          text not null,
    -- units of work (documents for a contract review, 1 for a code review) done of all
    progress_done  integer not null check (progress_done >= 0),
    progress_total integer not null check (progress_total >= 0),
    -- [{"documentId", "path", "category", "severity", "quote", "location", "lineStart", "lineEnd",
    --   "note", "quoteStatus", "start", "end", "repairs": [...], "error", "raw"}, ...]
    findings       jsonb not null,
    error_count    integer not null check (error_count >= 0),
    error          text,
    created_at     timestamp(6) with time zone not null,
    finished_at    timestamp(6) with time zone
);
create index review_run_set_id on review_run (set_id);
