"""Alembic's script directory for the store, shipped inside the package (`pip install .` and the
Docker image carry it): env.py, and one module per schema change in versions/."""
