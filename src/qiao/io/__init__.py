"""Excel and CSV in and out: reading spreadsheets, cleansing and mapping their cells,
de-duplication, background imports with undo, streamed exports and templates."""
