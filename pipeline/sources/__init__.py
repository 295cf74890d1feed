"""Raw inputs: files in raw/ (rendered text or wikitext), recognised by content."""
from pipeline.sources.files import ReadFailure, detect_format, iter_raw

__all__ = ["ReadFailure", "detect_format", "iter_raw"]
