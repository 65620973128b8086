"""Every setting of recmind in one tree, read from the environment and a ``.env`` file.

``Settings`` (``settings.py``) holds the top-level values (``RECMIND_HOME``,
``RECMIND_DB_URL``, ...) and one section per part of the system, each in its own module:

============= ============================== ==============================================
section       environment                    module
============= ============================== ==============================================
``api``       ``RECMIND_API__<FIELD>``       ``api.py`` (REST service)
``serving``   ``RECMIND_SERVING__<FIELD>``   ``serving.py`` (online engine)
``llm``       ``RECMIND_LLM__<FIELD>``       ``llm.py`` (text generation)
``models``    ``RECMIND_MODELS__<FIELD>``    ``models.py`` (model registry)
``customers`` ``RECMIND_CUSTOMERS__<FIELD>`` ``customers.py`` (customer features, segments)
``marketing`` ``RECMIND_MARKETING__<FIELD>`` ``marketing.py`` (journeys, channels, consent)
``assistant`` ``RECMIND_ASSISTANT__<FIELD>`` ``assistant.py`` (customer-service assistant)
``encoder``   ``RECMIND_ENCODER``            ``encoders.py`` (sentence encoder)
============= ============================== ==============================================

This package imports nothing else from recmind, so every layer can read it.
"""

from recmind.config.api import DEFAULT_SECRET, ApiSettings
from recmind.config.assistant import AssistantSettings, RetrievalSettings
from recmind.config.customers import CustomerSettings
from recmind.config.encoders import BUILTIN_ENCODERS, DEFAULT_ENCODER, EncoderName
from recmind.config.llm import LLMSettings, default_threads
from recmind.config.marketing import MarketingSettings, SmtpSettings, WebhookSettings
from recmind.config.models import ModelsSettings
from recmind.config.serving import ServingSettings
from recmind.config.settings import Settings, get_settings

__all__ = [
    "BUILTIN_ENCODERS",
    "DEFAULT_ENCODER",
    "DEFAULT_SECRET",
    "ApiSettings",
    "AssistantSettings",
    "CustomerSettings",
    "EncoderName",
    "LLMSettings",
    "MarketingSettings",
    "ModelsSettings",
    "RetrievalSettings",
    "ServingSettings",
    "Settings",
    "SmtpSettings",
    "WebhookSettings",
    "default_threads",
    "get_settings",
]
