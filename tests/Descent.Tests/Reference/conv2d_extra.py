"""Makes conv2d_extra.json: F.conv2d in float64 with dilation, groups, rectangular kernels/strides/paddings and 1x1 kernels,
forward and the gradients of L = sum(y * grad_y). Run: /usr/bin/python3 conv2d_extra.py > conv2d_extra.json"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = {
    "dilation2_pad2": dict(x=(2, 3, 7, 6), w=(4, 3, 3, 3), bias=True, stride=(1, 1), padding=(2, 2), dilation=(2, 2), groups=1),
    "groups2_pad1": dict(x=(2, 4, 6, 5), w=(6, 2, 3, 3), bias=True, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=2),
    "rect": dict(x=(2, 2, 7, 8), w=(3, 2, 2, 3), bias=True, stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=1),
    "pointwise_stride2_nobias": dict(x=(2, 3, 5, 6), w=(5, 3, 1, 1), bias=False, stride=(2, 2), padding=(0, 0), dilation=(1, 1), groups=1),
    "stride2_pad2": dict(x=(1, 3, 7, 6), w=(4, 3, 3, 3), bias=True, stride=(2, 2), padding=(2, 2), dilation=(1, 1), groups=1),
}
out = {"generator": f"PyTorch {torch.__version__}, float64, seed 0 (conv2d_extra.py)"}
for name, c in cases.items():
    x = torch.randn(*c["x"], dtype=torch.float64, requires_grad=True)
    w = torch.randn(*c["w"], dtype=torch.float64, requires_grad=True)
    b = torch.randn(c["w"][0], dtype=torch.float64, requires_grad=True) if c["bias"] else None
    y = F.conv2d(x, w, b, stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    out[name] = {
        "stride": list(c["stride"]), "padding": list(c["padding"]), "dilation": list(c["dilation"]), "groups": c["groups"],
        "x": x.tolist(), "weight": w.tolist(), "bias": b.tolist() if b is not None else None,
        "y": y.tolist(), "grad_y": gy.tolist(), "grad_x": x.grad.tolist(), "grad_weight": w.grad.tolist(),
        "grad_bias": b.grad.tolist() if b is not None else None,
    }
print(json.dumps(out))
