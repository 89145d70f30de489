"""Speaker attribution: who speaks each quotation. Pure: a Book and a Cast in, a Book out.

Sieves run in order for every quote; the first that answers wins and is recorded as the
segment's `rule`. See `sieves.py` for the rules and entry points, `tags.py` for speech tags,
`turns.py` for paragraphs read as turns, `conversation.py` for turn-taking, `names.py` for
matching the cast and `report.py` for the summary `audiobook inspect` prints.
"""

from audiobook.attribution.report import Report, report
from audiobook.attribution.sieves import (DEFAULT_ROLE, LOW_CONFIDENCE, RULES, UNRESOLVED,
                                          attribute, attribute_chapters)

__all__ = ["DEFAULT_ROLE", "LOW_CONFIDENCE", "RULES", "UNRESOLVED", "Report", "attribute",
           "attribute_chapters", "report"]
