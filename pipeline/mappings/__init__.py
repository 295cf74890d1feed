"""Data only: one TOML file per infobox type (parameter -> column, parser, unit), read by
pipeline.core.mappings. Adding an infobox type is a new `<type>.toml` here plus its table in
schema.py and tests."""
