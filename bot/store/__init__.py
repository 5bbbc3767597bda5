"""What neither Slack nor incident.io holds, in a database (see bot/store_api.py for what the flows
see): `sql.SqlStore` on SQLAlchemy 2 async, `schema` its tables, `migrate` and `migrations/` the
schema's history, `url` the DATABASE_URL setting. A new kind of record (processed webhook
deliveries, reminder leases) is a table in schema.py, a migration in migrations/versions/, and
methods on the store and its protocol.

Nothing is imported here: bot.config reads bot.store.url without loading the engine.
"""
