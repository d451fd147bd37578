"""FastAPI layer: the Interview API V2 contract over the interview service."""
