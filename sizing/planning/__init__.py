"""The capacity plan: node type, shards, replicas, cost, parameter group and alarm
thresholds for each cluster, and the recommendations that would make it cheaper.

It decides which encoding limits a cluster runs with (``parameter_group``) and feeds them
to the memory model (``estimate``).
"""
