-- An XLSX extract: its one sheet, already read as text into the registered frame.
CREATE TABLE extract AS
SELECT *
FROM _xlsx_frame;
