"""The shapes of names in English news text, shared by the stages that look for them.

Each is built from one capitalised word; the answerer, the sentence splitter and the
cross-article questions compile the same patterns from here rather than their own copies.
"""

from __future__ import annotations

import re

# One capitalised word: "Putin", "O'Neill", "Lüderitz-Strasse".
CAPITALISED_WORD = r"[A-Z][\w’'-]+"
# A sentence that opens by naming its subject, then says who they are: "Kamal Alam, a Pakistan
# analyst ..." (two to four capitalised words, "Mr." and initials allowed, then a comma).
NAMED_SUBJECT = re.compile(rf"^(?P<name>(?:[A-Z][\w’'.-]+\s){{1,3}}{CAPITALISED_WORD}),")
# Two capitalised words or more: "Kamal Alam", "Royal United Services Institute".
PROPER_NAME = re.compile(rf"{CAPITALISED_WORD}(?:\s+{CAPITALISED_WORD})+")
# One capitalised word or more, from a word boundary: "Reuters", "New York".
NAME_RUN = re.compile(rf"\b{CAPITALISED_WORD}(?:\s+{CAPITALISED_WORD})*")
# The small words inside a person's name: "Ursula von der Leyen", "Mohammed bin Salman".
NAME_PARTICLES = r"de|van|von|al|bin|da"
# A person's full name, two words or more, particles inside: "Vincent van Gogh".
FULL_NAME = re.compile(rf"\b{CAPITALISED_WORD}(?:\s+(?:{NAME_PARTICLES})?\s*{CAPITALISED_WORD})+")
# A name of a person or a body, one word or more, with the small words of either inside:
# "Kate", "Bank of England", "Institute for Fiscal Studies", "Vincent van Gogh".
NAME_OF_ANYONE = re.compile(
    rf"\b{CAPITALISED_WORD}(?:\s+(?:of|the|for|{NAME_PARTICLES})?\s*{CAPITALISED_WORD})*"
)
