"""Where the app finds the warehouse: shared by the command line and the dashboard."""

from __future__ import annotations

import os

WAREHOUSE_ENV = "PRESSWORK_WAREHOUSE"


def default_warehouse() -> str:
    """The warehouse folder: $PRESSWORK_WAREHOUSE, else ./warehouse."""
    return os.environ.get(WAREHOUSE_ENV) or "warehouse"
