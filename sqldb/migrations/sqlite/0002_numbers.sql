-- Locations and their phone number inventory (issue 3).
ALTER TABLE locations ADD COLUMN main_number TEXT;
-- One headquarters per customer. Before this index an update that renamed
-- the calling location could add a second one; the oldest stays.
UPDATE locations SET headquarters = 0 WHERE headquarters = 1 AND EXISTS (
    SELECT 1 FROM locations o WHERE o.customer_id = locations.customer_id AND o.headquarters = 1
    AND (o.created < locations.created OR (o.created = locations.created AND o.id < locations.id)));
CREATE UNIQUE INDEX locations_headquarters ON locations (customer_id) WHERE headquarters = 1;
CREATE INDEX locations_list ON locations (customer_id, headquarters, created, id);
-- A number is unique across the installation (its primary key). A number
-- goes with its location and its customer. subscriber_id has no foreign
-- key: deleting a subscriber returns its number in the same transaction,
-- and the CHECK keeps state and subscriber_id in step.
CREATE TABLE phone_numbers (
    phone_number TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    subscriber_id TEXT,
    created INTEGER NOT NULL,
    CHECK ((state = 'available' AND subscriber_id IS NULL) OR (state = 'assigned' AND subscriber_id IS NOT NULL))
);
CREATE INDEX phone_numbers_location ON phone_numbers (location_id, state, phone_number);
CREATE INDEX phone_numbers_customer ON phone_numbers (customer_id);
CREATE INDEX phone_numbers_subscriber ON phone_numbers (subscriber_id);
