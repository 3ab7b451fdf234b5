"""slim streaming metrics (placeholder, filled below)."""
