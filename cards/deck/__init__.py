"""Stage 3, deck: cards -> an Anki deck that updates in place.

Takes the cards the extractors made and gives their Anki fields as HTML (render.py),
their GUIDs and the fixed note type ids (ids.py), the state file that carries GUIDs
across edits (state.py), the flat rows the build passes around (rows.py), and the
``.apkg`` itself (package.py, written by zipping.py, with the card faces and CSS that
templating.py finds). Uses only the notes stage (text folding) and the model.
"""
