-- A Belgian national register number (INSZ) candidate is real when its last two digits are
-- 97 minus the first nine modulo 97; for births from 2000 on, a 2 is put before the nine.
CREATE OR REPLACE MACRO werkpad_insz_valid(x) AS (
    97 - CAST(left(regexp_replace(x, '[^0-9]', '', 'g'), 9) AS BIGINT) % 97
        = CAST(right(regexp_replace(x, '[^0-9]', '', 'g'), 2) AS INTEGER)
    OR 97 - (2000000000 + CAST(left(regexp_replace(x, '[^0-9]', '', 'g'), 9) AS BIGINT)) % 97
        = CAST(right(regexp_replace(x, '[^0-9]', '', 'g'), 2) AS INTEGER)
);
