"""The sequential recommender: a SASRec-style transformer over each user's behaviour
sequence, optionally fused with item text embeddings."""

from recmind.rec.sequential.config import SequentialConfig
from recmind.rec.sequential.recommender import SequentialRecommender

__all__ = ["SequentialConfig", "SequentialRecommender"]
