-- A booking first recorded as "outcome unknown" (or failed) and later found to be made, or found
-- not to be, gets an event of its own with the settled outcome; `settles` names the event it
-- settles, which stays as the trail of what was believed. Lists and reports follow the settled
-- outcome and no longer count the first as unknown. One event settles another, once.
ALTER TABLE booking_events ADD COLUMN settles BIGINT;
CREATE UNIQUE INDEX booking_events_settles ON booking_events (settles) WHERE settles IS NOT NULL;
