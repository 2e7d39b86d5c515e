"""A deterministic demo city (Baotou scale) or province (benchmark scale) with planted defects."""
