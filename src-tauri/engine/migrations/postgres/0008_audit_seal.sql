-- The audit trail keyed: `seal` names the key an entry's `hash` is an HMAC with ('hmac-sha256:'
-- and the key's fingerprint); entries from before this migration have none and keep their plain
-- SHA-256. `covers` names the registry row an entry vouches for, with that row's digest, so a
-- booking event changed, deleted or added outside the desk is found too.
ALTER TABLE audit_log ADD COLUMN seal TEXT;
ALTER TABLE audit_log ADD COLUMN covers TEXT;
CREATE INDEX audit_log_covers ON audit_log (covers) WHERE covers IS NOT NULL;

-- A pseudonym for the patient (an HMAC of the NHS number with the audit key), kept when the NHS
-- number itself is purged after the retention period: seals cover it, and reports still tell
-- one patient's bookings and cancellations apart.
ALTER TABLE audit_log ADD COLUMN patient_ref TEXT;
ALTER TABLE booking_events ADD COLUMN patient_ref TEXT;

-- The one key this registry's trail is sealed with (its fingerprint only: the key is in each
-- desk's keyring). Booking events up to `events_before` were recorded before sealing began and
-- are covered by nothing; `seal` is an HMAC over this row, so moving that line is found.
CREATE TABLE audit_key (
    single        BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single),
    fingerprint   TEXT NOT NULL,
    events_before BIGINT NOT NULL,
    registered_at TEXT NOT NULL,
    seal          TEXT NOT NULL
);
