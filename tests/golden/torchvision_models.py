"""Parameter names, shapes and counts of torchvision's models, for tests/test_zoo_torchvision.cpp.

Usage: torchvision_models.py OUT.json. Writes {model: {"trainable": n, "state": {key: shape}}}
with the state_dict's keys (num_batches_tracked left out: convnet keeps no such counter). VGG is
given as its conv base ("features.*"), built by torchvision's own make_layers. Exits with 3 when
torchvision cannot be imported, so that the caller can say why it skipped.
"""
import json
import sys

try:
    import torchvision
    from torchvision.models import vgg as tv_vgg
except ImportError as e:  # the check is optional where python3-torchvision is not installed
    print(f"torchvision unavailable: {e}", file=sys.stderr)
    sys.exit(3)


def describe(module, prefix=""):
    state = {prefix + k: list(v.shape) for k, v in module.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return {"trainable": trainable, "state": state}


models = {
    "alexnet": describe(torchvision.models.alexnet()),
    "resnet18": describe(torchvision.models.resnet18()),
    "resnet50": describe(torchvision.models.resnet50()),
    "vgg11": describe(tv_vgg.make_layers(tv_vgg.cfgs["A"]), "features."),
    "vgg16": describe(tv_vgg.make_layers(tv_vgg.cfgs["D"]), "features."),
}
with open(sys.argv[1], "w") as f:
    json.dump(models, f)
