"""Article text → a candidate fact file for a person to review (``aikg extract``, ``POST /extract``).

Rule-based and offline: page cleaning (:mod:`.page`), numbers and money (:mod:`.numbers`),
dates (:mod:`.dates`), entity matching (:mod:`.entities`), relation patterns (:mod:`.relations`)
and the fact file written out (:mod:`.facts_out`).
"""
