-- Column names that hold personal data (an e-mail address, a number, ...), by position
-- (1 = first column). The names are bound as the parameter $names, never written into SQL.
-- Filled by werkpad.pipelines.privacy: one flag per rule (over `text` and `insz_text`).
WITH names AS (
    SELECT
        unnest(range(1, len($names) + 1)) AS _position,
        werkpad_privacy_text(unnest($names)) AS text
),

flagged AS (
    SELECT
        _position,
        {pattern_flags}
    FROM (SELECT *, werkpad_insz_text(text) AS insz_text FROM names) AS with_insz
)

SELECT * FROM flagged
WHERE {any_flag}
ORDER BY _position
