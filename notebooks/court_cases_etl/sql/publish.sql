-- Publish the curated history as Parquet, one folder per year received
-- (Hive partitions: court_cases/received_year=2024/...), and the court list.
-- Only the years in publish_years are written: those where the loads since the
-- last publish changed a case (the pipeline keeps the other years' files).
COPY (
    SELECT
        *,
        CAST(year(received_date) AS INTEGER) AS received_year
    FROM curated_court_cases
    WHERE len(getvariable('publish_years')) > 0  -- no year to write: nothing is computed
        AND list_contains(getvariable('publish_years'), received_year)
    ORDER BY received_year, case_id, mojap_start_datetime
) TO (getvariable('court_cases_dir')) (FORMAT parquet, PARTITION_BY (received_year));

COPY (SELECT * FROM courts ORDER BY court_code) TO (getvariable('courts_file')) (FORMAT parquet);
