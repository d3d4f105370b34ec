"""Stage 1, notes: the text of a vault -> one note tree per note.

Takes a folder (or file) and gives, per note, its decoded text (read.py), the text
with collapsed line breaks restored (reflow.py), and the tree the extractors walk
(parse.py, over the one markdown-it setup in markdown.py): sections under a heading
path, blocks, list items with children, every node with its source line. Also the
text folding identity relies on (folding.py) and the lookup of the local images a
note shows (media.py). Uses nothing above it: no card, deck or build exists here.
"""
