"""The community policy as data: numbered rules with stable ids that every report, removal,
strike and log entry cites (/community-policy renders them, each at #rule-<id>).

Ids are stored in the database: never rename or reuse one. A rule's number is its place in
the list and may change when rules are added; its id does not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One rule of the policy: its stable id, its number, title and text."""

    id: str
    number: int
    title: str
    text: str

    @property
    def label(self) -> str:
        """How pages cite it: 'Rule 1: Be civil'."""
        return f"Rule {self.number}: {self.title}"


_RULES = (
    (
        "civil",
        "Be civil",
        "Argue with ideas, not people. No insults, name-calling, profanity aimed at others "
        "or personal attacks.",
    ),
    (
        "threats",
        "No threats or violence",
        "No threats, wishes of harm or calls to violence against anyone, and no praise of "
        "violent attacks.",
    ),
    (
        "hate",
        "No hate",
        "No slurs, and no attacks on people for their race, ethnicity, nationality, "
        "religion, sex, gender, sexual orientation, disability or age.",
    ),
    (
        "harassment",
        "No harassment",
        "Do not target, follow or pile on another reader, a journalist or a person in the "
        "news, and do not evade a suspension with another account.",
    ),
    (
        "privacy",
        "Respect privacy",
        "No doxxing: never post anyone's home address, phone number, email, private "
        "documents or other personal details, nor images of people shared without their "
        "consent.",
    ),
    (
        "spam",
        "No spam",
        "No advertising, repeated posts, link farms, scams or vote-seeking.",
    ),
    (
        "off-topic",
        "Stay on topic",
        "Comment on the article or story you are reading; take other conversations elsewhere.",
    ),
    (
        "honesty",
        "Be honest",
        "Do not impersonate anyone or knowingly spread false information.",
    ),
    (
        "explicit",
        "No explicit content",
        "No sexual content, and no graphic violence or gore.",
    ),
    (
        "illegal",
        "Nothing illegal",
        "Nothing that breaks the law: no selling of illegal goods, no content that infringes "
        "copyright, nothing that sexualises minors (reported to the authorities).",
    ),
)

RULES: tuple[Rule, ...] = tuple(
    Rule(rule_id, number, title, text) for number, (rule_id, title, text) in enumerate(_RULES, 1)
)
RULE_IDS: frozenset[str] = frozenset(rule.id for rule in RULES)
_BY_ID = {rule.id: rule for rule in RULES}


def get_rule(rule_id: str | None) -> Rule | None:
    """The rule with that id, or None."""
    return _BY_ID.get(rule_id or "")


def rule_label(rule_id: str | None) -> str:
    """'Rule 1: Be civil' for a known id; the id itself for one no longer in the policy."""
    rule = get_rule(rule_id)
    return rule.label if rule else (rule_id or "")


def policy_view() -> dict[str, object]:
    """The policy page's data (and its JSON twin)."""
    return {
        "rules": [{"id": r.id, "number": r.number, "title": r.title, "text": r.text} for r in RULES]
    }
