"""Storage adapter: SQLAlchemy Core tables, migrations, repositories, unit of work."""
