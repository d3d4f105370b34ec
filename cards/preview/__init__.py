"""Stage 5, preview: cards -> what a person or a script sees before importing.

Takes identified cards and gives the ``--json`` objects and the filters
(json_view.py), the terminal view (terminal.py) and the self-contained HTML page
(html_page.py), each drawing the question and answer through faces.py, which renders
our note types exactly as Anki does. Uses the deck stage (fields, templates), never
the build.
"""
