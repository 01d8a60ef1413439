"""The report stage: the results workbook an admin reviews and the fix file they re-run.

write_results(out, ResultsInput(...)) -> ResultFiles
"""

from importer.report.model import FIX_OUTCOMES, RESULT_COLUMNS, ResultFiles, ResultsInput
from importer.report.workbook import write_results

__all__ = ["FIX_OUTCOMES", "RESULT_COLUMNS", "ResultFiles", "ResultsInput", "write_results"]
