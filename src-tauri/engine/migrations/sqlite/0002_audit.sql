-- Every provider interaction, append-only. Each row's hash covers its fields and the previous
-- row's hash, so an edited or deleted row breaks the chain.
CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
