"""Reported speech: the verbs and patterns by which news says who said or thought something.

Shared by the answerer ("What did X say?" is answered by what X is reported to have said) and by
the questions about the articles themselves ("Who is quoted?").
"""

from __future__ import annotations

import re

from .vocabulary import REPORT_VERBS

# Who a sentence reports: "Kanwal Sibal, India's former foreign secretary, emphasised ...",
# "..., said Mr Khan", "according to the ministry".
REPORTED = re.compile(
    rf"(?P<subject>(?:[\w’'.()&-]+\s+){{0,5}}?[\w’'.()&-]+)\s*(?P<role>,[^,;:“\"]{{0,160}},\s*)?"
    rf"(?:(?:has|have|had|also|then|later|previously|\w+ly)\s+)*(?:{REPORT_VERBS})\b"
    rf"|\b(?:{REPORT_VERBS}|according\s+to)\s+(?P<after>(?:[\w’'.-]+\s+){{0,4}}[\w’'.-]+)",
)
