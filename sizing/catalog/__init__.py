"""What AWS offers, as data with its sources (``data/``, see ``data/SOURCES.md``): node
types and their memory, prices (each with its date) and reserved offers per region,
ElastiCache Serverless prices and limits (``serverless``), latency and transfer prices
between regions (``network``), the parameters of each parameter-group family, and the
server's own memory per engine release.

It knows the spec's names only to tell the spec which regions and families exist.
"""
