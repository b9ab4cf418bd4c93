"""The words every stage names the same way: calendar words and the verbs of speech.

Dates (ingest/dates.py), the answerer's question kinds, the support check and the follow-up
reader all read months and weekdays from here; the answerer's "What did X say?" and reported
speech (reported.py) read the verbs of speech.
"""

from __future__ import annotations

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# The verbs a question asks someone's words by ("What did X say / warn / claim ...?"), as a
# regex alternation of their plain forms.
SAY_VERBS = (
    r"say|tell|warn|argue|claim|state|add|insist|announce|declare|stress|emphasi[sz]e|"
    r"predict|suggest|admit|deny|urge|reply|respond|comment"
)

# The verbs that report what someone said or thought, as a regex alternation ("said|says|...").
REPORT_VERBS = (
    r"said|says|told|tells|added|adds|stated|states|warned|warns|argued|argues|claimed|claims|"
    r"insisted|insists|emphasi[sz]ed|emphasi[sz]es|stressed|stresses|noted|notes|explained|"
    r"explains|thinks|believes|believed|detailed|details|announced|announces|declared|declares|"
    r"suggested|suggests|admitted|admits|wrote|writes|reported|reports|revealed|reveals|urged|"
    r"urges|described|describes|predicted|predicts|denied|denies|confirmed|confirms|replied|"
    r"replies|responded|commented|remarked|acknowledged|concluded|asked|asks|tweeted|estimated|"
    r"estimates"
)

# The words of job titles and forms of address: a capitalised run made only of them ("Chief
# Executive Officer", "Director") names no one.
TITLE_WORDS = frozenset(
    (
        "chief",
        "executive",
        "officer",
        "director",
        "president",
        "vice",
        "deputy",
        "acting",
        "minister",
        "secretary",
        "senator",
        "governor",
        "mayor",
        "chairman",
        "chairwoman",
        "chair",
        "head",
        "manager",
        "commissioner",
        "general",
        "prime",
        "foreign",
        "assistant",
        "senior",
        "junior",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "superintendent",
        "inspector",
        "sergeant",
        "detective",
        "professor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "sir",
        "lord",
        "lady",
        "judge",
        "justice",
    )
)
