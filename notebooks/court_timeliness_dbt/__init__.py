"""The analytics engineering example: modelling court timeliness with dbt.

The dbt project is ``court_timeliness/``. It builds on the curated output of the data
engineering example (``court_cases_etl.ensure_curated``). The helper modules, one job each:

- ``dbt_run``: runs the project in process (``run_dbt``), with its files under the
  git-ignored output folder (``dbt_paths``, ``dbt_flags``, ``dbt_env``);
- ``run_results``: dbt's results as a table, and the tests that failed;
- ``lineage``: dbt's manifest as a graph of sources, seeds and models, and its drawing;
- ``planted``: a copy of the curated data with bad rows that the project's tests catch;
- ``charts``: the timeliness chart that answers the notebook's question;
- ``on_spark``: runs a plan of dbt commands and SQL on Apache Spark in a process of its own
  (the local session and the process come from ``local_spark``).
"""
