"""Does switching oneDNN's custom ops off (TF_ENABLE_ONEDNN_OPTS=0, which also silences the
line TensorFlow prints about them before its logging starts) slow the notebook's work down?

    python benchmarks/onednn_speed.py [--rounds 3] [--steps 20]

Times dates training steps (the notebook's model, batch 128, tf.function) in a fresh
process per setting, the settings alternating round by round so that load from other
processes hits both alike; prints the median step time of each and their ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD = r"""
import json, sys, time
import assignment
import numpy as np, tensorflow as tf
from assignment.labs.dates import data
from assignment.labs.dates.model import ModelConfig, build_model
from assignment.labs.dates.train import make_optimizer, make_train_step
from assignment.transformer import Transformer
steps = int(sys.argv[1])
config = ModelConfig()
tf.keras.utils.set_random_seed(0)
pairs = data.make_splits(0, n_train=128 * 4, n_dev=0, n_test=0)["train"]
inputs, targets = data.encode_pairs(pairs, config.max_input_chars)
model = build_model(Transformer, config)
step = make_train_step(model, make_optimizer(config), "function")
batch = tf.constant(inputs[:128]), tf.constant(targets[:128])
for _ in range(3):
    step(*batch)  # trace and warm up
times = []
for _ in range(steps):
    t = time.perf_counter(); loss, _ = step(*batch); float(loss); times.append(time.perf_counter() - t)
print(json.dumps({"median_ms": 1000 * sorted(times)[len(times) // 2]}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    results = {"1": [], "0": []}
    for _ in range(args.rounds):
        for flag in results:
            env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=flag, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.steps)], cwd=ROOT, env=env,
                                 capture_output=True, text=True, check=True)
            results[flag].append(json.loads(out.stdout.strip().splitlines()[-1])["median_ms"])
    on, off = statistics.median(results["1"]), statistics.median(results["0"])
    print(f"dates train step (batch 128), median of {args.rounds} processes x {args.steps} steps:")
    print(f"  oneDNN custom ops on  (TF_ENABLE_ONEDNN_OPTS=1): {on:.1f} ms  {results['1']}")
    print(f"  oneDNN custom ops off (TF_ENABLE_ONEDNN_OPTS=0): {off:.1f} ms  {results['0']}")
    print(f"  off / on = {off / on:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
