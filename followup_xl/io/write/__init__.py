"""One module per workbook the tool produces."""
