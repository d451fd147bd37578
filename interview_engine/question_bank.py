"""The curated question bank: raw material for the offline interviewer.

Each template names the slots it needs; a template is eligible only when the CV/JD analysis can
fill them, so every question asked is grounded in the candidate's documents where possible.
Slots: role, company, skill (a JD requirement the CV shows), gap (a JD requirement the CV lacks),
project (a line of concrete work from the CV), responsibility (a JD duty), top_skills, term.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple


@dataclass(frozen=True)
class Template:
    id: str
    text: str
    needs: Tuple[str, ...] = ()
    competency: str = ""


INTRO: List[Template] = [
    Template("intro.background",
             "Hello, and thanks for joining this interview for the {role} position at {company}. To start, "
             "could you walk me through your background and the experience that best prepares you for this "
             "role, especially around {top_skills}?", ("top_skills",)),
    Template("intro.recent",
             "Hi, great to meet you. Let's begin with your most recent work: what have you been focused on, "
             "and how does your experience with {top_skills} connect to what {company} needs from a {role}?",
             ("top_skills",)),
    Template("intro.motivation",
             "Welcome, and thank you for your time today. Could you give me a short overview of your career "
             "so far, and tell me what draws you to the {role} role at {company}?"),
    Template("intro.highlight",
             "Thanks for joining us. Before we dive into specifics, which part of your background are you "
             "proudest of, and why is it relevant to the {role} role here at {company}?"),
]

TECHNICAL: List[Template] = [
    Template("tech.skill_deep",
             "The {role} role relies on {skill}, and it appears on your CV. Can you walk me through a specific "
             "piece of work where you used {skill}: what you built, the hardest decision you made, and how you "
             "knew it worked?", ("skill",)),
    Template("tech.project",
             "Your CV mentions: \"{project}\". What exactly was your part in that, what trade-offs did you "
             "weigh, and what was the measurable result?", ("project",)),
    Template("tech.gap",
             "The job description asks for {gap}, which I don't see on your CV. What related experience do "
             "you have, and how would you get productive with {gap} in your first months at {company}?",
             ("gap",)),
    Template("tech.responsibility",
             "One of the responsibilities here is to {responsibility}. How have you done something similar "
             "before, and what would you do differently at {company}?", ("responsibility",)),
    Template("tech.troubleshoot",
             "Tell me about a difficult problem you had to diagnose involving {skill}. How did you find the "
             "root cause, and what did you change afterwards?", ("skill",)),
    Template("tech.quality",
             "How do you make sure your work with {skill} is reliable? Give me a concrete example of how you "
             "tested, reviewed or monitored it, and what that caught.", ("skill",)),
    Template("tech.tradeoff",
             "Think of a time you had to choose between two approaches involving {skill}. What were the "
             "options, why did you pick the one you did, and how did it play out?", ("skill",)),
    Template("tech.generic",
             "What is the most demanding problem you have solved in your work as a {role} so far? Take me "
             "through it step by step: the situation, what you did, and the result."),
    Template("tech.learning",
             "Tell me about something important to this {role} role that you had to learn quickly. How did "
             "you learn it, and how did you apply it?"),
]

BEHAVIORAL: List[Template] = [
    Template("beh.collaboration",
             "Tell me about a time you disagreed with a colleague about how to approach a piece of work. What "
             "was the situation, what did you do, and how did it turn out?", competency="collaboration"),
    Template("beh.communication",
             "Describe a time you had to explain something complex to someone without your background, such "
             "as a stakeholder or a client. How did you make sure they understood, and what was the result?",
             competency="communication"),
    Template("beh.leadership",
             "Tell me about a time you led or mentored others through a difficult project. What did you do to "
             "keep them on track, and what was the outcome?", competency="leadership"),
    Template("beh.ownership",
             "Give me an example of something that went wrong in work you owned. What did you do, and what "
             "did you change so it would not happen again?", competency="ownership"),
    Template("beh.problem_solving",
             "Tell me about a time you faced a problem with no obvious solution. How did you break it down, "
             "and what was the result?", competency="problem_solving"),
    Template("beh.adaptability",
             "Describe a time priorities changed suddenly in the middle of your work. How did you adapt, and "
             "what happened in the end?", competency="adaptability"),
    Template("beh.customer_focus",
             "Tell me about a time you went out of your way for a customer, client or patient. What was the "
             "situation, what did you do, and what was the outcome?", competency="customer_focus"),
    Template("beh.prioritization",
             "Tell me about a time you had more work than you could deliver by a deadline. How did you decide "
             "what to do first, and how did it turn out?", competency="prioritization"),
    Template("beh.failure",
             "Tell me about a mistake you made at work. How did you handle it, and what did you learn from "
             "it?", competency="ownership"),
    Template("beh.feedback",
             "Tell me about a time you received critical feedback. What was it, what did you do with it, and "
             "what changed as a result?", competency="communication"),
]

CLOSING: List[Template] = [
    Template("closing.questions",
             "We're coming to the end. What questions do you have for me about the {role} role or about "
             "{company}?"),
    Template("closing.anything_else",
             "Before we wrap up, is there anything about your experience with {term} that we haven't covered "
             "and you'd like me to know? And what questions do you have for us?", ("term",)),
    Template("closing.first_90",
             "To close: if you joined {company} as {role}, what would you focus on in your first 90 days, and "
             "what questions do you have for us?"),
]

# Follow-ups, keyed by what the previous answer lacked.
FOLLOW_UPS: Dict[str, List[Template]] = {
    "off_topic": [
        Template("follow.refocus",
                 "Let me bring us back to the question, which was about {focus}. How does your own experience "
                 "speak to that directly?", ("focus",)),
        Template("follow.refocus2",
                 "I'd like to stay with {focus} for a moment. Can you answer that part directly, with something "
                 "you have done yourself?", ("focus",)),
        Template("follow.refocus3",
                 "Let's come back to {focus}. What is one concrete thing you have done there, and how did it go?",
                 ("focus",)),
    ],
    "short": [
        Template("follow.more",
                 "Could you say more about that? Walk me through it step by step, with one concrete example "
                 "of {focus}.", ("focus",)),
        Template("follow.more2",
                 "Can you expand on that? Take one real situation involving {focus} and tell me how it unfolded.",
                 ("focus",)),
    ],
    "no_example": [
        Template("follow.example",
                 "Could you make that concrete? Pick one specific situation involving {focus}, tell me what "
                 "you personally did, and what happened as a result.", ("focus",)),
        Template("follow.example2",
                 "Can you give me a real example of {focus} from your own work: the situation, your part in it, "
                 "and the result?", ("focus",)),
    ],
    "no_outcome": [
        Template("follow.outcome",
                 "What was the outcome of that work on {focus}? If you can, give me a number or a concrete "
                 "change that showed it worked.", ("focus",)),
        Template("follow.outcome2",
                 "How did you know the work on {focus} succeeded? What changed afterwards, and by how much?",
                 ("focus",)),
    ],
    "no_depth": [
        Template("follow.deeper",
                 "You mentioned {focus}. Can you go one level deeper: how exactly did you use it, and why "
                 "did you choose that approach over the alternatives?", ("focus",)),
        Template("follow.deeper2",
                 "Tell me more about how you used {focus}: what alternatives did you consider, and what would "
                 "you do differently next time?", ("focus",)),
    ],
}

BANK: Dict[str, List[Template]] = {
    "intro": INTRO, "technical": TECHNICAL, "behavioral": BEHAVIORAL, "closing": CLOSING,
}
ALL_TEMPLATES: Dict[str, Template] = {
    t.id: t for group in list(BANK.values()) + list(FOLLOW_UPS.values()) for t in group
}
