-- Every index of customers is written when a customer is accepted and again
-- when provisioning changes its status and org id. Lists filter by status
-- within a partner's rows (customers_list); the template in use is checked
-- within the partner; only attached organizations have an org id to find
-- before provisioning gives one.
DROP INDEX customers_status;
DROP INDEX customers_template;
DROP INDEX customers_org;
CREATE INDEX customers_org ON customers (org_id) WHERE org_id <> '';
