"""Stage 4, pipeline: a whole vault -> its deck, cached and incremental.

Takes the paths a user gives and runs every note through the stages below
(per_note.py: read, reflow, parse, skip, extract, judge, render one note), in worker
processes when there are many (collect.py) that never outlive the build (processes.py),
remembers each note's result (cache.py), patches the last deck when only a few notes
changed (incremental.py), and writes the deck
and its state under the output's lock (lock.py). run.py is the entry point
(``build``, ``collect``); progress.py draws the bar and watch.py rebuilds on save.
Everything here serves speed and safety: the cards themselves are decided below.
"""
