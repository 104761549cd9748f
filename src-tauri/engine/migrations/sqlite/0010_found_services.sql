-- The services the desk booked at after finding them in the national directories, by the id it
-- gives them (`dos-<DoS id>`): the Directory of Services' ServiceDetailsById, which a later
-- session asks to reach such a service again, gives no name or address, so the ones the search
-- gave are kept here to show. Directory data, never a patient's.
CREATE TABLE found_services (
    service_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    service_type TEXT,
    address      TEXT,
    postcode     TEXT,
    recorded_at  TEXT NOT NULL
);
