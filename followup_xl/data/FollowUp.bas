Attribute VB_Name = "FollowUp"
' followup-xl: the workbook buttons.
' Each button calls Python through xlwings' RunPython (the BSD-licensed xlwings
' VBA module in this workbook). Python must have followup-xl installed.
' Keep this file ASCII: the VBA project uses code page 1252.
Option Explicit

' The Validate button: run the same checks as `followup-xl validate`,
' mark the cells, list the findings in the issues sheet.
Sub Validate()
    RunPython "import followup_xl.xl.button as b; b.validate_button()"
End Sub

' The RefreshDue button: write the due / overdue list into this workbook.
Sub RefreshDue()
    RunPython "import followup_xl.xl.button as b; b.refresh_due_button()"
End Sub
