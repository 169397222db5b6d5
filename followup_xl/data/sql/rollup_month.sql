-- The region's monthly comparison: one row per office, the same figures as `followup-xl report`
-- (definitions: followup_xl/report.py). Reads the tables `followup-xl export` writes:
--   calls        DIR/calls/office=…/year=…            (one row per call)
--   obligations  DIR/obligations/office=…/as_of=…     (the policy engine's follow-ups, per snapshot day)
--   offices      DIR/offices/office=…                 (each office's coverage targets)
-- Parameters: $month_start, $month_end (DATE; the month's first and last day).
-- One row per office, and nothing here compares offices: DuckDB runs it over a batch of offices
-- at a time (memory bounded by the batch, not the region), Spark over all; rollup_rank.sql ranks.
-- SQL both engines accept as written; Spark gets the parameters as :name (docs/region.md).
-- Percentages: the exact ratio to 0.1 (averages to 0.01), half to even, in integer arithmetic.
WITH
snapshot AS (        -- follow-ups as the engine saw them on the month's last day (the columns used)
    SELECT office, customer_id, rule, due_date, trigger_date, source, event_id, call_types,
           satisfied_on, flags, lapse_date
    FROM obligations WHERE as_of = $month_end
),
planned AS (         -- 应回访: open on the 1st and due by the end (not missed before the 1st), or satisfied in the month
    SELECT o.*,
           coalesce(o.satisfied_on BETWEEN $month_start AND $month_end, FALSE) AS in_month,
           -- 逾期未办: its window ended in the month (missed from lapse_date + 1), still open at the end
           coalesce(o.lapse_date + INTERVAL 1 DAY BETWEEN $month_start AND $month_end
                    AND (o.satisfied_on IS NULL OR o.satisfied_on > $month_end), FALSE) AS missed
    FROM snapshot o
    WHERE o.rule IN ('P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P13', 'P14',
                 'P16', 'P17', 'P18', 'P21', 'P22', 'P23')  -- report.CALL_RULES
      AND coalesce(o.customer_id, '') <> ''
      AND ((o.satisfied_on BETWEEN $month_start AND $month_end)
           OR (o.due_date <= $month_end AND (o.satisfied_on IS NULL OR o.satisfied_on >= $month_start)
               AND NOT coalesce(o.lapse_date + INTERVAL 1 DAY < $month_start, FALSE)))
),
month_calls AS (     -- the month's calls (partition pruned by year; the columns used)
    SELECT c.office, c.customer_id, c.call_date, c.event_id, c.call_type, c.result, c.unreadable,
           c.satisfaction,
           CASE WHEN coalesce(c.record_id, '') <> '' THEN c.record_id
                WHEN c.source_file IS NULL AND c.source_sheet IS NULL AND c.source_row IS NULL THEN ''
                ELSE coalesce(c.source_sheet, '') || '!' || coalesce(CAST(c.source_row AS STRING), 'None')
           END AS ref
    FROM calls c
    WHERE c.year = year($month_start) AND c.call_date BETWEEN $month_start AND $month_end
),
numbered AS (
    SELECT row_number() OVER (ORDER BY office, customer_id, rule, source, due_date) AS item, * FROM planned
),
attempted AS (       -- a call in the month, on/after the trigger, that would have satisfied it
    SELECT DISTINCT p.item
    FROM numbered p JOIN month_calls k ON k.office = p.office AND k.customer_id = p.customer_id
    WHERE k.call_date >= greatest($month_start, coalesce(p.trigger_date, $month_start))
      AND k.ref <> p.source
      AND (p.rule IN ('P1', 'P8', 'P9')
           OR (coalesce(p.event_id, '') <> '' AND k.event_id = p.event_id)
           OR (coalesce(array_contains(p.call_types, k.call_type), FALSE) AND coalesce(k.event_id, '') = ''))
),
judged AS (          -- 实施 = satisfied in the month or attempted; 成功 = satisfied, not refused
    SELECT p.office,
           p.in_month AND NOT coalesce(array_contains(p.flags, 'refused'), FALSE) AS successful,
           p.in_month OR (a.item IS NOT NULL AND NOT p.missed) AS done
    FROM numbered p LEFT JOIN attempted a ON a.item = p.item
),
items AS (
    SELECT office, count(*) AS planned, count(*) FILTER (WHERE done) AS done,
           count(*) FILTER (WHERE successful) AS successful
    FROM judged GROUP BY office
),
call_figures AS (
    SELECT office, count(*) AS calls,
           count(*) FILTER (WHERE (result IS NULL OR result = '成功')
                              AND NOT coalesce(array_contains(map_keys(unreadable), 'result'), FALSE))
               AS successful_calls,
           sum(satisfaction) FILTER (WHERE satisfaction <> 0) AS satisfaction_sum,
           count(*) FILTER (WHERE satisfaction <> 0) AS satisfaction_count
    FROM month_calls GROUP BY office
),
coverage AS (        -- P2–P4: triggers in the month, followed up by its end
    SELECT office,
           count(*) FILTER (WHERE rule = 'P2') AS complaints,
           count(*) FILTER (WHERE rule = 'P2' AND satisfied_on <= $month_end) AS complaints_followed,
           count(*) FILTER (WHERE rule = 'P3') AS repairs,
           count(*) FILTER (WHERE rule = 'P3' AND satisfied_on <= $month_end) AS repairs_followed,
           count(*) FILTER (WHERE rule = 'P4') AS activities,
           count(*) FILTER (WHERE rule = 'P4' AND satisfied_on <= $month_end) AS activities_followed
    FROM snapshot WHERE trigger_date BETWEEN $month_start AND $month_end GROUP BY office
),
overdue AS (         -- still open on the last day, due before it, not yet missed (past lapse_date)
    SELECT office, count(*) AS overdue_at_month_end FROM snapshot
    WHERE rule IN ('P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P13', 'P14',
                 'P16', 'P17', 'P18', 'P21', 'P22', 'P23')  -- report.CALL_RULES
      AND coalesce(customer_id, '') <> '' AND satisfied_on IS NULL AND due_date < $month_end
      AND NOT coalesce(lapse_date < $month_end, FALSE)
    GROUP BY office
),
counts AS (
    SELECT f.office,
           coalesce(i.planned, 0) AS planned, coalesce(i.done, 0) AS done, coalesce(i.successful, 0) AS successful,
           coalesce(c.calls, 0) AS calls, coalesce(c.successful_calls, 0) AS successful_calls,
           coalesce(c.satisfaction_sum, 0) AS satisfaction_sum, coalesce(c.satisfaction_count, 0) AS satisfaction_count,
           coalesce(v.complaints, 0) AS complaints, coalesce(v.complaints_followed, 0) AS complaints_followed,
           coalesce(v.repairs, 0) AS repairs, coalesce(v.repairs_followed, 0) AS repairs_followed,
           coalesce(v.activities, 0) AS activities, coalesce(v.activities_followed, 0) AS activities_followed,
           f.complaint_coverage_pct, f.repair_coverage_pct, f.activity_coverage_pct,
           coalesce(o.overdue_at_month_end, 0) AS overdue_at_month_end
    FROM offices f
    LEFT JOIN items i ON i.office = f.office
    LEFT JOIN call_figures c ON c.office = f.office
    LEFT JOIN coverage v ON v.office = f.office
    LEFT JOIN overdue o ON o.office = f.office
),
-- n/d to `scale` decimals, half to even: q = floor(n·10^s / d), r = n·10^s − q·d
ratios AS (
    SELECT *,
           CAST(floor(CAST(1000 * done AS DOUBLE) / nullif(planned, 0)) AS BIGINT) AS done_q,
           CAST(floor(CAST(1000 * successful AS DOUBLE) / nullif(planned, 0)) AS BIGINT) AS ok_q,
           CAST(floor(CAST(100 * satisfaction_sum AS DOUBLE) / nullif(satisfaction_count, 0)) AS BIGINT) AS sat_q,
           CAST(floor(CAST(1000 * complaints_followed AS DOUBLE) / nullif(complaints, 0)) AS BIGINT) AS p2_q,
           CAST(floor(CAST(1000 * repairs_followed AS DOUBLE) / nullif(repairs, 0)) AS BIGINT) AS p3_q,
           CAST(floor(CAST(1000 * activities_followed AS DOUBLE) / nullif(activities, 0)) AS BIGINT) AS p4_q
    FROM counts
),
figures AS (
    SELECT office, planned, done,
           CASE WHEN planned = 0 THEN NULL ELSE (done_q + CASE
               WHEN 2 * (1000 * done - done_q * planned) > planned
                 OR (2 * (1000 * done - done_q * planned) = planned AND done_q % 2 = 1) THEN 1 ELSE 0 END) / 10.0
           END AS done_pct,
           successful,
           CASE WHEN planned = 0 THEN NULL ELSE (ok_q + CASE
               WHEN 2 * (1000 * successful - ok_q * planned) > planned
                 OR (2 * (1000 * successful - ok_q * planned) = planned AND ok_q % 2 = 1) THEN 1 ELSE 0 END) / 10.0
           END AS successful_pct,
           calls, successful_calls,
           CASE WHEN satisfaction_count = 0 THEN NULL ELSE (sat_q + CASE
               WHEN 2 * (100 * satisfaction_sum - sat_q * satisfaction_count) > satisfaction_count
                 OR (2 * (100 * satisfaction_sum - sat_q * satisfaction_count) = satisfaction_count
                     AND sat_q % 2 = 1) THEN 1 ELSE 0 END) / 100.0
           END AS satisfaction_avg,
           complaints, complaints_followed,
           CASE WHEN complaints = 0 THEN NULL ELSE (p2_q + CASE
               WHEN 2 * (1000 * complaints_followed - p2_q * complaints) > complaints
                 OR (2 * (1000 * complaints_followed - p2_q * complaints) = complaints AND p2_q % 2 = 1)
               THEN 1 ELSE 0 END) / 10.0
           END AS complaint_coverage_actual_pct, complaint_coverage_pct AS complaint_coverage_target_pct,
           repairs, repairs_followed,
           CASE WHEN repairs = 0 THEN NULL ELSE (p3_q + CASE
               WHEN 2 * (1000 * repairs_followed - p3_q * repairs) > repairs
                 OR (2 * (1000 * repairs_followed - p3_q * repairs) = repairs AND p3_q % 2 = 1)
               THEN 1 ELSE 0 END) / 10.0
           END AS repair_coverage_actual_pct, repair_coverage_pct AS repair_coverage_target_pct,
           activities, activities_followed,
           CASE WHEN activities = 0 THEN NULL ELSE (p4_q + CASE
               WHEN 2 * (1000 * activities_followed - p4_q * activities) > activities
                 OR (2 * (1000 * activities_followed - p4_q * activities) = activities AND p4_q % 2 = 1)
               THEN 1 ELSE 0 END) / 10.0
           END AS activity_coverage_actual_pct, activity_coverage_pct AS activity_coverage_target_pct,
           overdue_at_month_end
    FROM ratios
)
SELECT *,
       complaint_coverage_actual_pct >= complaint_coverage_target_pct AS complaint_coverage_met,
       repair_coverage_actual_pct >= repair_coverage_target_pct AS repair_coverage_met,
       activity_coverage_actual_pct >= activity_coverage_target_pct AS activity_coverage_met
FROM figures
