-- The SQL linter's DuckDB dialect reads a macro's parameters as data types and wants its body flush
-- left, so its indent and type-case rules are off in the macro files (on in every query):
-- noqa: disable=LT02,CP05
-- Text as the privacy guard matches it, normalised the way people and programs write:
-- - line breaks inside a cell are removed (with the spaces around them), so an e-mail address
--   or number split over two lines is whole again;
-- - zero-width characters and soft hyphens are removed; non-breaking, narrow and other
--   Unicode spaces and tabs become one space; Unicode dashes become '-';
-- - a space beside a separator ('85.07.30 - 033.28', '+ 32') is dropped;
-- - '(at)', '[at]', a fullwidth '@' and spaces around '@' become '@';
-- - "(0)" and brackets are dropped, so "(0475) 12 34 56" and "+32 (0)475 12 34 56" read as
--   plain numbers.
-- Most rows have none of these, so they are passed through untouched (a plain search is ten
-- times cheaper than the replacements on a million rows).
CREATE OR REPLACE MACRO werkpad_privacy_text(x) AS
    CASE WHEN contains(x, chr(10)) OR contains(x, chr(13)) OR contains(x, '(')
        OR contains(x, '[') OR regexp_matches(x, '[^\x01-\x7E]|\t|  | [./@+-]|[./@+-] ')
        THEN
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(
                            regexp_replace(
                                regexp_replace(
                                    x,
                                    '[\x{{200B}}-\x{{200D}}\x{{2060}}\x{{FEFF}}\x{{00AD}}]',
                                    '',
                                    'g'
                                ),
                                '[ \t\x{{00A0}}\x{{2000}}-\x{{200A}}\x{{202F}}\x{{205F}}'
                                || '\x{{3000}}]+',
                                ' ',
                                'g'
                            ),
                            '[\x{{2010}}-\x{{2015}}\x{{2212}}]', '-', 'g'
                        ),
                        ' ?(@|\x{{FF20}}|\(at\)|\[at\]) ?', '@', 'gi'
                    ),
                    ' ?([./+-]) ?', '\1', 'g'
                ),
                ' ?[\r\n]+ ?', '', 'g'
            ),
            ' ?\(0\) ?|[()]', '', 'g'
        )
        ELSE x END;

-- Text in which national register numbers are looked for: runs of 16 or more hexadecimal
-- characters are pseudonymous keys (client_key) and blanked, so the digits inside a key are
-- never read as a number glued to letters.
CREATE OR REPLACE MACRO werkpad_insz_text(x) AS
    regexp_replace(x, '[0-9A-Fa-f]{{16,}}', ' ', 'g');

-- The 11 digits of an INSZ candidate; a 10-digit one is a post-2000 number whose leading 0 a
-- spreadsheet dropped (it was stored as a number), so the 0 is put back.
CREATE OR REPLACE MACRO werkpad_insz_digits(x) AS
    lpad(regexp_replace(x, '[^0-9]', '', 'g'), 11, '0');

-- A Belgian national register number (INSZ) candidate is real when its last two digits are
-- 97 minus the first nine modulo 97; for births from 2000 on, a 2 is put before the nine.
CREATE OR REPLACE MACRO werkpad_insz_valid(x) AS (
    97 - CAST(left(werkpad_insz_digits(x), 9) AS BIGINT) % 97
        = CAST(right(werkpad_insz_digits(x), 2) AS INTEGER)
    OR 97 - (2000000000 + CAST(left(werkpad_insz_digits(x), 9) AS BIGINT)) % 97
        = CAST(right(werkpad_insz_digits(x), 2) AS INTEGER)
);

-- A Belgian company number (KBO/BCE, ondernemingsnummer) candidate is real when it has ten
-- digits and its last two are 97 minus the first eight modulo 97.
CREATE OR REPLACE MACRO werkpad_kbo_valid(x) AS (
    length(regexp_replace(x, '[^0-9]', '', 'g')) = 10
    AND 97 - CAST(left(regexp_replace(x, '[^0-9]', '', 'g'), 8) AS BIGINT) % 97
    = CAST(right(regexp_replace(x, '[^0-9]', '', 'g'), 2) AS INTEGER)
);

-- An IBAN candidate (any case, spaces or dashes) is real when it has its country's length
-- (the contract's privacy.iban_lengths, filled in as a map) and its ISO 13616 check holds: the
-- first four characters moved to the end, letters as 10..35, the number modulo 97 is 1.
CREATE OR REPLACE MACRO werkpad_iban_digits(x) AS
    list_transform(
        string_split(
            list_aggregate(
                list_transform(
                    string_split(
                        substr(upper(regexp_replace(x, '[^0-9A-Za-z]', '', 'g')), 5)
                        || left(upper(regexp_replace(x, '[^0-9A-Za-z]', '', 'g')), 4),
                        ''
                    ),
                    lambda c: CASE WHEN c >= 'A' THEN CAST(ascii(c) - 55 AS VARCHAR) ELSE c END
                ),
                'string_agg', ''
            ),
            ''
        ),
        lambda d: CAST(d AS INTEGER)
    );

CREATE OR REPLACE MACRO werkpad_iban_length_ok(x) AS
    coalesce(
        {iban_lengths}[upper(left(x, 2))]
            = length(regexp_replace(x, '[^0-9A-Za-z]', '', 'g')),
        false
    );

-- The length is checked first, so the digit arithmetic only runs for a plausible IBAN.
-- (the SQL linter cannot parse a lambda with two parameters yet: this statement is not linted)
CREATE OR REPLACE MACRO werkpad_iban_valid(x) AS  -- noqa: PRS
    CASE WHEN werkpad_iban_length_ok(x) THEN
        list_reduce(werkpad_iban_digits(x), lambda acc, d: (acc * 10 + d) % 97) = 1
    ELSE false END;
