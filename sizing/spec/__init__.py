"""The input formats: the workload file (``stacks/<stack>.yaml``: models, loader with line
numbers, JSON Schema) and a stack's deployment config (``Pulumi.<stack>.yaml``).

Bottom layer: it imports nothing else of the engine and never reads the catalog; the
catalog's names come in as validation context (see ``sizing.workloads``).
"""
