"""Stdlib-only pieces the three sample apps share, so that their HTTP contract is identical:
limits, error codes and messages (`contract`), order-body rules and totals (`orders`), the
deterministic seed data (`seed_data`), the CPU workload (`workload`) and the safe first-start
database build (`dbfile`). Nothing here imports a web framework or an ORM, except what the
two SQLAlchemy apps (Flask, FastAPI) share: their tables and order placement (`sqla_models`),
their seeding (`sqla_seed`) and their Jinja2 report page (`templates/report.html`)."""
