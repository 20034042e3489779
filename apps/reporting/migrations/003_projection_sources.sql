-- A rebuild from the beginning is refused (state REFUSED, the reason in `refusal`) when the log no
-- longer holds everything the active projection was built from; the active one stays in place.
ALTER TABLE projection DROP CONSTRAINT projection_state_check;
ALTER TABLE projection
  ADD CONSTRAINT projection_state_check CHECK (state IN ('BUILDING', 'ACTIVE', 'RETIRED', 'REFUSED'));
ALTER TABLE projection ADD COLUMN refusal JSONB;

-- The first offset each projection consumed per partition: the log start (or the offset at its
-- start time) when its rebuild began. Projection 1 was built by the live consumer and has none.
CREATE TABLE projection_source (
  version INT NOT NULL REFERENCES projection (version),
  topic TEXT NOT NULL,
  partition INT NOT NULL,
  first_offset BIGINT NOT NULL,
  PRIMARY KEY (version, topic, partition)
);
