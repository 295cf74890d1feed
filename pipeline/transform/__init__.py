"""Pure value parsers: dates, quantities and names."""
