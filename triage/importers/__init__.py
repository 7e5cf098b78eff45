"""Importing records into a triage database.

The service entry point is `import_files`::

    from triage import db
    from triage.importers import import_files

    conn = db.connect("county.db", create=True)
    report = import_files(conn, ["doj_extract.csv"])          # CA DOJ research files
    report = import_files(conn, ["county.csv"], fmt="csv", column_map="map.toml")
    print(report.imported, report.duplicates, report.quarantined, report.ok)

It streams each file in chunks (one short write transaction each), quarantines bad records
with their physical line and reason, counts exact duplicates instead of storing them twice,
skips files already imported (by sha256) and resumes interrupted ones. It derives `people`
and `convictions` from the rows as it goes. See `import_files` for the details and
`triage.importers.csvmap` for the column-map format.
"""

from triage.importers.csvmap import ColumnMap, load_map
from triage.importers.doj import COLUMNS as DOJ_COLUMNS
from triage.importers.pipeline import CHUNK_ROWS, FileReport, ImportReport, import_files

__all__ = [
    "CHUNK_ROWS",
    "DOJ_COLUMNS",
    "ColumnMap",
    "FileReport",
    "ImportReport",
    "import_files",
    "load_map",
]
