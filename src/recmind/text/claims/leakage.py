"""Prompt leakage: words of the writer's instructions, a model speaking of itself, prompt
labels and unfilled slots. None of it may reach a reader, so none of it is ever supported."""

from __future__ import annotations

import re

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known

_EN = re.compile(
    r"\b(?:for|as|to|from) (?:a|an|the|our|your) marketing (?:team|department|manager|copy)\b"
    r"|\bmarketing team\b"
    r"|\bas an? (?:ai|a\.i\.|language model|assistant|chatbot|copywriter|marketer)\b"
    r"|\b(?:ai|large) language model\b|\bI(?:'m| am) (?:an? )?(?:ai|sorry|unable|not able)\b"
    r"|\bI (?:cannot|can't|can not) (?:help|provide|write|assist)\b"
    r"|\bhere(?:'s| is) (?:a|an|the|your) (?:sentence|portrait|explanation|email|text|copy"
    r"|subject line|message|draft|response|answer|version|rewrite|description"
    r"|recommendation|suggestion|personali[sz]ed \w+)\b"
    r"|\b(?:based on|according to|using|from) the (?:facts|data|information|details|tags"
    r"|context|inputs?)(?: (?:given|provided|listed|above|below|you gave))?\b"
    r"|\b(?:facts|tags|titles|details) (?:listed|given|provided) (?:above|below)\b"
    r"|\bthe (?:user|customer|shopper|recipient|target audience)(?:'s)? (?:profile|data|history"
    r"|information|preferences|details|persona|portrait|tags)\b"
    r"|\b(?:profile|data|information|details|preferences|context) (?:provided|given|supplied)\b"
    r"|\b(?:based on|according to|using) (?:the )?(?:provided|given|supplied) \w+"
    r"|\b(?:for|to) the (?:user|customer|reader|recipient|viewer|shopper|subscriber)\b"
    r"|\bbased on (?:their|his or her|the user's|the customer's|the reader's) (?:history"
    r"|preferences|profile|ratings|purchases|interests)\b"
    r"|\b(?:system|user) prompt\b|\b(?:the|this|my) prompt\b|\bmy instructions\b"
    r"|\bthe instructions (?:above|below|given)\b|\bwritten exactly as given\b"
    r"|\buse only the facts\b|\binterest tags\b|\bstrongest first\b"
    r"|(?:^|\n)\s*(?:sentence|portrait|answer|output|its tags|shared tags|they engaged with"
    r"|recently enjoyed|facts)\s*:",
    re.IGNORECASE,
)
_ZH = re.compile(
    r"营销团队|作为(?:一[个名位款])?(?:AI|人工智能|语言模型|助手|营销人员|文案|模型)"
    r"|(?:AI|人工智能)(?:助手|模型)|语言模型|提示词|系统提示|用户提示"
    r"|根据(?:您|你)?(?:提供|给出|给定|列出)的[\u4e00-\u9fff]{0,4}?(?:信息|事实|资料|数据|标签|内容|画像)"
    r"|(?:用户|客户|顾客)(?:画像|数据|资料|偏好数据)"
    r"|以下是(?:为您|为你)?(?:生成|撰写|编写)的|(?:只|仅)(?:使用|根据)(?:给定|提供|列出)的"
    r"|兴趣标签|标签[:：]",
    re.IGNORECASE,
)
_SLOT = re.compile(
    r"\{\{[^{}]{0,40}\}\}|\{[A-Za-z_][\w.]{0,40}\}|\$\{[\w.]+\}|%\([\w]+\)s"
    r"|\[(?:first name|name|customer name|your name|product(?: name)?|item(?: name)?|brand"
    r"|price|discount|code|promo code|date|link|url|store name|company)\]"
    r"|<(?:name|first_name|product|item|brand|price|code)>"
    r"|\b(?:item|user|customer|product)_id\b",
    re.IGNORECASE,
)


def find(doc: Document, known: Known) -> None:
    """Record every leaked phrase and unfilled slot as an unsupported claim."""
    del known
    for pattern, reason in (
        (_EN, "words of the writer's instructions, not of the message"),
        (_ZH, "words of the writer's instructions, not of the message"),
        (_SLOT, "an unfilled template slot or an internal field name"),
    ):
        for match in doc.free_matches(pattern):
            doc.record(match.start(), match.end(), "leakage", False, reason)
