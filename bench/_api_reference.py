"""The bare reference of bench.api: parse the JSON, predict and explain one prepared row.

Served by gunicorn with the same settings as the product, it measures what the HTTP stack
and the model alone cost, so the product's /score throughput can be stated as a ratio.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from flask import Flask, jsonify, request

MODEL_FILE = Path(os.environ.get("BENCH_MODEL_DIR", "fixtures/demo_model")) / "model.txt"

booster = lgb.Booster(model_file=str(MODEL_FILE))
row = np.full((1, booster.num_feature()), 0.5, dtype=np.float64)
app = Flask(__name__)


@app.post("/api/v1/score")
def score() -> Any:
    """Parse the body, then predict and explain a prepared float64 row with one thread."""
    payload = request.get_json()
    margin = booster.predict(row, raw_score=True, num_threads=1)
    contrib = np.asarray(booster.predict(row, pred_contrib=True, num_threads=1))
    return jsonify(
        {
            "n": len(payload["transactions"]),
            "margin": float(margin[0]),
            "top": int(np.argmax(contrib[0, :-1])),
        }
    )
