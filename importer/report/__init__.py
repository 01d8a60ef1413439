"""The report stage: the results workbook an admin reviews and the fix file they re-run.

write_results(out, ResultsInput(...)) -> ResultFiles; output_paths(out, format) lists every
file it may write, and check_outputs(out, format, input, mapping) refuses (UsageError) when
one of them is the input or the mapping: call it before sending anything.
"""

from importer.report.model import RESULT_COLUMNS, ResultFiles, ResultsInput
from importer.report.outcome_styles import FIX_OUTCOMES
from importer.report.paths import check_outputs, check_writable, output_paths
from importer.report.workbook import write_results

__all__ = [
    "FIX_OUTCOMES",
    "RESULT_COLUMNS",
    "ResultFiles",
    "ResultsInput",
    "check_outputs",
    "check_writable",
    "output_paths",
    "write_results",
]
