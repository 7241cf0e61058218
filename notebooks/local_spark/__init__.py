"""Apache Spark in local mode, as the examples' tests and benchmarks run it (no cluster, no network).

One module per job:

- ``session``: starts (or returns) this process's local SparkSession, with every file it
  writes in one work folder (``local_session``, ``session_settings``);
- ``process``: runs a Python module in a process of its own, optionally offline, and
  reads back the summary it writes (``run_module``): how the examples keep Spark's Java
  gateway, console and memory out of the caller;
- ``offline``: the command prefix that cuts a process's network off, loopback up
  (``offline_command``); the book build uses it too;
- ``java``: finds Java (``JAVA_HOME``, then ``PATH``) and checks it is new enough
  (``require_java``, ``java_problem``); the HTML validator uses it too.

``log4j2.properties`` is Spark's log set-up for a session of ``session``. Importing any of
these modules starts nothing and changes no environment variable.
"""
