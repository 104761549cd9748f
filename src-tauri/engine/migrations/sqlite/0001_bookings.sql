-- Every book, amend and cancel the desk attempts, whatever its outcome.
CREATE TABLE booking_events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at         TEXT NOT NULL,
    action              TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    user_local_id       TEXT NOT NULL,
    user_name           TEXT NOT NULL,
    user_role           TEXT NOT NULL,
    organisation_ods    TEXT NOT NULL,
    service_id          TEXT NOT NULL,
    slot_ids            TEXT NOT NULL DEFAULT '',
    appointment_id      TEXT,
    appointment_version TEXT,
    appointment_status  TEXT,
    appointment_start   TEXT,
    appointment_end     TEXT,
    nhs_number          TEXT,
    trace_id            TEXT,
    request_id          TEXT,
    error_kind          TEXT,
    error_message       TEXT,
    reason              TEXT
);

CREATE INDEX booking_events_patient ON booking_events (nhs_number);
CREATE INDEX booking_events_appointment ON booking_events (service_id, appointment_id);
