-- A booking about to be sent: written before the request leaves and removed once its outcome is
-- recorded. After a crash, what is left here was (or may have been) sent with no outcome known,
-- and is checked at the service when the desk next starts.
CREATE TABLE booking_intents (
    request_id    TEXT PRIMARY KEY,
    recorded_at   TEXT NOT NULL,
    service_id    TEXT NOT NULL,
    slot_ids      TEXT NOT NULL,
    slot_start    TEXT NOT NULL,
    nhs_number    TEXT,
    user_local_id TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    desk          TEXT NOT NULL
);
