"""Monthly SLA reports: figures, charts, PDF, CSV/XLSX exports and the archive."""
