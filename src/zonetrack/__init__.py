"""zonetrack: assess high-tech zones against the quantitative targets of a plan."""

import os

# openpyxl writes its XML with lxml whenever lxml is installed (python-docx brings it): the same
# workbook then has other bytes. zonetrack's workbooks (the demo data, the reports, the collection
# template) are written by openpyxl's own writer, before any module imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
