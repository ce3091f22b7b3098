"""Django's PostgreSQL backend (psycopg 3) with a health check that needs no round trip: `base.py`."""
