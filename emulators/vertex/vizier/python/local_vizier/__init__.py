"""The local Vizier's engine: GP-bandit suggestions and decay-curve stopping (see worker.py)."""
