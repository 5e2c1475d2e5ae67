# SPDX-License-Identifier: MIT
"""Which sensor produces each metric, and clean device names.

A run document lists every device of a recording (``doc.devices``: the creator from
``file_id`` first, then each ``device_info``), e.g. ``["garmin fr965", "garmin hrm_pro",
"stryd 4660", "scribe_labs RunScribe", "garmin 0", "development"]``. A metric's personal
baseline must restart only when the sensor that *produces that metric* changes
(docs/methods.md, "Regimes per source"):

- ``running_dynamics`` (Garmin-style GCT balance, stance time …): the watch and the running
  dynamics sensor (HRM-Run/-Tri/-Pro/-Fit/600 or the RD pod). Heart-rate-only straps, Stryd,
  RunScribe and other makers' accessories do not feed it.
- ``runscribe``: the RunScribe pods only.
- ``stryd``: the Stryd pod only.
- any other source: every listed device except heart-rate-only straps and accessories.

Entries that name no device (``development``, a product given only as a number such as
``garmin 0`` or ``stryd 4660``) are dropped from names and keys: the number is an unnamed
product code, not a model a reader can recognise (a Stryd keeps its maker name, "Stryd").

>>> clean_device_name("garmin hrm_pro_plus"), clean_device_name("garmin fr965")
('Garmin HRM-Pro Plus', 'Garmin Forerunner 965')
>>> clean_device_name("garmin 0") is None, clean_device_name("stryd 4660")
(True, 'Stryd')
>>> devs = ["garmin fr965", "garmin hrm_pro", "stryd 4660", "scribe_labs RunScribe"]
>>> sensor_key(devs, "running_dynamics"), sensor_key(devs, "runscribe")
('Garmin Forerunner 965 + Garmin HRM-Pro', 'RunScribe')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

__all__ = ["clean_device_name", "run_sensor", "sensor_key", "setup_label"]

#: FIT manufacturer names → how a reader knows them.
_MAKERS: Final[dict[str, str]] = {
    "garmin": "Garmin",
    "stryd": "Stryd",
    "scribe_labs": "RunScribe",
    "coros": "COROS",
    "polar_electro": "Polar",
    "suunto": "Suunto",
    "wahoo_fitness": "Wahoo",
    "scosche": "Scosche",
    "favero_electronics": "Favero",
    "saxonar": "Saxonar",
    "bsx_athletics": "BSX",
    "apple": "Apple",
    "zwift": "Zwift",
}
#: Garmin sensors that measure running dynamics (FIT profile product names; "hrm_600" is newer
#: than some profiles). Their change restarts running-dynamics baselines.
_RD_SENSOR = re.compile(
    r"^(hrm_run|hrm4_run|hrm_tri|hrm_pro|hrm_pro_plus|hrm_fit|hrm_600|running_dynamics_pod)"
    r"(_single_byte_product_id)?$"
)
#: Garmin products that never produce a gait metric: heart-rate-only straps, the GNSS chip,
#: bike and speed-only sensors.
_NO_GAIT_PRODUCTS: Final = frozenset(
    {"hrm1", "hrm2ss", "hrm3ss", "hrm_dual", "hrm_200", "hrm", "gnss", "bsm", "bcm", "sdm4"}
)
#: Makers of accessories that do not feed a gait metric (heart rate, pedals, muscle oxygen).
_ACCESSORY_MAKERS: Final = frozenset(
    {"polar_electro", "wahoo_fitness", "scosche", "favero_electronics", "saxonar", "bsx_athletics"}
)


def _split(raw: str) -> tuple[str, str]:
    parts = raw.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")


def _unnamed(raw: str) -> bool:
    """No device a reader could recognise: ``development``, a bare known maker other than
    Stryd, or a product given only as a number."""
    maker, product = _split(raw)
    if not maker or maker == "development":
        return True
    if product.isdigit():
        return maker != "stryd"
    if maker == "garmin" and product.lower() == "gnss":  # the watch's satellite receiver
        return True
    return not product and maker in _MAKERS and maker != "stryd"


def _pretty_product(maker: str, product: str) -> str:
    if product.isdigit():
        return ""
    if product != product.lower():  # a name as the device wrote it ("RunScribe", "COROS APEX")
        return product
    toks = [t for t in product.split("_") if t and t not in ("single", "byte", "product", "id")]
    if not toks:
        return ""
    head = toks[0]
    if maker == "garmin" and re.fullmatch(r"hrm\d*", head):
        label = head.upper()
        rest = toks[1:]
        if rest and rest[0].isdigit():
            return f"{label} {' '.join(rest)}"
        if rest:
            tail = "".join(" " + t.capitalize() for t in rest[1:])
            return f"{label}-{rest[0].capitalize()}{tail}"
        return label
    m = re.fullmatch(r"fr(\d+\w*)", head)
    if maker == "garmin" and m:
        return " ".join([f"Forerunner {m.group(1).upper()}", *(t.capitalize() for t in toks[1:])])
    return " ".join(t.upper() if any(c.isdigit() for c in t) and len(t) <= 4 else t.capitalize()
                    for t in toks)


@functools.lru_cache(maxsize=4096)
def clean_device_name(raw: str) -> str | None:
    """The device as a reader knows it, or None for an entry that names no device (cached:
    a history of thousands of runs names a handful of devices)."""
    if _unnamed(raw):
        return None
    maker, product = _split(raw)
    pretty = _MAKERS.get(maker)
    if pretty is None:
        return raw.strip()  # unknown maker: as written
    prod = _pretty_product(maker, product)
    if not prod or prod.lower() == pretty.lower():
        return pretty
    if prod.lower().startswith(pretty.lower()):
        return prod
    return f"{pretty} {prod}"


@functools.lru_cache(maxsize=4096)
def _kind(raw: str) -> str:
    """``stryd``, ``runscribe``, ``rd_sensor``, ``no_gait`` or ``other``."""
    maker, product = _split(raw)
    low = raw.lower()
    product = product.lower().replace("-", "_").replace(" ", "_")  # clean names too
    if maker == "stryd" or "stryd" in low:
        return "stryd"
    if maker == "scribe_labs" or "runscribe" in low:
        return "runscribe"
    if maker == "garmin" and _RD_SENSOR.match(product):
        return "rd_sensor"
    if maker in _ACCESSORY_MAKERS or (maker == "garmin" and product in _NO_GAIT_PRODUCTS):
        return "no_gait"
    return "other"


def _join(names: Sequence[str]) -> str:
    return " + ".join(sorted(set(names)))


def setup_label(devices: Sequence[str]) -> str:
    """The whole set-up with clean names, sorted (``"unknown"`` when none is named)."""
    return _setup_label(tuple(devices))


@functools.lru_cache(maxsize=4096)
def _setup_label(devices: tuple[str, ...]) -> str:
    names = [n for n in (clean_device_name(d) for d in devices) if n is not None]
    return _join(names) or "unknown"


def sensor_key(devices: Sequence[str], source: str, *, creator_first: bool = True) -> str:
    """The clean name(s) of the device(s) that produce a metric of ``source``.

    A change of this key restarts the metric's baseline; a change of any other device does not.
    With ``creator_first`` the first entry is the recording device (the watch), whoever made
    it.
    """
    return _sensor_key(tuple(devices), source, creator_first)


@functools.lru_cache(maxsize=4096)
def _sensor_key(devices: tuple[str, ...], source: str, creator_first: bool) -> str:
    named = [(d, clean_device_name(d)) for d in devices]
    kinds = [
        ("other" if creator_first and i == 0 and _kind(d) == "no_gait" else _kind(d), n)
        for i, (d, n) in enumerate(named)
        if n is not None
    ]
    if source == "runscribe":
        return _join([n for k, n in kinds if k == "runscribe"]) or "RunScribe"
    if source == "stryd":
        return _join([n for k, n in kinds if k == "stryd"]) or "Stryd"
    # running dynamics and any other source: the watch and its gait sensors
    gait = _join([n for k, n in kinds if k in ("rd_sensor", "other")])
    # a file made by a Stryd pod: its running dynamics are Stryd's
    return gait or _join([n for k, n in kinds if k == "stryd"]) or "unknown"


def run_sensor(devices: Sequence[str], device_key: str, source: str) -> str:
    """:func:`sensor_key` of a run: from its ordered device list, else from its set-up key."""
    if devices:
        return sensor_key(devices, source)
    if not device_key or device_key == "unknown":
        return "unknown"
    return sensor_key(device_key.split(" + "), source, creator_first=False)
