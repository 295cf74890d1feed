"""infobox-etl: Wikipedia spaceflight mission articles to typed, validated Parquet tables."""

__version__ = "0.1.0"
