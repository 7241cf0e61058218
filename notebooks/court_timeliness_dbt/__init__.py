"""The analytics engineering example: modelling court timeliness with dbt.

The dbt project is ``court_timeliness/``; ``helpers`` runs it in process, tabulates
its results and draws its lineage. It builds on the curated output of the data
engineering example (``court_cases_etl.ensure_curated``).
"""
