-- The SQL linter's DuckDB dialect reads a macro's parameters as data types and wants its body flush
-- left, so its indent and type-case rules are off in the macro files (on in every query):
-- noqa: disable=LT02,CP05
-- Macros the metrics layer uses, installed in the warehouse at every load.
-- 95% Wilson score interval of k successes out of n (z = 1.96): honest for small groups and
-- for rates near 0 or 1, unlike the normal approximation. NULL when n is 0.
CREATE OR REPLACE MACRO werkpad_wilson_low(k, n) AS
    CASE WHEN n > 0 THEN
        ((k / n) + 1.96 ^ 2 / (2 * n)
         - 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
        / (1 + 1.96 ^ 2 / n)
    END;

CREATE OR REPLACE MACRO werkpad_wilson_high(k, n) AS
    CASE WHEN n > 0 THEN
        ((k / n) + 1.96 ^ 2 / (2 * n)
         + 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
        / (1 + 1.96 ^ 2 / n)
    END;
