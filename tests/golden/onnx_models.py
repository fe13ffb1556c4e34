"""ONNX models and reference outputs for tests/test_onnx*.cpp; run by /usr/bin/python3.

    onnx_models.py request.json response.json

request {"mode": "make", "dir": D, "cases": [names], "seed": S}: writes D/<case>.onnx, the input
D/<case>.x.npy and PyTorch's output D/<case>.y.npy for each case; responds
{"cases": [{"name", "onnx", "input", "output", "opset"}]}. Case names: the torchvision models
"lenet", "alexnet", "vgg11", "mobilenet_v2", "resnet18" (random weights, small inputs where the
architecture allows), "refused" (models convnet must refuse: no input or output files), and "ops", which expands into one single-operator model per operator and
opset pair, attributes drawn at random from the seed.

request {"mode": "verify", "items": [{"onnx", "input", "output"}]}: runs onnx.checker on each
file and OpenCV's dnn module on the input; responds {"items": [{"checker": "ok" or the error,
"opencv_max_abs": max |opencv - output|, "output_max_abs": max |output|}]}.
"""
import json
import random
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def export(module, x, path, opset, dynamic=False):
    import torch
    kwargs = {}
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
    torch.onnx.export(module, x, path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=False, **kwargs)


class LeNet(__import__("torch").nn.Module):
    """LeNet-5 with x.view(x.size(0), -1): the Shape/Gather/Unsqueeze/Concat/Reshape subgraph."""

    def __init__(self):
        import torch.nn as nn
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool1 = nn.AvgPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        import torch
        x = self.pool1(torch.tanh(self.conv1(x)))
        x = self.pool2(torch.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = torch.sigmoid(self.fc1(x))
        return torch.softmax(self.fc2(x).relu() @ self.fc3.weight.t() + self.fc3.bias, dim=1)


def torchvision_model(name):
    import torch
    import torchvision
    if name == "lenet":
        return LeNet(), (2, 1, 28, 28), 11, True
    m = getattr(torchvision.models, name)(num_classes=10)
    # Random BatchNorm statistics, so that the running mean and variance matter.
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.5, 0.5)
    # AlexNet's and VGG's adaptive pooling exports only where it is the identity (224 x 224).
    size = {"alexnet": 224, "vgg11": 224}.get(name, 32)
    opset = {"mobilenet_v2": 11, "resnet18": 13, "alexnet": 9, "vgg11": 17}[name]
    return m, (1, 3, size, size), opset, False


