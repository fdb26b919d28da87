"""Everything a person reads: the plan, diff and profile views, the terminal output and
the Markdown templates. Engine values in, text out; nothing below imports it.
"""
