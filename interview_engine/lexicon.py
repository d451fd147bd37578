"""The vocabulary the offline engine recognises in CVs, JDs and answers.

Skills are grouped by category; each canonical name has the spellings that mean it. It spans
several professions (software, data, nursing, sales, marketing, product, finance, design,
support, operations) so that interviews outside tech are grounded too.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Tuple

SKILLS: Dict[str, Dict[str, List[str]]] = {
    "languages": {
        "python": ["python", "python3"], "java": ["java"], "javascript": ["javascript", "js", "ecmascript"],
        "typescript": ["typescript"], "go": ["Go", "golang", "go lang"], "rust": ["Rust"], "c++": ["c++", "cpp"],
        "c#": ["c#", "csharp"], "ruby": ["Ruby"], "php": ["php"], "kotlin": ["kotlin"], "swift": ["Swift"],
        "scala": ["scala"], "r": ["R", "r programming", "rstats"], "sql": ["sql", "t-sql", "pl/sql"],
        "bash": ["bash", "shell scripting"], "matlab": ["matlab"],
    },
    "frameworks": {
        "fastapi": ["fastapi"], "django": ["django"], "flask": ["Flask"], "spring": ["Spring", "Spring Boot"],
        "react": ["React", "react.js", "reactjs"], "angular": ["Angular", "angularjs"], "vue": ["vue", "vue.js"],
        "node.js": ["node.js", "nodejs", "Node"], "express": ["Express", "express.js", "expressjs"],
        ".net": [".net", "asp.net", "dotnet"], "rails": ["Rails", "ruby on rails"],
        "pytorch": ["pytorch"], "tensorflow": ["tensorflow", "keras"],
        "scikit-learn": ["scikit-learn", "sklearn"], "pandas": ["pandas"], "numpy": ["numpy"],
        "spark": ["Spark", "pyspark", "spark sql", "spark job", "spark jobs"], "langchain": ["langchain", "langgraph"], "graphql": ["graphql"],
        "celery": ["celery"], "next.js": ["next.js", "nextjs"],
    },
    "data_stores": {
        "postgresql": ["postgresql", "postgres"], "mysql": ["mysql"], "mongodb": ["mongodb", "mongo"],
        "redis": ["redis"], "elasticsearch": ["elasticsearch", "opensearch"], "sqlite": ["sqlite"],
        "cassandra": ["cassandra"], "dynamodb": ["dynamodb"], "snowflake": ["snowflake"],
        "bigquery": ["bigquery"], "kafka": ["kafka"], "rabbitmq": ["rabbitmq"],
        "data warehouse": ["data warehouse", "data warehousing"],
    },
    "cloud_devops": {
        "aws": ["aws", "amazon web services", "ec2", "s3", "Lambda"], "gcp": ["gcp", "google cloud"],
        "azure": ["azure"], "docker": ["docker", "containerization", "containerisation"],
        "kubernetes": ["kubernetes", "k8s", "Helm"], "terraform": ["terraform", "infrastructure as code"],
        "ci/cd": ["ci/cd", "continuous integration", "continuous delivery", "github actions", "jenkins",
                  "gitlab ci"],
        "linux": ["linux", "unix"], "git": ["git", "version control"],
        "monitoring": ["observability", "prometheus", "grafana", "datadog", "pagerduty"],
        "microservices": ["microservices", "microservice", "service-oriented"],
        "distributed systems": ["distributed systems", "distributed system"],
        "rest apis": ["REST", "restful", "rest api", "rest apis", "api design", "apis"],
        "security": ["oauth", "authentication", "encryption", "owasp", "cybersecurity", "application security"],
        "performance": ["performance tuning", "latency", "scalability", "caching", "load balancing"],
    },
    "practices": {
        "testing": ["testing", "unit tests", "unit testing", "pytest", "tdd", "test automation",
                    "integration tests"],
        "code review": ["code review", "code reviews", "pull requests"],
        "agile": ["agile", "scrum", "kanban", "sprint", "sprints"],
        "system design": ["system design", "software architecture", "solution architecture"],
        "machine learning": ["machine learning", "ML", "deep learning", "neural networks"],
        "nlp": ["nlp", "natural language processing", "llm", "llms", "large language models"],
        "statistics": ["statistics", "statistical", "hypothesis testing", "regression analysis", "a/b testing",
                       "a/b tests", "experimentation"],
        "data visualization": ["data visualization", "tableau", "power bi", "looker", "dashboards"],
        "etl": ["etl", "data pipelines", "data pipeline", "airflow", "dbt"],
        "mentoring": ["mentoring", "mentored", "coaching", "mentor"],
    },
    "healthcare": {
        "patient care": ["patient care", "patient assessment", "bedside"], "medication administration":
        ["medication administration", "administering medication", "medications"],
        "triage": ["triage"], "icu": ["icu", "intensive care", "critical care"],
        "bls/acls": ["bls", "acls", "cpr", "basic life support"], "infection control":
        ["infection control", "sterile technique", "hand hygiene"], "ehr": ["ehr", "Epic", "cerner",
        "electronic health records", "charting"], "patient safety": ["patient safety", "fall prevention"],
        "wound care": ["wound care"], "care planning": ["care plan", "care plans", "care planning"],
    },
    "sales_marketing": {
        "crm": ["crm", "salesforce", "hubspot"], "b2b sales": ["b2b", "enterprise sales"],
        "pipeline management": ["sales pipeline", "pipeline management", "quota"], "lead generation":
        ["lead generation", "prospecting", "cold calling", "outbound prospecting"], "negotiation": ["negotiation",
        "negotiating", "closing deals"], "account management": ["account management", "key accounts",
        "customer success", "renewals", "upsell"], "seo": ["seo", "search engine optimization"],
        "sem": ["sem", "google ads", "ppc", "paid search"], "content marketing": ["content marketing",
        "copywriting", "content strategy"], "social media": ["social media"], "email marketing":
        ["email marketing", "email campaigns"], "marketing analytics": ["google analytics",
        "marketing analytics", "attribution", "conversion rate"], "brand": ["brand", "branding"],
    },
    "product_design": {
        "product management": ["product management", "roadmap", "roadmaps",
                               "prioritization", "backlog"],
        "user research": ["user research", "usability testing", "user interviews"],
        "ux design": ["ux", "user experience", "interaction design", "wireframes", "wireframing",
                      "prototyping"],
        "figma": ["figma", "Sketch"], "accessibility": ["accessibility", "wcag", "a11y"],
        "design systems": ["design system", "design systems"], "okrs": ["okrs", "okr", "kpis", "kpi"],
    },
    "finance_ops": {
        "financial modeling": ["financial modeling", "financial modelling", "financial models", "dcf"],
        "excel": ["Excel", "spreadsheets", "vlookup", "pivot tables"], "accounting": ["accounting",
        "gaap", "ifrs", "reconciliation", "general ledger"], "budgeting": ["budgeting", "budget",
        "forecast", "fp&a"], "audit": ["audit", "auditing", "compliance", "sox"], "risk management":
        ["risk management", "risk assessment"], "supply chain": ["supply chain", "logistics",
        "inventory", "procurement"], "project management": ["project management", "pmp",
        "stakeholder management", "jira"],
    },
    "support": {
        "customer support": ["customer support", "customer service", "help desk", "helpdesk",
                             "support tickets", "zendesk"],
        "troubleshooting": ["troubleshooting", "debugging", "root cause", "incident response",
                            "on-call", "postmortem"],
        "sla": ["sla", "slas", "service level"],
    },
}

# Behavioural themes a JD may name; they steer which behavioural questions are picked.
COMPETENCY_CUES: Dict[str, List[str]] = {
    "collaboration": ["team", "collaborat", "cross-functional", "partner", "stakeholder"],
    "communication": ["communicat", "presentation", "presenting", "written", "stakeholder", "explain"],
    "leadership": ["lead", "mentor", "manage", "ownership", "influence", "coach"],
    "ownership": ["ownership", "accountab", "end-to-end", "autonom", "self-starter", "proactive"],
    "problem_solving": ["problem", "analytic", "troubleshoot", "debug", "root cause"],
    "adaptability": ["fast-paced", "ambigu", "change", "startup", "adapt", "dynamic"],
    "customer_focus": ["customer", "client", "patient", "user"],
    "prioritization": ["prioriti", "deadline", "multiple projects", "time management", "multitask"],
}

SENIORITY_CUES: List[Tuple[str, str]] = [
    ("intern", "intern"), ("graduate", "junior"), ("entry level", "junior"), ("entry-level", "junior"),
    ("junior", "junior"), ("mid-level", "mid"), ("mid level", "mid"), ("senior", "senior"),
    ("sr.", "senior"), ("lead", "lead"), ("staff", "staff"), ("principal", "principal"),
    ("head of", "head"), ("manager", "manager"), ("director", "director"), ("vp", "executive"),
    ("chief", "executive"),
]

DOMAIN_CUES: Dict[str, List[str]] = {
    "fintech": ["fintech", "payments", "banking", "trading"], "healthcare": ["hospital", "clinical",
    "healthcare", "patient", "nursing"], "e-commerce": ["e-commerce", "ecommerce", "retail",
    "marketplace"], "saas": ["saas", "b2b software"], "education": ["education", "edtech", "school",
    "university"], "gaming": ["gaming", "game"], "logistics": ["logistics", "shipping", "fleet"],
    "media": ["media", "publishing", "streaming"], "security": ["cybersecurity", "infosec"],
    "ai": ["artificial intelligence", "machine learning", "ai"],
}

# Answer-level cues. One list of fillers and one of hedges, shared by answer evaluation (text) and voice
# analysis (speech); each reader decides when a word is used in its filler sense.
HESITATIONS = ["um", "uh", "er", "erm", "ah", "hmm", "mm", "uhm", "umm"]
DISCOURSE_FILLERS = ["you know", "i mean", "kind of", "sort of", "like", "basically", "actually", "literally",
                     "so", "well", "so yeah", "whatever"]
FILLERS = HESITATIONS + DISCOURSE_FILLERS
HEDGES = ["i think", "i guess", "maybe", "probably", "perhaps", "not sure", "i don't know",
          "i dont know", "i suppose", "might", "hopefully", "somewhat", "i believe"]
# Prescriptions in general instead of an answer: "it's important to communicate", "safety should always come
# first", "it depends on the use case". A sentence of this kind says what anyone should do, not what this
# candidate did, would do or knows; an answer made of them is generic in any field.
PLATITUDE_RE = re.compile(
    r"\b(?:it'?s|it is|is|are) (?:very |really |so |always |absolutely )?(?:important|essential|key|vital|crucial|"
    r"critical)\b|\bshould\b|\bbest practices?\b|\bcomes? first\b|\btop priority\b|\bdepends on\b",
    re.IGNORECASE)
# Business and interview boilerplate: rare enough in general English to look specific, but it names
# nothing. Never counted as a specific term.
GENERIC_WORDS = set("""stakeholder stakeholders synergy synergies leverage leveraged leveraging proactive
    proactively deliverable deliverables methodology methodologies holistic holistically streamline
    streamlined streamlining optimise optimised optimize optimized optimising optimizing optimisation
    optimization facilitate facilitated collaborate collaborated collaborating collaborative collaboration
    cross-functional alignment aligned align initiative initiatives impactful scalable robust seamless
    seamlessly paradigm innovative innovation dynamic passionate motivated ownership accountability
    accountable empower empowered spearhead spearheaded utilize utilized utilise utilised optimal
    efficiencies efficiency bandwidth transparency transparent mindset strategize strategise strategic
    strategically teamwork prioritize prioritized prioritise prioritised prioritisation prioritization
    communicator detail-oriented self-starter diligent diligently efficiently effectively outcomes
    workflow workflows processes enhancement enhancements enhance enhanced execution executed implement
    implemented implementation implementations best-practice practices learnings takeaway takeaways
    actionable value-add value-added game-changer win-win touch-base circle-back ideate ideation
    results-driven goal-oriented customer-centric data-driven hands-on end-to-end fast-paced
    problem-solving multitasking multitask ok okay yeah yep gonna wanna kinda sorta stuff""".split())
REASONING = ["because", "so that", "in order to", "trade-off", "tradeoff", "instead of", "rather than",
             "which meant", "the reason", "therefore", "as a result", "which allowed", "to avoid",
             "compared to", "decided", "chose", "considered", "prioritised", "prioritized", "since",
             "which is why", "that's why", "otherwise", "to make sure", "to prevent", "given that",
             "so i", "so we", "unless", "the risk", "the downside", "weighed", "over the"]
STAR_SITUATION = ["when i", "at my", "in my previous", "in my last", "in my current", "at my last",
                  "we had", "we were", "there was", "our team", "the project", "a project", "last year",
                  "once", "one time", "the situation", "the client", "a patient", "a customer",
                  "during", "my manager", "was tasked", "the goal", "the problem was", "the challenge"]
STAR_ACTION = ["i built", "i designed", "i implemented", "i led", "i wrote", "i created", "i added",
               "i introduced", "i organised", "i organized", "i set up", "i started", "i proposed",
               "i worked", "i analysed", "i analyzed", "i migrated", "i refactored", "i automated",
               "i negotiated", "i called", "i spoke", "i met", "i scheduled", "i reviewed",
               "i assessed", "i escalated", "i coordinated", "i trained", "i mentored", "i changed",
               "i decided", "i investigated", "i profiled", "i fixed", "i rewrote", "i ran", "i made",
               "i took", "i reached out", "i explained", "i documented", "i prioritized",
               "i prioritised", "i split", "i used", "i developed", "i optimized", "i optimised",
               "i measured", "i tested", "i deployed", "i launched", "i monitored", "i administered",
               "i checked", "i drafted", "i presented", "i listened", "i asked", "we built",
               "we designed", "we implemented", "we migrated", "we split", "we agreed", "we used",
               "we introduced", "we added", "we moved", "we rewrote", "we replaced", "my role was",
               "i was responsible", "i owned", "i handled", "i managed"]
STAR_RESULT = ["result", "resulted", "reduced", "increased", "improved", "cut", "saved", "grew",
               "decreased", "dropped", "raised", "outcome", "led to", "which meant", "achieved",
               "delivered", "shipped", "on time", "under budget", "we hit", "exceeded", "learned",
               "lesson", "from then on", "since then", "ended up", "in the end", "eventually",
               "faster", "fewer", "higher", "lower", "went from", "went down", "went up",
               "recovered", "stabilised", "stabilized", "promoted", "won", "closed", "retained"]
# Dismissing a safeguard: skipping checks, not reporting, falsifying records, disabling protections. A
# professional red flag in any field, readable without knowing the field. (Whether a clinical dose or an
# electrical rating is *wrong* needs a model that knows the field: an LLM engine.)
SAFEGUARD_DISMISSAL_RE = re.compile(
    r"\bno (?:need|point|reason) (?:to|in|for) (?:bother|check|test|report|tell|inform|escalate|document|log|"
    r"call|worry|doing|having|recount|investigate)\w*|"
    r"\b(?:don't|didn't|do not|did not|never) bother\b|"
    r"\bskip(?:ped|ping|s)? (?:the |a |any |their |our |my |all )?(?:\w+ )?(?:check|checks|test|tests|testing|"
    r"review|reviews|inspection|sign-off|recount|postmortem|post-mortem|induction|assessment|verification|"
    r"handover|approval|isolation|paperwork|calibration|audit)\b|"
    r"\bwithout (?:a |any |the )?(?:sign-off|recount|checking|testing|review|telling|informing|consent|permit|"
    r"isolating|isolation|supervision|investigation|approval|authori[sz]ation)\b|"
    r"\bbackdat\w*|\bfalsif\w*|\bfudg(?:e|ed|ing)\b|\bcover(?:ed)? (?:it|this|that) up\b|"
    r"\bnobody (?:will|would|'ll|is going to) (?:notice|know|check)\b|\boff (?:the )?books\b|"
    r"\b(?:more of|just) (?:a )?guideline\b|\bnothing to report\b|"
    r"\b(?:doesn't|does not|don't|do not) need to (?:go on|be reported|be logged|be recorded|report)\b|"
    r"\bthat's on (?:them|him|her)\b|\bthere's no risk\b|"
    r"\bno (?:sign-off|recount|second check|independent check|permit|risk assessment)\b|"
    r"\b(?:isn't|is not|wasn't|was not) (?:a |that )?(?:disaster|big deal)\b|\bnot worth (?:reporting|logging|recording)\b|"
    r"\b(?:never|don't|do not) (?:actually |really )?need to (?:think about|worry about|check|test|report)\b|"
    r"\b(?:disabled|turned off|switched off|took out|removed|overrode|bypassed) (?:the )?(?:\w+ ){0,2}(?:alarm|alarms|"
    r"safety|interlock|guard|constraints?|checks?|rcd|notional|logging|audit)\b",
    re.IGNORECASE,
)
# Before a dismissal, these turn it round: "I would never skip the check", "rather than backdating".
SAFEGUARD_NEGATION_RE = re.compile(r"\b(?:never|not|n't|rather than|instead of|refused to|won't|wouldn't|"
                                   r"shouldn't|must not|no one should|avoid|against)\b[^.!?]{0,30}$", re.IGNORECASE)
INJECTION_RE = re.compile(
    r"(ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?|rules)|"
    r"(disregard|ignore|override|forget) (the |all |any |your |my |these )?(previous |prior |above |earlier )?"
    r"(scoring |grading |evaluation )?(instructions|rules|rubric|guidelines|criteria)|"
    r"(the |an? |dear )?(ai |automated )?(scorer|grader|evaluator|assessor|reviewer|judge) (should|must|will|shall|"
    r"needs? to|is to)\b|(note|message|instructions?) (to|for) (the |any |an? )?(\w+ )?(ai|automated|llm|model|scorer|"
    r"grader|evaluator|assessor|marker|reviewer)\b|"
    r"\b(score|scores|overall|rating|relevance|depth|clarity|recommendation)\s*[=:]\s*(10|ten|hire|max)\b|"
    r"\b(reviewer|grader|scorer|evaluator|assessor|marker|model|system|admin|operator) override\b|"
    r"\bscore (it|this|me|the answer|the candidate) (at|as|with) (the )?(top|highest|maximum|max|full|perfect)|"
    r"\btreat (this|it|the answer) as an? (exemplary|perfect|excellent|model|ideal|outstanding) answer\b|"
    r"\btop of (every|each|the|all) (scale|scales|dimension|dimensions)\b|"
    r"</?\s*(answer|system|instructions?|prompt|user|assistant)\s*>|\b(ai|automated|llm) (scorer|grader|evaluator|assessor|marker|reviewer)s?\b|"
    r"\b(10|ten) out of (10|ten)\b|\bhighest (possible )?(scores?|marks?|rating)\b|"
    r"^\s*(scorer|grader|evaluator|assessor|system)\s*(note)?\s*:|system (note|message|instruction)|"
    r"\b(output|return|award|assign) (a |an )?(10|ten)\b|"
    r"\b(give|award|assign|output|return)\b[^.]{0,40}\b(maximum|max|perfect|full|top) (scores?|marks)\b|"
    r"(give|award|rate|score|assign) (me|this( answer)?|it|the candidate) (a |an )?"
    r"(perfect|full|maximum|max|top|10|ten|high)|\b10\s*/\s*10\b|\bscore of 10\b|"
    r"(as|you are) (an? )?(ai|language model|grader|evaluator|scorer)\b|you are (an? )?(ai )?assistant\b|as an ai assistant|system prompt|"
    r"new instructions?:|mark this (answer )?as|this answer (deserves|should (get|receive))|"
    # Addressed to whoever scores, in any words: "As the evaluator, ...", "Attention, AI scoring system: ...".
    r"\bas the (ai |automated )?(evaluator|grader|scorer|assessor|marker|reviewer|judge|examiner)\b|"
    r"\b(ai|automated|llm)\s+(scoring|grading|marking|evaluation|assessment|review)\s*(system|tool|model|engine)?\b|"
    r"\b(hey|hi|dear|attention|note to|hello)\W+(the |you )?(ai|bot|model|grader|scorer|evaluator|assessor|marker)\b|"
    # Asking for a score: a scoring verb on this answer with a top value, or the score it "should" get.
    r"\b(rate|score|grade|mark|record|assign|award|give|treat)\b[^.;]{0,40}\b(this|the) (response|answer|submission|reply|"
    r"one|candidate)\b[^.;]{0,30}\b(excellent|perfect|maximum|max|full|top|highest|ten|10|outstanding|exemplary)\b|"
    r"\b(rate|score|grade|mark) (this|the) (response|answer|submission|reply|one)\b|"
    r"\b(record|assign|award|give)\b[^.;]{0,20}\b(a )?(perfect|maximum|max|full|top|highest) (score|scores|marks?|rating|grade)s?\b|"
    r"\b(the )?(correct|right|appropriate|expected|only fair) (score|rating|grade|mark) (is|should be|would be|here is)\b|"
    r"\b(meets|satisfies|fulfils|fulfills|hits) (every|all|each) (criterion|criteria|requirement|requirements) (of|in|on) "
    r"(the |your )?(rubric|marking|scoring|grading|mark scheme))",
    re.IGNORECASE,
)


def _alias_pattern(alias: str) -> str:
    # Word boundaries that tolerate symbols such as c++, c#, .net and node.js.
    return r"(?<![A-Za-z0-9])" + re.escape(alias) + r"(?![A-Za-z0-9+#])"


# A spelling with a capital letter is matched case-sensitively: "React" and "Go" name tools, "react"
# and "go" do not. Those that are also everyday words ("Go ahead", "Spring is busy") count at the start of
# a sentence only when a word that suits a tool follows.
_EVERYDAY = {"Go", "Node", "React", "Angular", "Rails", "Ruby", "Spark", "Flask", "Lambda", "Helm", "Epic",
             "Sketch", "Excel", "Spring", "Express", "Swift", "Rust", "R"}
_TOOL_FOLLOWERS = {"is", "was", "has", "had", "code", "service", "services", "app", "apps", "api", "apis",
                   "backend", "frontend", "cluster", "job", "jobs", "component", "components", "version",
                   "developer", "developers", "stack", "runs", "ran", "handles", "handled", "made", "gave",
                   "lets", "let", "worked", "works", "and", "or", "boot", "sql", "streaming", "charts",
                   "functions", "hooks", "native"}
# A unit after a number ("5 ML of saline") is not machine learning.
_AFTER_NUMBER_UNITS = {"ML", "R"}


@lru_cache(maxsize=1)
def skill_matchers() -> List[Tuple[str, str, re.Pattern, re.Pattern]]:
    """(category, canonical, case-insensitive pattern or None, case-sensitive pattern or None)."""
    out = []
    for category, skills in SKILLS.items():
        for canonical, aliases in skills.items():
            lower = sorted({a for a in aliases if a == a.lower()}, key=len, reverse=True)
            cased = sorted({a for a in aliases if a != a.lower()}, key=len, reverse=True)
            pi = re.compile("|".join(_alias_pattern(a) for a in lower), re.IGNORECASE) if lower else None
            pc = re.compile("|".join(_alias_pattern(a) for a in cased)) if cased else None
            out.append((category, canonical, pi, pc))
    return out


def _sense_ok(text: str, m: re.Match) -> bool:
    """An everyday word counts as a tool only where it is used as one."""
    word = m.group(0)
    before = text[:m.start()]
    if word in _AFTER_NUMBER_UNITS and re.search(r"\d\s*$", before):
        return False
    if word not in _EVERYDAY:
        return True
    at_start = not before.strip() or re.search(r"[.!?:;\n]\s*[\"'(]?$", before)
    if not at_start:
        return True
    follower = re.match(r"\s*([A-Za-z]+)", text[m.end():])
    return bool(follower) and follower.group(1).lower() in _TOOL_FOLLOWERS


def find_skills(text: str) -> Dict[str, List[str]]:
    """category -> canonical skills found in text, in the sense in which they are used."""
    found: Dict[str, List[str]] = {}
    for category, canonical, pi, pc in skill_matchers():
        hit = bool(pi and pi.search(text))
        if not hit and pc:
            hit = any(_sense_ok(text, m) for m in pc.finditer(text))
        if hit:
            found.setdefault(category, []).append(canonical)
    return found


def flat_skills(text: str) -> List[str]:
    return [s for items in find_skills(text).values() for s in items]
