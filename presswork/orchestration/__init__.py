"""The Prefect layer: the flow, its tasks, run settings, the temporary API server.

The only code that imports Prefect.
"""
