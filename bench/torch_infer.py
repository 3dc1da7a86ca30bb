"""Peer for `descent bench mlp`'s batch-1 inference latency: the default MLP (784-256-128-10, ReLU) in PyTorch,
one example at a time under no_grad, at 1 and 2 torch threads. Prints the best µs per forward pass of each
setting (best of 7 rounds of 2,000 calls), one line each: "torch_threads N infer_us X".
Usage: /usr/bin/python3 bench/torch_infer.py"""
import time, torch, torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
x = torch.randn(1, 784)
for threads in (1, 2):
    torch.set_num_threads(threads)
    best = float("inf")
    with torch.no_grad():
        for _ in range(200): model(x)
        for _ in range(7):
            t = time.perf_counter()
            for _ in range(2000): model(x)
            best = min(best, (time.perf_counter() - t) / 2000)
    print(f"torch_threads {threads} infer_us {best * 1e6:.2f}", flush=True)
