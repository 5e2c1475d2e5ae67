# SPDX-License-Identifier: MIT
"""③ Metrics. Input: an Activity and its Gating. Output: per-channel asymmetry with intervals
(:func:`channel_asymmetry`), within-run drift (:func:`drift`) and form (:func:`cadence_speed`,
:func:`form_summaries`). Pure numbers; judging them is the assessment stage's job."""

from evenstride.metrics.asymmetry import ChannelAsymmetry, ContextAsymmetry, channel_asymmetry
from evenstride.metrics.drift import DriftResult, drift
from evenstride.metrics.form import CadenceSpeed, FormSummary, cadence_speed, form_summaries

__all__ = [
    "CadenceSpeed",
    "ChannelAsymmetry",
    "ContextAsymmetry",
    "DriftResult",
    "FormSummary",
    "cadence_speed",
    "channel_asymmetry",
    "drift",
    "form_summaries",
]
