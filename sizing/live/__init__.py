"""Real servers: a local test server, sampling a live Redis or Valkey into a workload
definition (``profile``), synthetic data from a definition, ``verify``, which measures the
estimate against a server, and ``verify --plan``'s capacity check (``capacity``: the fullest
shard loaded at the planned node's memory and churned, with ``churn``'s writer, ``rss``'s
sampler and ``guards``, which refuse what would empty a server or exhaust this machine).
"""
