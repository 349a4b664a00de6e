"""Reports of a sweep's results: ``orglearn report DIR`` writes an HTML page with plots
(`report.write_report`)."""

from orglearn.reports.report import write_report

__all__ = ["write_report"]
