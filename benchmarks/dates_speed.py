"""Training throughput of the dates Transformer: eager vs tf.function vs XLA, and the
achieved FLOP rate as a fraction of this machine's large-matmul rate, all in one run.

    python benchmarks/dates_speed.py [--batch-sizes 128 512] [--steps 20] [--rounds 3]

Modes are measured round-robin (round 1: every mode, round 2: every mode, ...) and the
median per mode is kept, so load from other processes hits all modes alike. FLOPs come
from the architecture (matmuls only, on the padded shapes the step really runs; backward
counted as 2x forward), not from a profiler.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from assignment.labs.dates import data  # noqa: E402
from assignment.labs.dates.train import ModelConfig, build_model, make_optimizer, make_train_step  # noqa: E402
from assignment.transformer import Transformer  # noqa: E402


def forward_flops(config: ModelConfig, src_len: int, tgt_len: int, vocab: int) -> int:
    """Matmul FLOPs (2 per multiply-add) of one forward pass for one (input, target) pair.

    The reference MultiHeadAttention uses key_dim = value_dim = embedding_dim per head, so
    each projection maps d -> heads * d.
    """
    d, h, f, layers = config.embedding_dim, config.num_heads, config.fully_connected_dim, config.num_layers
    hd = h * d

    def attention(nq, nk):
        return (2 * nq * d * hd          # query projection
                + 2 * 2 * nk * d * hd    # key and value projections
                + 2 * 2 * h * nq * nk * d  # q k^T and weights @ v
                + 2 * nq * hd * d)       # output projection

    def ffn(n):
        return 2 * 2 * n * d * f

    encoder = layers * (attention(src_len, src_len) + ffn(src_len))
    decoder = layers * (attention(tgt_len, tgt_len) + attention(tgt_len, src_len) + ffn(tgt_len))
    return encoder + decoder + 2 * tgt_len * d * vocab


def train_step_flops(config: ModelConfig, batch_size: int) -> int:
    """Forward + backward (2x forward) matmul FLOPs of one training step."""
    per_pair = forward_flops(config, config.input_tokens, data.MAX_TARGET_TOKENS - 1, len(data.TARGET_VOCAB))
    return 3 * batch_size * per_pair


def matmul_rate(n: int = 2048, repeats: int = 10) -> float:
    """FLOP/s of a float32 (n, n) @ (n, n) tf.matmul, best of ``repeats``."""
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    mm = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    mm(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        mm(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best


def batch(config: ModelConfig, batch_size: int, seed: int = 0):
    pairs = data.make_splits(seed, n_train=batch_size, n_dev=0, n_test=0)["train"]
    inp, tar = data.encode_pairs(pairs, config.max_input_chars)
    return tf.constant(inp), tf.constant(tar)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--modes", nargs="+", default=["eager", "function", "xla"])
    parser.add_argument("--steps", type=int, default=5, help="timed steps per mode per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layers", type=int, default=ModelConfig.num_layers)
    parser.add_argument("--dim", type=int, default=ModelConfig.embedding_dim)
    parser.add_argument("--heads", type=int, default=ModelConfig.num_heads)
    parser.add_argument("--ffn", type=int, default=ModelConfig.fully_connected_dim)
    parser.add_argument("--json", default="build/dates_speed.json")
    args = parser.parse_args(argv)
    config = ModelConfig(num_layers=args.layers, embedding_dim=args.dim, num_heads=args.heads,
                         fully_connected_dim=args.ffn)
    tf.keras.utils.set_random_seed(0)
    print(f"config {config}; threads: intra {tf.config.threading.get_intra_op_parallelism_threads()}, "
          f"cpus {os.cpu_count()}")

    rates = [matmul_rate()]
    results = []
    for batch_size in args.batch_sizes:
        inp, tar = batch(config, batch_size)
        steps = {}
        for mode in args.modes:  # separate models so each mode has its own optimizer state
            model = build_model(Transformer, config)
            step = make_train_step(model, make_optimizer(config), mode)
            start = time.perf_counter()
            float(step(inp, tar)[0])  # trace / compile
            compile_s = time.perf_counter() - start
            float(step(inp, tar)[0])
            steps[mode] = (step, compile_s, [])
        for _ in range(args.rounds):
            for mode, (step, _, times) in steps.items():
                start = time.perf_counter()
                for _ in range(args.steps):
                    loss, _ = step(inp, tar)
                float(loss)
                times.append((time.perf_counter() - start) / args.steps)
            rates.append(matmul_rate())
        flops = train_step_flops(config, batch_size)
        for mode, (_, compile_s, times) in steps.items():
            sec = statistics.median(times)
            results.append({"batch_size": batch_size, "mode": mode, "step_ms": 1e3 * sec,
                            "tokens_per_s": batch_size * (data.MAX_TARGET_TOKENS - 1) / sec,
                            "gflops": flops / sec / 1e9, "first_call_s": compile_s})
    peak = statistics.median(rates)
    for r in results:
        r["fraction_of_matmul"] = r["gflops"] * 1e9 / peak

    print(f"\nmatmul rate (2048^3 float32, median of {len(rates)} samples taken between rounds): "
          f"{peak / 1e9:.1f} GFLOP/s (samples: {', '.join(f'{x / 1e9:.0f}' for x in rates)})")
    print(f"train-step FLOPs per pair: {train_step_flops(config, 1) / 1e6:.1f} MFLOP\n")
    print("| batch | mode | step (ms) | target tokens/s | GFLOP/s | of matmul rate | first call (s) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['batch_size']} | {r['mode']} | {r['step_ms']:.1f} | {r['tokens_per_s']:,.0f} | "
              f"{r['gflops']:.1f} | {100 * r['fraction_of_matmul']:.0f}% | {r['first_call_s']:.1f} |")
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"config": vars(args), "matmul_flops": rates, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
