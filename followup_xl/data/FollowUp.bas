Attribute VB_Name = "FollowUp"
' followup-xl: the workbook buttons.
' Each button calls Python through xlwings' RunPython (the BSD-licensed xlwings
' VBA module in this workbook). Python must have followup-xl installed.
' Keep this file ASCII: the VBA project uses code page 1252, so Chinese text is
' built from its Unicode code points (Zh below).
' tests/test_vba_libreoffice.py runs these Subs in LibreOffice with RunPython stubbed.
Option Explicit

' The Validate button: run the same checks as `followup-xl validate`,
' mark the cells, list the findings in the issues sheet, and show that sheet.
Sub Validate()
    RunButton "import followup_xl.xl.button as b; b.validate_button()", _
        Zh(&H6B63, &H5728, &H6821, &H9A8C), "Checking this workbook", _
        Zh(&H95EE, &H9898, &H6E05, &H5355), "Issues"
End Sub

' The RefreshDue button: write the due / overdue list into this workbook and show it.
Sub RefreshDue()
    RunButton "import followup_xl.xl.button as b; b.refresh_due_button()", _
        Zh(&H6B63, &H5728, &H5237, &H65B0, &H5F85, &H56DE, &H8BBF), "Refreshing the due list", _
        Zh(&H5F85, &H56DE, &H8BBF), "Due"
End Sub

' Python takes a few seconds to start: say so in the status bar (Chinese or English,
' as the workbook's sheets are), run it, then show the sheet it wrote.
Private Sub RunButton(command As String, busyZh As String, busyEn As String, _
                      sheetZh As String, sheetEn As String)
    Dim zhBook As Boolean
    zhBook = HasSheet(Zh(&H5BA2, &H6237, &H540D, &H5F55, &H7C3F)) Or Not HasSheet("Customers")
    If zhBook Then
        Application.StatusBar = busyZh & Zh(&H2026)
    Else
        Application.StatusBar = busyEn & "..."
    End If
    RunPython command
    Application.StatusBar = False
    If zhBook Then
        ShowSheet sheetZh
    Else
        ShowSheet sheetEn
    End If
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

' Python failed before writing the sheet: stay where the person is.
Private Sub ShowSheet(name As String)
    If HasSheet(name) Then ThisWorkbook.Worksheets(name).Activate
End Sub

' Chinese text from its Unicode code points.
Private Function Zh(ParamArray codes() As Variant) As String
    Dim i As Long
    For i = LBound(codes) To UBound(codes)
        Zh = Zh & ChrW(codes(i))
    Next i
End Function
