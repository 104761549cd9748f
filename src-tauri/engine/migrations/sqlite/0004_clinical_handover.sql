-- The triage summary kept with each booking that carried one, as it was packaged: the text the
-- appointment carried, the UEC encounter report (CDA) and the BaRS message bundle.
CREATE TABLE clinical_handovers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at    TEXT NOT NULL,
    service_id     TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    standard       TEXT NOT NULL,
    summary_json   TEXT NOT NULL,
    description    TEXT NOT NULL,
    comment        TEXT,
    report_id      TEXT UNIQUE,
    report_xml     TEXT,
    bars_bundle    TEXT NOT NULL,
    delivered_at   TEXT
);

CREATE INDEX clinical_handovers_appointment ON clinical_handovers (service_id, appointment_id);

-- A report once written is never replaced: only its delivery may be recorded later.
CREATE TRIGGER clinical_handovers_keep_reports
BEFORE UPDATE OF recorded_at, service_id, appointment_id, standard, summary_json, description,
    comment, report_id, report_xml, bars_bundle ON clinical_handovers
BEGIN
    SELECT RAISE(ABORT, 'a clinical handover is never changed once recorded');
END;

CREATE TRIGGER clinical_handovers_no_delete
BEFORE DELETE ON clinical_handovers
BEGIN
    SELECT RAISE(ABORT, 'a clinical handover is never deleted');
END;