def op_cases(rng):
    """(name, module or builder, input shapes, opsets): one per operator of the import list."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def r(a, b):
        return rng.randint(a, b)

    class Lambda(nn.Module):
        def __init__(self, f, *mods):
            super().__init__()
            self.f = f
            self.mods = nn.ModuleList(mods)

        def forward(self, *xs):
            return self.f(self.mods, *xs)

    def seq(*mods):
        return nn.Sequential(*mods)

    c = r(2, 4) * 2
    pads = (r(0, 2), r(0, 2), r(0, 2), r(0, 2))
    g = rng.choice([1, 2])
    k = r(1, 3)
    cases = [
        ("conv", nn.Conv2d(c, r(2, 5) * g, k, stride=r(1, 2), padding=r(0, k), dilation=r(1, 2),
                           groups=g, bias=rng.random() < 0.7), [(2, c, 9, 8)]),
        ("conv_depthwise", nn.Conv2d(c, 2 * c, 3, stride=r(1, 2), padding=1, groups=c), [(1, c, 8, 8)]),
        ("conv_transpose", nn.ConvTranspose2d(c, r(2, 5), r(2, 4), stride=2, padding=r(0, 1),
                                              output_padding=1), [(1, c, 5, 6)]),
        ("gemm", nn.Linear(r(5, 20), r(3, 9)), [(3, 0)]),
        ("matmul", Lambda(lambda m, x: x @ m[0].weight.t() + m[0].bias, nn.Linear(7, 5)), [(2, 7)]),
        ("batchnorm", nn.BatchNorm2d(c, eps=rng.choice([1e-5, 1e-3]), momentum=0.3), [(2, c, 4, 5)]),
        ("relu", nn.ReLU(), [(2, 3, 4, 4)]),
        ("leaky_relu", nn.LeakyReLU(rng.uniform(0.01, 0.3)), [(2, 3, 4, 4)]),
        ("sigmoid", nn.Sigmoid(), [(2, 5)]),
        ("tanh", nn.Tanh(), [(2, 3, 4, 4)]),
        ("elu", nn.ELU(rng.uniform(0.5, 2.0)), [(2, 3, 4, 4)]),
        ("relu6", nn.ReLU6(), [(2, 3, 4, 4)]),
        ("softmax", nn.Softmax(dim=1), [(2, 7)]),
        ("maxpool", nn.MaxPool2d(r(2, 3), stride=r(1, 2), padding=1, ceil_mode=rng.random() < 0.5),
         [(1, 3, 9, 8)]),
        ("avgpool", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=rng.random() < 0.5),
         [(1, 3, 9, 8)]),
        ("avgpool_ceil", nn.AvgPool2d(2, stride=2, ceil_mode=True, count_include_pad=False),
         [(1, 3, 7, 7)]),
        ("global_avgpool", nn.AdaptiveAvgPool2d(1), [(2, 3, 5, 4)]),
        ("global_maxpool", nn.AdaptiveMaxPool2d(1), [(2, 3, 5, 4)]),
        ("flatten", seq(nn.Conv2d(2, 3, 1), nn.Flatten()), [(2, 2, 3, 3)]),
        ("reshape", Lambda(lambda m, x: x.reshape(x.size(0), 6, 4, 3)), [(2, 2, 6, 6)]),
        ("add", Lambda(lambda m, x: m[0](x) + x, nn.Conv2d(3, 3, 3, padding=1)), [(1, 3, 5, 5)]),
        ("mul", Lambda(lambda m, x: m[0](x) * x, nn.Conv2d(3, 3, 1)), [(1, 3, 5, 5)]),
        ("concat", Lambda(lambda m, x: torch.cat([m[0](x), x], 1), nn.Conv2d(3, 2, 1)), [(1, 3, 4, 4)]),
        ("pad", Lambda(lambda m, x: F.pad(x, pads)), [(1, 2, 4, 5)]),
        ("upsample_nearest", nn.Upsample(scale_factor=r(2, 3), mode="nearest"), [(1, 2, 3, 4)]),
        ("upsample_bilinear", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
         [(1, 2, 3, 4)]),
        ("prelu", nn.PReLU(3, init=rng.uniform(0.05, 0.5)), [(2, 3, 4, 4)]),
    ]
    for name, m, shapes in cases:
        if name == "gemm":
            shapes = [(3, m.in_features)]
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-1, 1)
        lo = 11 if name == "upsample_bilinear" else 9
        opsets = sorted({rng.randint(lo, 12), rng.randint(13, 17)})
        yield name, m.eval(), shapes, opsets


def helper_cases(rng):
    """Operators torch does not write as such: LRN, Dropout, Identity, built with onnx.helper."""
    import torch
    import torch.nn.functional as F
    from onnx import TensorProto, helper
    size = rng.choice([3, 5])
    alpha, beta, bias = rng.uniform(1e-4, 1e-2), rng.uniform(0.5, 0.9), rng.uniform(1, 2)
    specs = [
        ("lrn", "LRN", dict(size=size, alpha=alpha, beta=beta, bias=bias),
         lambda x: F.local_response_norm(x, size, alpha, beta, bias)),
        ("dropout", "Dropout", {}, lambda x: x),
        ("identity", "Identity", {}, lambda x: x),
    ]
    for name, op, attrs, ref in specs:
        for opset in (9, 13):
            shape = [2, 6, 4, 4]
            node = helper.make_node(op, ["input"], ["output"], name=name, **attrs)
            graph = helper.make_graph(
                [node], name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
                [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
            model.ir_version = 7
            yield name, model, shape, opset, ref


def refused_cases():
    """Models convnet must refuse, by name: (case, model)."""
    from onnx import TensorProto, helper

    def model(node, dtype=TensorProto.FLOAT, shape=(1, 2, 4, 4)):
        graph = helper.make_graph(
            [node], "refused", [helper.make_tensor_value_info("input", dtype, list(shape))],
            [helper.make_tensor_value_info("output", dtype, None)])
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 7
        return m
    yield "refused_op", model(helper.make_node("Hardmax", ["input"], ["output"], name="hm"))
    yield "refused_dtype", model(helper.make_node("Relu", ["input"], ["output"], name="r"),
                                 TensorProto.FLOAT16)
    yield "refused_attr", model(helper.make_node("MaxPool", ["input"], ["output"], name="mp",
                                                 kernel_shape=[2, 2], dilations=[2, 2]))


def make(request):
    import onnx
    import torch
    seed = request.get("seed", 0)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    out_dir = request["dir"]
    out = []

    def save(tag, x, y, opset):
        base = f"{out_dir}/{tag}"
        np.save(base + ".x.npy", x.numpy().astype(np.float32))
        np.save(base + ".y.npy", y.detach().numpy().astype(np.float32))
        out.append({"name": tag, "onnx": base + ".onnx", "input": base + ".x.npy",
                    "output": base + ".y.npy", "opset": opset})

    for case in request["cases"]:
        if case == "refused":
            for tag, model in refused_cases():
                onnx.save(model, f"{out_dir}/{tag}.onnx")
                out.append({"name": tag, "onnx": f"{out_dir}/{tag}.onnx", "input": "",
                            "output": "", "opset": 13})
        elif case == "ops":
            for name, m, shapes, opsets in op_cases(rng):
                x = torch.randn(*shapes[0])
                with torch.no_grad():
                    y = m(x)
                for opset in opsets:
                    tag = f"{name}_opset{opset}"
                    export(m, x, f"{out_dir}/{tag}.onnx", opset)
                    save(tag, x, y, opset)
            for name, model, shape, opset, ref in helper_cases(rng):
                tag = f"{name}_opset{opset}"
                onnx.save(model, f"{out_dir}/{tag}.onnx")
                x = torch.randn(*shape)
                save(tag, x, ref(x), opset)
        else:
            m, shape, opset, dynamic = torchvision_model(case)
            m.eval()
            x = torch.randn(*shape)
            with torch.no_grad():
                y = m(x)
            export(m, x, f"{out_dir}/{case}.onnx", opset, dynamic)
            save(case, x, y, opset)
    return {"cases": out}


def verify(request):
    import cv2
    import onnx
    results = []
    for item in request["items"]:
        res = {}
        try:
            onnx.checker.check_model(onnx.load(item["onnx"]), full_check=True)
            res["checker"] = "ok"
        except Exception as e:  # noqa: BLE001 - the message is the result
            res["checker"] = str(e)
        x = np.load(item["input"])
        want = np.load(item["output"])
        try:
            net = cv2.dnn.readNetFromONNX(item["onnx"])
            net.setInput(x)
            got = net.forward().reshape(want.shape)
            res["opencv_max_abs"] = float(np.max(np.abs(got - want)))
        except Exception as e:  # noqa: BLE001
            res["opencv_error"] = str(e)[-500:]
        res["output_max_abs"] = float(np.max(np.abs(want)))
        results.append(res)
    return {"items": results}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    response = make(request) if request["mode"] == "make" else verify(request)
    with open(sys.argv[2], "w") as f:
        json.dump(response, f)


if __name__ == "__main__":
    main()
