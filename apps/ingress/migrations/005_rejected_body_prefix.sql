-- Refused webhook requests keep only a prefix of their body, with its size and SHA-256, so an
-- anonymous sender cannot fill the database (issue #11); rows are deleted after a retention period.
ALTER TABLE rejected_delivery RENAME COLUMN raw_body TO body_prefix;
ALTER TABLE rejected_delivery ADD COLUMN body_bytes INTEGER;
ALTER TABLE rejected_delivery ADD COLUMN body_sha256 TEXT;
UPDATE rejected_delivery
   SET body_bytes = length(body_prefix),
       body_sha256 = encode(sha256(body_prefix), 'hex'),
       body_prefix = substring(body_prefix FROM 1 FOR 4096)
 WHERE body_prefix IS NOT NULL;
