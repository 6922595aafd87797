-- A customer search that is exactly an external id or an admin email
-- (ignoring case) is answered from these indexes; without them such a
-- search read every customer of the partner, since no name contained it.
CREATE INDEX customers_external_id_folded ON customers (partner_id, LOWER(external_id));
CREATE INDEX customers_email_folded ON customers (partner_id, LOWER(primary_email))
