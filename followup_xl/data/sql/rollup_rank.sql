-- The region's ranking over the rows of rollup_month.sql (the table `office_figures`, every office):
-- successful %, then done %, then satisfaction; offices with nothing planned last.
SELECT rank() OVER (ORDER BY successful_pct DESC NULLS LAST, done_pct DESC NULLS LAST,
                             satisfaction_avg DESC NULLS LAST) AS rank,
       *
FROM office_figures
ORDER BY rank, office
