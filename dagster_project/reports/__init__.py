"""The monthly report to the Government Office: an Excel workbook and a PDF, in Vietnamese."""
from .build import build_monthly_report

__all__ = ["build_monthly_report"]
