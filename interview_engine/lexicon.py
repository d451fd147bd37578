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
        "typescript": ["typescript"], "go": ["golang", "go lang"], "rust": ["rust"], "c++": ["c++", "cpp"],
        "c#": ["c#", "csharp"], "ruby": ["ruby"], "php": ["php"], "kotlin": ["kotlin"], "swift": ["swift"],
        "scala": ["scala"], "r": ["r programming", "rstats"], "sql": ["sql", "t-sql", "pl/sql"],
        "bash": ["bash", "shell scripting"], "matlab": ["matlab"],
    },
    "frameworks": {
        "fastapi": ["fastapi"], "django": ["django"], "flask": ["flask"], "spring": ["spring", "spring boot"],
        "react": ["react", "react.js", "reactjs"], "angular": ["angular"], "vue": ["vue", "vue.js"],
        "node.js": ["node.js", "nodejs", "node"], "express": ["express.js", "expressjs"],
        ".net": [".net", "asp.net", "dotnet"], "rails": ["rails", "ruby on rails"],
        "pytorch": ["pytorch", "torch"], "tensorflow": ["tensorflow", "keras"],
        "scikit-learn": ["scikit-learn", "sklearn"], "pandas": ["pandas"], "numpy": ["numpy"],
        "spark": ["spark", "pyspark"], "langchain": ["langchain", "langgraph"], "graphql": ["graphql"],
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
        "aws": ["aws", "amazon web services", "ec2", "s3", "lambda"], "gcp": ["gcp", "google cloud"],
        "azure": ["azure"], "docker": ["docker", "containers", "containerization"],
        "kubernetes": ["kubernetes", "k8s", "helm"], "terraform": ["terraform", "infrastructure as code"],
        "ci/cd": ["ci/cd", "continuous integration", "continuous delivery", "github actions", "jenkins",
                  "gitlab ci"],
        "linux": ["linux", "unix"], "git": ["git", "version control"],
        "monitoring": ["monitoring", "observability", "prometheus", "grafana", "datadog", "alerting"],
        "microservices": ["microservices", "microservice", "service-oriented"],
        "distributed systems": ["distributed systems", "distributed system"],
        "rest apis": ["rest", "restful", "rest api", "rest apis", "api design", "apis"],
        "security": ["security", "oauth", "authentication", "encryption", "owasp"],
        "performance": ["performance tuning", "latency", "scalability", "caching", "load balancing"],
    },
    "practices": {
        "testing": ["testing", "unit tests", "unit testing", "pytest", "tdd", "test automation",
                    "integration tests"],
        "code review": ["code review", "code reviews", "pull requests"],
        "agile": ["agile", "scrum", "kanban", "sprint", "sprints"],
        "system design": ["system design", "architecture", "software architecture"],
        "machine learning": ["machine learning", "ml", "deep learning", "neural networks"],
        "nlp": ["nlp", "natural language processing", "llm", "llms", "large language models"],
        "statistics": ["statistics", "statistical", "hypothesis testing", "regression", "a/b testing",
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
        ["infection control", "sterile technique", "hand hygiene"], "ehr": ["ehr", "epic", "cerner",
        "electronic health records", "charting"], "patient safety": ["patient safety", "fall prevention"],
        "wound care": ["wound care"], "care planning": ["care plan", "care plans", "care planning"],
    },
    "sales_marketing": {
        "crm": ["crm", "salesforce", "hubspot"], "b2b sales": ["b2b", "enterprise sales", "account executive"],
        "pipeline management": ["sales pipeline", "pipeline management", "quota"], "lead generation":
        ["lead generation", "prospecting", "cold calling", "outbound"], "negotiation": ["negotiation",
        "negotiating", "closing deals"], "account management": ["account management", "key accounts",
        "customer success", "renewals", "upsell"], "seo": ["seo", "search engine optimization"],
        "sem": ["sem", "google ads", "ppc", "paid search"], "content marketing": ["content marketing",
        "copywriting", "content strategy"], "social media": ["social media"], "email marketing":
        ["email marketing", "email campaigns"], "marketing analytics": ["google analytics",
        "marketing analytics", "attribution", "conversion rate"], "brand": ["brand", "branding"],
    },
    "product_design": {
        "product management": ["product management", "product manager", "roadmap", "roadmaps",
                               "prioritization", "backlog"],
        "user research": ["user research", "usability testing", "user interviews"],
        "ux design": ["ux", "user experience", "interaction design", "wireframes", "wireframing",
                      "prototyping"],
        "figma": ["figma", "sketch"], "accessibility": ["accessibility", "wcag", "a11y"],
        "design systems": ["design system", "design systems"], "okrs": ["okrs", "okr", "kpis", "kpi"],
    },
    "finance_ops": {
        "financial modeling": ["financial modeling", "financial modelling", "financial models", "dcf"],
        "excel": ["excel", "spreadsheets", "vlookup", "pivot tables"], "accounting": ["accounting",
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

# Answer-level cues
FILLERS = ["um", "uh", "erm", "er", "hmm", "like", "you know", "i mean", "basically", "actually",
           "literally", "kind of", "sort of", "so yeah", "whatever"]
HEDGES = ["i think", "i guess", "maybe", "probably", "perhaps", "not sure", "i don't know",
          "i dont know", "i suppose", "might", "hopefully", "somewhat", "i believe"]
REASONING = ["because", "so that", "in order to", "trade-off", "tradeoff", "instead of", "rather than",
             "which meant", "the reason", "therefore", "as a result", "which allowed", "to avoid",
             "compared to", "decided", "chose", "considered", "prioritised", "prioritized"]
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
INJECTION_RE = re.compile(
    r"(ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?|rules)|"
    r"(disregard|ignore|override|forget) (the |all |any |your |my |these )?(previous |prior |above |earlier )?"
    r"(scoring |grading |evaluation )?(instructions|rules|rubric|guidelines|criteria)|"
    r"(the |an? |dear )?(ai |automated )?(scorer|grader|evaluator|assessor|reviewer|judge) (should|must|will|shall|"
    r"needs? to|is to)\b|(note|message) to the (ai |automated )?(scorer|grader|evaluator|assessor|model)|"
    r"^\s*(scorer|grader|evaluator|assessor|system)\s*(note)?\s*:|system (note|message|instruction)|"
    r"\b(output|return|award|assign) (a |an )?(10|ten)\b|"
    r"\b(give|award|assign|output|return)\b[^.]{0,40}\b(maximum|max|perfect|full|top) (scores?|marks)\b|"
    r"(give|award|rate|score|assign) (me|this( answer)?|it|the candidate) (a |an )?"
    r"(perfect|full|maximum|max|top|10|ten|high)|\b10\s*/\s*10\b|\bscore of 10\b|"
    r"(as|you are) (an? )?(ai|language model|assistant|grader|evaluator|scorer)|system prompt|"
    r"new instructions?:|mark this (answer )?as|this answer (deserves|should (get|receive)))",
    re.IGNORECASE,
)


def _alias_pattern(alias: str) -> str:
    # Word boundaries that tolerate symbols such as c++, c#, .net and node.js.
    return r"(?<![A-Za-z0-9])" + re.escape(alias) + r"(?![A-Za-z0-9+#])"


@lru_cache(maxsize=1)
def skill_matchers() -> List[Tuple[str, str, re.Pattern]]:
    out = []
    for category, skills in SKILLS.items():
        for canonical, aliases in skills.items():
            pattern = "|".join(_alias_pattern(a) for a in sorted(set(aliases + [canonical]), key=len,
                                                                   reverse=True))
            flags = 0 if canonical in ("go", "r", "swift", "rust", "spring", "express") else re.IGNORECASE
            out.append((category, canonical, re.compile(pattern, flags)))
    return out


# Ambiguous single words count as skills only in their capitalised, proper-noun form.
_CASE_SENSITIVE_ALIASES = {"go": ["Go", "Golang", "golang"], "r": ["R"], "swift": ["Swift"],
                           "rust": ["Rust"], "spring": ["Spring", "Spring Boot"],
                           "express": ["Express.js", "Express"]}


def find_skills(text: str) -> Dict[str, List[str]]:
    """category -> canonical skills found in text."""
    found: Dict[str, List[str]] = {}
    for category, canonical, pattern in skill_matchers():
        if canonical in _CASE_SENSITIVE_ALIASES:
            hit = any(re.search(_alias_pattern(a), text) for a in _CASE_SENSITIVE_ALIASES[canonical])
        else:
            hit = bool(pattern.search(text))
        if hit:
            found.setdefault(category, []).append(canonical)
    return found


def flat_skills(text: str) -> List[str]:
    return [s for items in find_skills(text).values() for s in items]
