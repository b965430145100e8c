"""Stdlib-only pieces the three sample apps share, so that their HTTP contract is identical:
limits, error codes and messages (`contract`), order-body rules and totals (`orders`), the
deterministic seed data (`seed_data`), the CPU workload (`workload`) and the safe first-start
database build (`dbfile`). Nothing here imports a web framework or an ORM, except
`sqla_seed`: the schema and seed rows of the two SQLAlchemy apps (Flask, FastAPI)."""
