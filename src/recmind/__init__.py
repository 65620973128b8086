"""recmind: LLM-powered personalized recommendation and automated marketing."""

__version__ = "0.1.0"
