"""Business-hours calendars: a pure engine (no Flask, no database), its table and views."""
