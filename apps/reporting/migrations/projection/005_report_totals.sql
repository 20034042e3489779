-- Report totals (issue #10): the reports that add up every actual or timesheet entry (margin, the
-- period summary, utilisation, billing leakage, delivery risk) read these totals instead of the
-- rows. Statement-level triggers on actual and approved_time keep them in step, in the transaction
-- that changes the rows (a projection batch, or anything else writing them): the rows a statement
-- replaced are subtracted and the rows it wrote are added, from its transition tables. The trigger
-- sees the row it really replaced (after waiting for a concurrent writer of the same row), so the
-- totals are exact without further locks; concurrent batches only queue on the total rows they
-- share, each taken in key order. A total whose count falls to 0 stays, and readers skip it.
-- The functions run with this projection's search_path (SET ... FROM CURRENT at creation), since
-- the writers' connections qualify table names instead of setting a search_path.

-- Cost of every actual (any status, billable or not) per project, currency and work date: margin sums
-- a project's dates, delivery risk the dates on or before its as-of date.
CREATE TABLE actual_cost_total (
  project_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  work_date TEXT NOT NULL,
  actuals BIGINT NOT NULL,
  cost_minor BIGINT NOT NULL,
  PRIMARY KEY (project_id, currency, work_date)
);

-- Billable actuals not invoiced yet (UNPRICED, UNBILLED, READY_TO_INVOICE) per project, currency,
-- billing period and status: billing leakage.
CREATE TABLE actual_uninvoiced_total (
  project_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_period TEXT NOT NULL,
  status TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  actuals BIGINT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  bill_minor BIGINT NOT NULL,
  PRIMARY KEY (project_id, currency, billing_period, status, deal_id, customer_id)
);

-- Approved hours per month, person, role and billable flag: utilisation. Only entries utilisation
-- counts: a calendar work date (as isIsoDate of libs/calendar: years from 0100) and hours >= 0.
CREATE TABLE approved_time_total (
  period TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  billable BOOLEAN NOT NULL,
  entries BIGINT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  PRIMARY KEY (period, person_id, role, billable)
);

CREATE FUNCTION is_calendar_date(value TEXT) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN value !~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$' THEN false
    WHEN substr(value, 1, 4)::int < 100 THEN false
    ELSE substr(value, 9, 2)::int <= extract(day FROM make_date(substr(value, 1, 4)::int,
      substr(value, 6, 2)::int, 1) + interval '1 month - 1 day')
  END
$$;

-- Adds the rows a statement wrote and subtracts the rows it replaced, one statement per total table
-- (tables, then keys, always in the same order, so concurrent writers cannot deadlock on them).
CREATE FUNCTION add_actual_totals(replaced actual[], written actual[]) RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO actual_cost_total AS t (project_id, currency, work_date, actuals, cost_minor)
  SELECT project_id, currency, work_date, sum(sign), sum(sign * cost_amount_minor)
  FROM (SELECT -1 AS sign, * FROM unnest(replaced) UNION ALL SELECT 1, * FROM unnest(written)) AS changed
  GROUP BY project_id, currency, work_date
  HAVING sum(sign) <> 0 OR sum(sign * cost_amount_minor) <> 0
  ORDER BY project_id, currency, work_date
  ON CONFLICT (project_id, currency, work_date) DO UPDATE
    SET actuals = t.actuals + excluded.actuals, cost_minor = t.cost_minor + excluded.cost_minor;
  INSERT INTO actual_uninvoiced_total AS t (project_id, currency, billing_period, status, deal_id,
    customer_id, actuals, hours_hundredths, bill_minor)
  SELECT project_id, currency, billing_period, status, deal_id, customer_id, sum(sign),
    sum(sign * hours_hundredths), sum(sign * bill_amount_minor)
  FROM (SELECT -1 AS sign, * FROM unnest(replaced) UNION ALL SELECT 1, * FROM unnest(written)) AS changed
  WHERE billable AND status IN ('UNPRICED', 'UNBILLED', 'READY_TO_INVOICE')
  GROUP BY project_id, currency, billing_period, status, deal_id, customer_id
  HAVING sum(sign) <> 0 OR sum(sign * hours_hundredths) <> 0 OR sum(sign * bill_amount_minor) <> 0
  ORDER BY project_id, currency, billing_period, status, deal_id, customer_id
  ON CONFLICT (project_id, currency, billing_period, status, deal_id, customer_id) DO UPDATE
    SET actuals = t.actuals + excluded.actuals, hours_hundredths = t.hours_hundredths + excluded.hours_hundredths,
      bill_minor = t.bill_minor + excluded.bill_minor;
$$;

CREATE FUNCTION add_approved_time_totals(replaced approved_time[], written approved_time[]) RETURNS VOID
LANGUAGE sql AS $$
  INSERT INTO approved_time_total AS t (period, person_id, role, billable, entries, hours_hundredths)
  SELECT left(work_date, 7), person_id, role, billable, sum(sign), sum(sign * hours_hundredths)
  FROM (SELECT -1 AS sign, * FROM unnest(replaced) UNION ALL SELECT 1, * FROM unnest(written)) AS changed
  WHERE hours_hundredths >= 0 AND is_calendar_date(work_date)
  GROUP BY left(work_date, 7), person_id, role, billable
  HAVING sum(sign) <> 0 OR sum(sign * hours_hundredths) <> 0
  ORDER BY left(work_date, 7), person_id, role, billable
  ON CONFLICT (period, person_id, role, billable) DO UPDATE
    SET entries = t.entries + excluded.entries, hours_hundredths = t.hours_hundredths + excluded.hours_hundredths;
$$;

-- Transition tables exist only for the operations that have them: INSERT has no old rows, DELETE no
-- new ones.
CREATE FUNCTION actual_totals_trigger() RETURNS TRIGGER LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_actual_totals('{}', (SELECT array_agg(n::actual) FROM new_rows n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM add_actual_totals((SELECT array_agg(o::actual) FROM old_rows o), '{}');
  ELSE
    PERFORM add_actual_totals((SELECT array_agg(o::actual) FROM old_rows o),
      (SELECT array_agg(n::actual) FROM new_rows n));
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION approved_time_totals_trigger() RETURNS TRIGGER LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_approved_time_totals('{}', (SELECT array_agg(n::approved_time) FROM new_rows n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM add_approved_time_totals((SELECT array_agg(o::approved_time) FROM old_rows o), '{}');
  ELSE
    PERFORM add_approved_time_totals((SELECT array_agg(o::approved_time) FROM old_rows o),
      (SELECT array_agg(n::approved_time) FROM new_rows n));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER actual_totals_insert AFTER INSERT ON actual REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION actual_totals_trigger();
CREATE TRIGGER actual_totals_update AFTER UPDATE ON actual REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION actual_totals_trigger();
CREATE TRIGGER actual_totals_delete AFTER DELETE ON actual REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION actual_totals_trigger();
CREATE TRIGGER approved_time_totals_insert AFTER INSERT ON approved_time REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION approved_time_totals_trigger();
CREATE TRIGGER approved_time_totals_update AFTER UPDATE ON approved_time
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION approved_time_totals_trigger();
CREATE TRIGGER approved_time_totals_delete AFTER DELETE ON approved_time REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION approved_time_totals_trigger();

-- Rows recorded before this migration (a projection migrated in place).
SELECT add_actual_totals('{}', (SELECT array_agg(a) FROM actual a));
SELECT add_approved_time_totals('{}', (SELECT array_agg(t) FROM approved_time t));
