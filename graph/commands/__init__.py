"""The ``aikg`` commands that answer one question each, or work at scale, registered on the app in :mod:`graph.cli`.

Each module holds the Typer function of its command(s) and the exit codes its help states; the
reading they do lives in the library (``graph.analysis``, ``graph.funding_rounds``,
``graph.supply_deals``, ``graph.sources``, ``graph.bulk_load``...), which the REST API uses too.
"""
