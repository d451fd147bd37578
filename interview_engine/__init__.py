"""interview_engine: the reusable core of the AI interview service (no web framework needed)."""
from .config import Settings, get_settings
from .evaluation import evaluate_answer
from .models import Evaluation, Evidence, SessionRecord
from .service import AnswerInput, InterviewService, LiveAnswer, StartInput

__all__ = ["Settings", "get_settings", "evaluate_answer", "Evaluation", "Evidence", "SessionRecord",
           "InterviewService", "StartInput", "AnswerInput", "LiveAnswer"]
__version__ = "0.1.0"
