"""The index: scan a workspace into file records, cached in SQLite."""

from ctxlens.index.records import FileRecord, SkipRecord
from ctxlens.index.scan import ScanProgress, ScanResult, ScanStats, scan_workspace

__all__ = ["FileRecord", "ScanProgress", "ScanResult", "ScanStats", "SkipRecord",
           "scan_workspace"]
