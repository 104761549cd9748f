-- Every provider interaction, append-only. Each row's hash covers its fields (its id included)
-- and the previous row's hash, so an edited or deleted row breaks the chain.
CREATE TABLE audit_log (
    -- Issued by the append from audit_head below, not by a sequence: a sequence skips the value
    -- of a rolled-back append, and that gap would read as a deleted entry.
    id               BIGINT PRIMARY KEY,
    recorded_at      TEXT NOT NULL,
    user_local_id    TEXT NOT NULL,
    user_name        TEXT NOT NULL,
    user_role        TEXT NOT NULL,
    organisation_ods TEXT NOT NULL,
    service_id       TEXT NOT NULL,
    interaction      TEXT NOT NULL,
    nhs_number       TEXT,
    trace_id         TEXT NOT NULL,
    request_id       TEXT,
    outcome          TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);

-- The newest audit id ever issued (SQLite keeps the same in sqlite_sequence). Every append
-- updates this one row first, so its row lock makes appends from every desk take turns until
-- commit, and it moves only with a committed entry: deleting the newest entries shows as a gap.
CREATE TABLE audit_head (
    single  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single),
    last_id BIGINT NOT NULL
);
INSERT INTO audit_head (single, last_id) VALUES (TRUE, 0);
