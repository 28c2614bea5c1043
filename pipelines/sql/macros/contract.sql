-- The SQL linter's DuckDB dialect reads a macro's parameters as data types and wants its body flush
-- left, so its indent and type-case rules are off in the macro files (on in every query):
-- noqa: disable=LT02,CP05
-- Typing macros shared by validation and the warehouse, filled from the contract's `file`
-- section ({date_formats}, {true_tokens}, {false_tokens}). An unparseable value becomes NULL,
-- which the validation suite reports as a type error.
CREATE OR REPLACE MACRO werkpad_text(x) AS nullif(trim(x), '');

CREATE OR REPLACE MACRO werkpad_date(x) AS
    CAST(try_strptime(nullif(trim(x), ''), {date_formats}) AS DATE);

CREATE OR REPLACE MACRO werkpad_bool(x) AS
    CASE
        WHEN lower(trim(x)) IN ({true_tokens}) THEN true
        WHEN lower(trim(x)) IN ({false_tokens}) THEN false
    END;
