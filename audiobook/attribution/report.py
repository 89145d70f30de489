"""What attribution decided, for `audiobook inspect`: who speaks how much, by which rule,
and which quotes deserve a second look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from audiobook.attribution.sieves import LOW_CONFIDENCE, RULES, UNRESOLVED
from audiobook.script import DIALOGUE, Book


@dataclass(frozen=True)
class Flagged:
    line: int
    role: str
    rule: str
    text: str


@dataclass
class Report:
    quotes: int = 0
    speakers: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    unresolved: list[Flagged] = field(default_factory=list)
    low_confidence: list[Flagged] = field(default_factory=list)

    def lines(self, width: int = 60) -> list[str]:
        """The report as text lines."""
        def short(text: str) -> str:
            return text if len(text) <= width else text[: width - 3] + "..."

        out = [f"Quotes: {self.quotes}",
               "Speakers: " + (", ".join(f"{r} {n}" for r, n in self.speakers.most_common())
                               or "none"),
               "Rules: " + (", ".join(f"{r} {self.rules[r]}" for r in RULES if self.rules[r])
                            or "none")]
        for title, items in (("Unresolved (read by the narrator)", self.unresolved),
                             ("Low confidence", self.low_confidence)):
            out.append(f"{title}: {len(items) or 'none'}")
            out += [f"  line {q.line:>4}  {q.role:<10} {q.rule:<16} {short(q.text)}" for q in items]
        return out


def report(book: Book) -> Report:
    """Summarise an attributed Book."""
    result = Report()
    for segment in book.segments():
        if segment.kind != DIALOGUE:
            continue
        result.quotes += 1
        result.speakers[segment.role] += 1
        result.rules[segment.rule] += 1
        flagged = Flagged(segment.line, segment.role, segment.rule, segment.text)
        if segment.rule in UNRESOLVED:
            result.unresolved.append(flagged)
        elif segment.rule in LOW_CONFIDENCE:
            result.low_confidence.append(flagged)
    return result
