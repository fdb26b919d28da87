"""The memory model: what a cluster's data takes on one node of an engine version.

Allocator size classes, engine profiles, encodings, hash tables, values and the dataset
estimate. It takes the encoding limits in force as input and knows nothing of parameter
groups, prices or the planner.
"""
