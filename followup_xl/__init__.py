"""followup-xl (客户回访助手): customer follow-up calls, run from Excel.

The domain (schema, models, settings, checks, calendar, policy, schedule, report)
is plain Python over plain data; ``io`` reads and writes workbooks, ``xl`` is the
xlwings bridge behind the workbook button, ``cli`` the click layer, and ``api``
the functions a developer calls.
"""

__version__ = "0.1.0"
