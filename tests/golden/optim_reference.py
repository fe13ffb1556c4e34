"""PyTorch reference values for tests/test_loss.cpp and tests/test_optim.cpp.

Usage: /usr/bin/python3 optim_reference.py request.json response.json

The request holds {"cases": [...]}, each case a dict with a "kind":
  loss       {"loss", "y", "target", "target_is_index", "label_smoothing", "from_logits"}
             -> {"value", "grad"}: the mean loss and d(loss)/dy, in float64 from the float32 inputs
  optimizer  {"optimizer", "options", "params", "grads": [[tensor or null per param] per step]}
             -> {"params": [[tensor per param] per step], "state": [{slot: tensor} per param]},
             torch.optim on float32 tensors; a null gradient leaves the parameter without one
  clip       {"grads", "max_norm"} -> {"norm", "grads"}: torch.nn.utils.clip_grad_norm_
  schedule   {"schedule", "base_lr", "epochs", "fractional"}
             -> {"per_epoch": lr at epochs 0 .. epochs-1 of the stepped scheduler,
                 "fractional": closed-form lr at the given fractional epochs}
Tensors are {"shape": [...], "data": [...]}; the response has {"results": [...]} in case order.
"""
import json
import sys
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")  # schedulers warn about the closed-form calls below


def tensor(j, dtype=torch.float32):
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"]).to(dtype)


def as_json(t, shape):
    return {"shape": list(shape), "data": [float(v) for v in t.detach().double().reshape(-1).tolist()]}


# Keras' clip range for probabilities, as float32 values.
CLIP_LO = float(torch.tensor(1e-7, dtype=torch.float32))
CLIP_HI = float(torch.tensor(1 - 1e-7, dtype=torch.float32))


def loss_case(c):
    y = tensor(c["y"], torch.float64).requires_grad_()
    t = tensor(c["target"], torch.float64)
    eps = c.get("label_smoothing", 0.0)
    name = c["loss"]
    if name in ("softmax_cross_entropy", "categorical_crossentropy") and c["target_is_index"]:
        labels = t.reshape([y.shape[0]] + list(y.shape[2:])).long()
        t = F.one_hot(labels, y.shape[1]).movedim(-1, 1).double()
    if name == "softmax_cross_entropy":
        loss = F.cross_entropy(y, t, label_smoothing=eps)
    elif name == "categorical_crossentropy":  # Keras: normalize, clip, -sum t log p
        t = t * (1 - eps) + eps / y.shape[1]
        p = (y / y.sum(1, keepdim=True)).clamp(CLIP_LO, CLIP_HI)
        loss = -(t * p.log()).sum(1).mean()
    elif name == "binary_crossentropy":
        t = t * (1 - eps) + 0.5 * eps
        if c["from_logits"]:
            loss = F.binary_cross_entropy_with_logits(y, t)
        else:  # Keras: clip, then the plain formula
            p = y.clamp(CLIP_LO, CLIP_HI)
            loss = -(t * p.log() + (1 - t) * (1 - p).log()).mean()
    elif name == "mse":
        loss = F.mse_loss(y, t)
    else:
        raise ValueError("unknown loss " + name)
    loss.backward()
    return {"value": loss.item(), "grad": as_json(y.grad, y.shape)}


def make_optimizer(name, params, o):
    o = dict(o)
    if name in ("adam", "adamw"):
        o["betas"] = (o.pop("beta1", 0.9), o.pop("beta2", 0.999))
        return (torch.optim.Adam if name == "adam" else torch.optim.AdamW)(params, **o)
    if name == "sgd":
        return torch.optim.SGD(params, **o)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, **o)
    raise ValueError("unknown optimizer " + name)


def optimizer_case(c):
    params = [tensor(p).requires_grad_() for p in c["params"]]
    opt = make_optimizer(c["optimizer"], params, c["options"])
    after = []
    for grads in c["grads"]:
        for p, g in zip(params, grads):
            p.grad = None if g is None else tensor(g)
        opt.step()
        after.append([as_json(p, p.shape) for p in params])
    # SGD without momentum keeps momentum_buffer = None (no state); RMSprop's step is an int.
    state = [{k: as_json(torch.as_tensor(v, dtype=torch.float32).reshape(-1)
                         if k == "step" else v, [1] if k == "step" else v.shape)
              for k, v in opt.state[p].items() if v is not None} for p in params]
    return {"params": after, "state": state}


def clip_case(c):
    grads = [tensor(g) for g in c["grads"]]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g
    norm = torch.nn.utils.clip_grad_norm_(params, c["max_norm"])
    return {"norm": float(norm), "grads": [as_json(p.grad, p.shape) for p in params]}


def make_scheduler(opt, s):
    kind = s["type"]
    sched = torch.optim.lr_scheduler
    if kind == "step":
        return sched.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])
    if kind == "exp":
        return sched.ExponentialLR(opt, gamma=s["gamma"])
    if kind == "cosine":
        return sched.CosineAnnealingLR(opt, T_max=s["t_max"], eta_min=s["eta_min"])
    if kind == "warmup":
        linear = sched.LinearLR(opt, start_factor=s["start_factor"], end_factor=1.0,
                                total_iters=s["warmup_epochs"])
        if s["after"] is None:
            return linear
        return sched.SequentialLR(opt, [linear, make_scheduler(opt, s["after"])],
                                  milestones=[s["warmup_epochs"]])
    raise ValueError("unknown schedule " + kind)


def closed_form(s, base_lr, epoch):
    """The scheduler's own closed form (_get_closed_form_lr) at a fractional epoch."""
    if s["type"] == "warmup" and epoch >= s["warmup_epochs"]:
        if s["after"] is None:
            return base_lr
        return closed_form(s["after"], base_lr, epoch - s["warmup_epochs"])
    plain = dict(s, after=None)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = make_scheduler(opt, plain)
    sched.last_epoch = epoch
    return sched._get_closed_form_lr()[0]


def schedule_case(c):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=c["base_lr"])
    sched = make_scheduler(opt, c["schedule"])
    per_epoch = []
    for _ in range(c["epochs"]):
        per_epoch.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    fractional = [closed_form(c["schedule"], c["base_lr"], e) for e in c["fractional"]]
    return {"per_epoch": per_epoch, "fractional": fractional}


KINDS = {"loss": loss_case, "optimizer": optimizer_case, "clip": clip_case,
         "schedule": schedule_case}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    results = [KINDS[c["kind"]](c) for c in request["cases"]]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
