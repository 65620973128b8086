"""The hybrid recommender: candidates from several sources (EASE, ALS, ItemKNN, item
transitions, text similarity, popularity, the SASRec transformer) merged by a LightGBM
LambdaRank ranker trained on labels held out inside the training data."""

from recmind.rec.hybrid.config import DEFAULT_SOURCES, HybridConfig
from recmind.rec.hybrid.recommender import HybridRecommender

__all__ = ["DEFAULT_SOURCES", "HybridConfig", "HybridRecommender"]
