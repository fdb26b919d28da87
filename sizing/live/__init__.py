"""Real servers: a local test server, sampling a live Redis or Valkey into a workload
definition (``profile``), synthetic data from a definition, and ``verify``, which measures
the estimate against a server.
"""
