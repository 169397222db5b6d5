"""The xlwings bridge: entry points for the workbook button and worksheet functions.

A thin adapter — it reads the calling workbook into plain data, calls the core,
and writes results back. Tested against a faithful fake of the xlwings objects.
"""
