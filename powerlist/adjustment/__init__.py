"""个别调整 (adjustment review): a law change (立改废释) re-reviews the items citing that law."""
