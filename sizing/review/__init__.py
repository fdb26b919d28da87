"""The sizing diff: both sides of a stack change planned, and each change classified by
what it does to a running cluster; the sides come from files, checkouts or git revisions.
"""
