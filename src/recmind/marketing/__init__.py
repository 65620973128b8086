"""Marketing: segments (rule trees compiled to SQL, materialised membership), audiences
from the recommender, and segments drafted from plain language.

Sits above the recommenders and customer intelligence; the service and the CLI call it.
"""
