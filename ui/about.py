"""The About tab: what the model is and what it leaves out, in plain words (like NetLogo's Info
tab).

The text stands alone: it names no files and no code. The barriers and interventions are listed
from the sidebar's own controls (`orglearn.ui.controls`), so the two never disagree.
"""

from __future__ import annotations

import solara

from orglearn.ui.controls import BARRIERS, INTERVENTIONS

__all__ = ["about_text", "AboutView"]

_INTRO = """
### What this is

A simulation of how knowledge spreads through an organisation, and of what gets in its way.
Each person in the organisation is simulated one working day at a time. What you see (how much
people know, how fast a new idea reaches everybody) is not typed in: it comes out of what
hundreds of people do every day with the colleagues they know.

Use it to think through a what-if before you try it for real: *what if most people only read
and never post? What if we appointed champions?* Change one thing, run it, and compare with the
same organisation without the change.

### What a person does each day

- **Asks a colleague** for help on something they need, usually someone they work with. Whether
  they ask, and whether the answer helps, depends on how generous and tactful both are and on
  how safe it feels to ask. A good exchange strengthens the working relationship; a bad one
  weakens it.
- **Reads and writes posts** on the organisation's social network, if they have it. A post
  passes on what can be written down; the know-how behind it passes only from colleague to
  colleague.
- **Works together** with colleagues on shared work, and picks up what they know along the way.
- **Goes to training**, when the organisation runs courses.
- **Learns from clients' work**: what clients need keeps moving, and people who work with
  clients bring new knowledge in.

People also **watch each other**: someone who sees a colleague do better by sharing (or by
keeping to themselves) tends to copy them, managers and champions more than others. And people
**forget** what they do not use, **leave**, and are replaced by newcomers.

### The three values

Social learning needs all three; a weakness in any one slows it down.

- **Learning**: how much people know, and how far a *new idea* (known by a few people at the
  start) has spread.
- **Communicating**: whether asking for help works: the share of requests answered well, and
  the share refused.
- **Collaborating**: whether help goes both ways, and whether people take part: the share of
  helping relationships that are two-way, and the share of people who post.
"""

_LIMITS = """
### What the model leaves out, and how to read it

- **It is a model, not a forecast.** It shows how the pieces push each other, not what will
  happen in your organisation on a given day. Read the direction and the rough size of a
  difference, not the exact number of days.
- **It leaves out** what people actually know (knowledge is a score on a handful of topics),
  meetings, email, workload, pay and promotion, office politics, and anyone outside the
  organisation except its clients.
- **The numbers behind it** (how often people ask, how fast they forget) are plausible values
  taken from research, not measured in your organisation.
- **Chance plays a part**: who asks whom, who leaves, which posts are read. The *random seed*
  fixes these chance events: the same seed gives exactly the same run, another seed another run
  that could have happened. One run can be lucky or unlucky, so before drawing a conclusion
  compare many runs of each (the *Compare with a baseline* tab does this, giving both sides the
  same chance events).

### Your own org chart

Instead of a generated organisation, you can simulate your own from two spreadsheet files saved
as CSV (in the sidebar, *Your org chart*):

- **People**, one row per person, with the columns `person_id`, `manager_id` (empty for the
  head), `team` and `department`, and optionally `role` (member, manager or champion),
  `tool_access` (yes or no) and `tenure_years`.
- **Observed ties** (optional), one row per pair of people who work together: `person_a`,
  `person_b`, and optionally `weight` (how often they interact).

Use codes, never names or email addresses: any other column is refused.
"""


def _bullets(items) -> str:
    return "\n".join(f"- **{item.label}**: {item.help}" for item in items)


def about_text() -> str:
    """The About tab's text (Markdown)."""
    return (
        _INTRO.strip()
        + "\n\n### Barriers\n\nThings that get in the way of learning from colleagues; each is "
        "a control in the sidebar.\n\n"
        + _bullets(BARRIERS)
        + "\n\n### Interventions\n\nThings an organisation can do, switched on in the sidebar "
        "for a working day you choose.\n\n"
        + _bullets(INTERVENTIONS)
        + "\n\n"
        + _LIMITS.strip()
        + "\n"
    )


@solara.component
def AboutView():
    """The About tab."""
    with solara.Div(classes=["orglearn-about"], style={"max-width": "860px"}):
        solara.Markdown(about_text())
