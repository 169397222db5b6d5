Attribute VB_Name = "Manager"
' followup-xl: the buttons of the manager workbook (guanlitai).
' Each button calls Python through xlwings' RunPython (the BSD-licensed xlwings
' VBA module in this workbook), which runs the same followup_xl.api function as
' the CLI command of the same job. Python must have followup-xl installed.
' Keep this file ASCII: the VBA project uses code page 1252.
Option Explicit

' Merge the inbox (and last week's master) into this week's master.
Sub MergeBooks()
    RunPython "import followup_xl.xl.manager as m; m.merge_button()"
End Sub

' Validate every workbook in the inbox; annotated copies go to the output folder.
Sub ValidateAll()
    RunPython "import followup_xl.xl.manager as m; m.validate_all_button()"
End Sub

' The due / overdue list of the current master.
Sub DueList()
    RunPython "import followup_xl.xl.manager as m; m.due_button()"
End Sub

' Sunday: the coming week's schedule.
Sub WeekSchedule()
    RunPython "import followup_xl.xl.manager as m; m.schedule_button()"
End Sub

' Monday: last week's summary.
Sub WeekSummary()
    RunPython "import followup_xl.xl.manager as m; m.weekly_button()"
End Sub

' The monthly report of the chosen month.
Sub MonthReport()
    RunPython "import followup_xl.xl.manager as m; m.report_button()"
End Sub

' Hand a leaver's customers over to the chosen receivers.
Sub Handover()
    RunPython "import followup_xl.xl.manager as m; m.handover_button()"
End Sub

' Split the current master into one workbook per person.
Sub SplitBooks()
    RunPython "import followup_xl.xl.manager as m; m.split_button()"
End Sub
