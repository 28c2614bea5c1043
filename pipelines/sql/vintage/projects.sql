-- How many projects the vintage holds (vintage/snapshots): none before the first extract.
SELECT count(*) AS projects FROM ops.snapshots
