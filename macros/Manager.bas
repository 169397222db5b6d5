Attribute VB_Name = "Manager"
' followup-xl: the buttons of the manager workbook (hui fang guan li tai).
' Each button calls Python through xlwings' RunPython (the BSD-licensed xlwings
' VBA module in this workbook), which runs the same followup_xl.api function as
' the CLI command of the same job; Python writes the outcome into the Run log
' sheet and the newest figures on the Actions sheet. Python must have followup-xl
' installed. Keep this file ASCII: the VBA project uses code page 1252, so Chinese
' text is built from its Unicode code points (Zh below).
Option Explicit

' Merge the inbox (and last week's master) into this week's master.
Sub MergeBooks()
    RunJob "import followup_xl.xl.manager as m; m.merge_button()", _
        Zh(&H6B63, &H5728, &H5408, &H5E76, &H6C47, &H603B), "Merging"
End Sub

' Validate every workbook in the inbox; annotated copies go to the output folder.
Sub ValidateAll()
    RunJob "import followup_xl.xl.manager as m; m.validate_all_button()", _
        Zh(&H6B63, &H5728, &H5168, &H90E8, &H6821, &H9A8C), "Validating every workbook"
End Sub

' The due / overdue list of the current master.
Sub DueList()
    RunJob "import followup_xl.xl.manager as m; m.due_button()", _
        Zh(&H6B63, &H5728, &H751F, &H6210, &H5F85, &H56DE, &H8BBF, &H6E05, &H5355), "Writing the due list"
End Sub

' Sunday: the coming week's schedule.
Sub WeekSchedule()
    RunJob "import followup_xl.xl.manager as m; m.schedule_button()", _
        Zh(&H6B63, &H5728, &H751F, &H6210, &H6392, &H671F, &H8868), "Writing the schedule"
End Sub

' Monday: last week's summary.
Sub WeekSummary()
    RunJob "import followup_xl.xl.manager as m; m.weekly_button()", _
        Zh(&H6B63, &H5728, &H751F, &H6210, &H5468, &H62A5), "Writing the weekly summary"
End Sub

' The monthly report of the chosen month.
Sub MonthReport()
    RunJob "import followup_xl.xl.manager as m; m.report_button()", _
        Zh(&H6B63, &H5728, &H751F, &H6210, &H6708, &H62A5), "Writing the monthly report"
End Sub

' Hand a leaver's customers over to the chosen receivers.
Sub Handover()
    RunJob "import followup_xl.xl.manager as m; m.handover_button()", _
        Zh(&H6B63, &H5728, &H79BB, &H804C, &H4EA4, &H63A5), "Handing over"
End Sub

' Split the current master into one workbook per person.
Sub SplitBooks()
    RunJob "import followup_xl.xl.manager as m; m.split_button()", _
        Zh(&H6B63, &H5728, &H5206, &H53D1), "Splitting the master"
End Sub

'Is this PC set up for the buttons (followup-xl doctor): the Python they start, the versions.
Sub CheckSetup()
    RunJob "import followup_xl.xl.manager as m; m.doctor_button()", _
        Zh(&H6B63, &H5728, &H68C0, &H67E5, &H73AF, &H5883), "Checking this PC"
End Sub

' Python takes a few seconds to start: say so in the status bar (Chinese or English,
' as the workbook's sheets are), run it, then give the status bar back to Excel.
Private Sub RunJob(command As String, busyZh As String, busyEn As String)
    If HasSheet(Zh(&H64CD, &H4F5C)) Then
        Application.StatusBar = busyZh & Zh(&H2026)
    Else
        Application.StatusBar = busyEn & "..."
    End If
    RunPython command
    Application.StatusBar = False
End Sub

Private Function HasSheet(name As String) As Boolean
    Dim ws As Object
    For Each ws In ThisWorkbook.Worksheets
        If ws.Name = name Then
            HasSheet = True
            Exit Function
        End If
    Next ws
End Function

' Chinese text from its Unicode code points.
Private Function Zh(ParamArray codes() As Variant) As String
    Dim i As Long
    For i = LBound(codes) To UBound(codes)
        Zh = Zh & ChrW(codes(i))
    Next i
End Function
