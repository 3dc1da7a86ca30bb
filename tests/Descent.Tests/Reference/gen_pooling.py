"""Reference values for Descent's pooling ops and BatchNorm2d, from PyTorch in float64.
Usage (from this folder): /usr/bin/python3 gen_pooling.py pooling.json
Same conventions as ../shared/anchors/gen_reference.py: inputs and expected outputs as nested lists, seed 0."""
import json, sys, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
def L(t): return t.detach().tolist()

def grad_case(f, x, **kw):
    """Forward f(x), then backward with a random ∂L/∂y; returns the case as a dict."""
    x = x.clone().requires_grad_(True)
    y = f(x, **kw)
    gy = torch.randn(y.shape)
    y.backward(gy)
    return {**{k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}, "x": L(x), "y": L(y), "grad_y": L(gy), "grad_x": L(x.grad)}

out = {}
x = torch.randn(2, 3, 7, 6)
ties = torch.randint(-2, 3, (1, 5, 6, 7)).double()          # small integers: many ties inside a window
neg = -torch.rand(1, 2, 5, 5) - 1                           # all negative: padding must never win
out["max_pool2d"] = [
    grad_case(F.max_pool2d, x, kernel_size=3, stride=2, padding=1),
    grad_case(F.max_pool2d, x, kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
    grad_case(F.max_pool2d, ties, kernel_size=2, stride=1, padding=0),
    grad_case(F.max_pool2d, ties, kernel_size=3, stride=2, padding=1),
    grad_case(F.max_pool2d, neg, kernel_size=3, stride=1, padding=1),
]
out["avg_pool2d"] = [
    grad_case(F.avg_pool2d, x, kernel_size=3, stride=2, padding=1, count_include_pad=True),
    grad_case(F.avg_pool2d, x, kernel_size=3, stride=2, padding=1, count_include_pad=False),
    grad_case(F.avg_pool2d, x, kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), count_include_pad=False),
    grad_case(F.avg_pool2d, x, kernel_size=2, stride=2, padding=0, count_include_pad=True),
]
out["adaptive_avg_pool2d"] = [
    grad_case(F.adaptive_avg_pool2d, x, output_size=(3, 4)),
    grad_case(F.adaptive_avg_pool2d, x, output_size=(1, 1)),
    grad_case(F.adaptive_avg_pool2d, x, output_size=(5, 4)),   # bins overlap (7 rows into 5)
    grad_case(F.adaptive_avg_pool2d, x, output_size=(9, 8)),   # more bins than rows
]

# BatchNorm2d: two training steps (forward, gradients, running statistics), then evaluation.
bn = nn.BatchNorm2d(3, eps=1e-4, momentum=0.3)
with torch.no_grad():
    bn.weight.copy_(torch.rand(3) + 0.5); bn.bias.copy_(torch.randn(3))
gamma0, beta0 = bn.weight.detach().clone(), bn.bias.detach().clone()
steps = []
for _ in range(2):
    xb = (torch.randn(4, 3, 5, 6) * 2 + 3).requires_grad_(True)
    bn.zero_grad()
    y = bn(xb); gy = torch.randn(y.shape); y.backward(gy)
    steps.append({"x": L(xb), "y": L(y), "grad_y": L(gy), "grad_x": L(xb.grad), "grad_weight": L(bn.weight.grad),
                  "grad_bias": L(bn.bias.grad), "running_mean": L(bn.running_mean), "running_var": L(bn.running_var)})
bn.eval()
x_eval = torch.randn(2, 3, 4, 3) * 2 + 3
out["batchnorm2d"] = {"eps": 1e-4, "momentum": 0.3, "weight": L(gamma0), "bias": L(beta0), "train": steps,
                      "x_eval": L(x_eval), "y_eval": L(bn(x_eval))}
out["generator"] = f"PyTorch {torch.__version__}, float64, seed 0: gen_pooling.py"
with open(sys.argv[1], "w") as f: json.dump(out, f, indent=1)
print("wrote", sys.argv[1])
