-- A booking later than the triage timeframe made by a call handler records the clinician who
-- approved it and why.
ALTER TABLE booking_events ADD COLUMN approved_by TEXT;
ALTER TABLE booking_events ADD COLUMN approval_reason TEXT;
