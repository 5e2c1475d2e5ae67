# SPDX-License-Identifier: MIT
"""``evenstride steps FILE``: per-step analysis of lab and sensor recordings (foot IMUs,
treadmill force and markers, RunScribe pods, a phone, one leg's accelerometer, video)."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from evenstride.cli import types
from evenstride.cli.common import EXIT_OK, console, print_json
from evenstride.cli.summary import merge_warnings, print_summary
from evenstride.exceptions import EvenstrideWarning

#: Per-step recording formats understood by ``evenstride steps``.
STEP_FORMATS = ("imu", "fukuchi", "c3d", "runscribe", "phone", "accel", "video")


def register(sub: Any) -> None:
    """Add ``steps`` (:data:`COMMAND_MODULES <evenstride.cli.app.COMMAND_MODULES>`)."""
    st = sub.add_parser(
        "steps",
        help="per-step analysis of lab and sensor recordings (foot IMUs, treadmill force/markers)",
        description="Find each step's events and side in a raw recording and judge the per-step "
        "left/right metrics with the same engine as watch files. Formats: 'imu' (bilateral "
        "foot/shank IMU CSV: the documented generic layout or the gaitmap example layout), "
        "'fukuchi' (treadmill forces text export; the markers file beside it and RBDSinfo.txt in "
        "the same folder are used; a markers export without a forces file gives marker-only "
        "events), 'c3d' (motion capture: with force-plate analog channels body mass comes from "
        "--mass-kg or RBDSinfo.txt beside the file; without them events come from the foot "
        "markers and no body mass is needed), "
        "'phone' (a single trunk/waist phone or IMU: a Sensor Logger export as .zip, .json or "
        "folder, or its Accelerometer.csv with Gravity.csv and Gyroscope.csv beside it; "
        "results are indicative only), "
        "'runscribe' (per-stride CSV exports: FILE is the left pod, "
        "--right the right pod), 'accel' (one leg's accelerometer, adeptdata CSV "
        "loc_id,date_time,x,y,z in g, optionally .gz; --location picks the sensor: stride times "
        "and variability only, no left/right asymmetry). Stride-time variability (CV, DFA α) is "
        "reported per side.",
    )
    st.add_argument("file", metavar="FILE")
    st.add_argument("--right", metavar="FILE", help="right-pod export (format runscribe)")
    st.add_argument("--gyro", metavar="FILE", help="gyroscope CSV when it is not the "
                    "export's own Gyroscope.csv (format phone)")
    st.add_argument("--location", metavar="NAME", help="sensor location to analyse, e.g. "
                    "left_ankle (format accel; default: the first ankle sensor)")
    st.add_argument("--mass-kg", type=types.positive_float, metavar="KG",
                    help="body mass (format c3d with force channels)")
    st.add_argument("--speed", type=types.positive_float, metavar="M/S",
                    help="treadmill speed (formats c3d, fukuchi markers-only; default for "
                    "markers only: the belt speed measured from the stance foot)")
    st.add_argument("--static", metavar="FILE", help="static calibration trial for cluster-only "
                    "markers (format c3d without forces; default: …_static.c3d beside …_run.c3d)")
    st.add_argument("--format", choices=STEP_FORMATS, default=None,
                    help="input format (default: recognised from the file's content)")
    st.add_argument("--view", choices=("side", "rear", "front"),
                    help="camera view (format video; default: detected)")
    st.add_argument("--units", metavar="acc=g,gyr=deg/s",
                    help="units of a generic IMU CSV when the file does not declare them")
    st.add_argument("--json", action="store_true", help="print the evenstride.run/1 document")
    st.add_argument("--html", metavar="FILE", help="write the HTML report")
    st.add_argument("--seed", type=types.seed, default=0)
    st.set_defaults(func=cmd_steps)


def cmd_steps(args: argparse.Namespace) -> int:
    """Per-step analysis of one recording: summary and stride-time variability, or JSON."""
    from evenstride.pipeline import analyze_steps
    from evenstride.steps import StepOptions, steps_document

    opts = StepOptions(units=args.units, right=args.right, gyro=args.gyro,
                       location=args.location, mass_kg=args.mass_kg, speed_m_s=args.speed,
                       static=args.static, view=args.view)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EvenstrideWarning)
        res = analyze_steps(args.file, fmt=args.format, options=opts, seed=args.seed)
    merge_warnings(res.warnings, caught, res.file)
    if args.html:
        from evenstride.report import write_report

        write_report(res, Path(args.html))
    doc = steps_document(res, res.activity)
    if args.json:
        print_json(doc)
    else:
        con = console()
        print_summary(res, con)
        v = doc["variability"]
        if v.get("stride_cv_pct") is not None:
            dfa = v.get("dfa_alpha")
            con.print(
                f"stride time: CV {v['stride_cv_pct']:.2f} % over {v['n_strides']} strides; "
                + (f"DFA α {dfa:.2f}" if dfa is not None else "DFA α not computed")
                + (f" ({v['dfa_note']})" if v.get("dfa_note") else "")
            )
    return EXIT_OK
