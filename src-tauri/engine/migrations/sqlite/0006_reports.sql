-- What the supervisor reports need. Each booking event names the desk it came from and whether
-- its slot was later than the triage timeframe; rows from before this say "unknown desk", and
-- count as outside the timeframe exactly when they carry the clinical approval that only such
-- a booking records.
ALTER TABLE booking_events ADD COLUMN desk TEXT NOT NULL DEFAULT 'unknown desk';
ALTER TABLE booking_events ADD COLUMN outside_timeframe BOOLEAN NOT NULL DEFAULT 0;
UPDATE booking_events SET outside_timeframe = 1 WHERE approved_by IS NOT NULL;

-- Reports select by when things happened.
CREATE INDEX booking_events_recorded ON booking_events (recorded_at);

-- Every finished fan-out slot search: who searched where and what it found. No patient data.
CREATE TABLE search_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at      TEXT NOT NULL,
    user_local_id    TEXT NOT NULL,
    user_name        TEXT NOT NULL,
    desk             TEXT NOT NULL,
    organisation_ods TEXT NOT NULL,
    services_asked   INTEGER NOT NULL,
    services_failed  INTEGER NOT NULL,
    slots_found      INTEGER NOT NULL,
    window_from      TEXT NOT NULL,
    window_to        TEXT NOT NULL
);

CREATE INDEX search_events_recorded ON search_events (recorded_at);

-- The appointment an interaction was about, when the request named one (read, amend, cancel),
-- so an appointment's history finds its audit entries. Older entries have none.
ALTER TABLE audit_log ADD COLUMN appointment_id TEXT;
CREATE INDEX audit_log_appointment ON audit_log (service_id, appointment_id);
CREATE INDEX audit_log_recorded ON audit_log (recorded_at);
