-- A booking attempt carries one request id: recording it again (a retry after the registry's
-- answer was lost) must find the first record, never add a second.
CREATE UNIQUE INDEX booking_events_request ON booking_events (request_id)
    WHERE request_id IS NOT NULL;
