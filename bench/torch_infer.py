"""Peer for `descent bench mlp|cnn`'s batch-1 inference latency: the default MLP (784-256-128-10, ReLU) or the default
CNN (the model of shared/anchors/torch_fmnist.py, in eval mode) in PyTorch, one example at a time under no_grad, at 1
and 2 torch threads. Prints the best µs per forward pass of each setting (best of 7 rounds), one line each:
"torch_threads N infer_us X".
Usage: /usr/bin/python3 bench/torch_infer.py [mlp|cnn]"""
import sys, time, torch, torch.nn as nn
torch.manual_seed(0)
kind = sys.argv[1] if len(sys.argv) > 1 else "mlp"
if kind == "mlp":
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
    x, calls = torch.randn(1, 784), 2000
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64*7*7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10)).eval()
    x, calls = torch.randn(1, 1, 28, 28), 300
for threads in (1, 2):
    torch.set_num_threads(threads)
    best = float("inf")
    with torch.no_grad():
        for _ in range(calls // 10): model(x)
        for _ in range(7):
            t = time.perf_counter()
            for _ in range(calls): model(x)
            best = min(best, (time.perf_counter() - t) / calls)
    print(f"torch_threads {threads} infer_us {best * 1e6:.2f}", flush=True)
