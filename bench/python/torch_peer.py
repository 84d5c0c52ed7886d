"""The PyTorch peer of the stablegrad benchmark (bench/src/systems/torch.ts).

A long-lived process speaking JSON lines: it first prints what it loaded (or why it cannot run),
then reads one job (a workload's sizes, weights, data and settings, float32 arrays as base64 of
little-endian bytes), builds the model, and answers {"steps": n} requests by running n training
steps, timed here with time.perf_counter so that the pipe to Node is not counted.
"""
import base64
import json
import os
import sys
import time


def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    say({"unavailable": f"{sys.executable}: {e}"})
    sys.exit(0)


def loaded_blas():
    """The BLAS libraries mapped into this process (Debian's torch links the libblas.so.3 alternative)."""
    names = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                base = os.path.basename(path)
                if any(key in base for key in ("blas", "mkl_", "blis")):
                    names.add(os.path.join(os.path.basename(os.path.dirname(path)), base))
    except OSError:
        return "unknown (no /proc/self/maps)"
    return ", ".join(sorted(names)) or "none mapped"


def floats(text, *shape):
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.float32).reshape(*shape).clone()


def ints(text):
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.int32).long()


def mlp_step(job):
    """A dense ReLU network trained with torch.optim.Adam, the library's own idiom."""
    sizes = job["sizes"]
    layers = []
    for i, layer in enumerate(job["layers"]):
        linear = torch.nn.Linear(layer["inputs"], layer["outputs"])
        with torch.no_grad():
            # nn.Linear keeps weight as [outputs, inputs]; the bench's weights are [inputs, outputs].
            linear.weight.copy_(floats(layer["weights"], layer["inputs"], layer["outputs"]).t())
            linear.bias.copy_(floats(layer["bias"], layer["outputs"]))
        layers.append(linear)
        if i < len(job["layers"]) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    x = floats(job["x"], job["batch"], sizes[0])
    if job["loss"] == "softmax-cross-entropy":
        classes = ints(job["classes"])
        loss_of = lambda z: F.cross_entropy(z, classes)  # mean over rows
    else:
        targets = floats(job["targets"], job["batch"], sizes[-1])
        loss_of = lambda z: F.binary_cross_entropy_with_logits(z, targets)  # mean over all entries
    adam = job["adam"]
    optimizer = torch.optim.Adam(model.parameters(), lr=job["learningRate"], betas=(adam["beta1"], adam["beta2"]), eps=adam["epsilon"])

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(model(x))
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def loss_only_step(job):
    """Forward and backward of the mean softmax cross-entropy on fixed logits."""
    logits = floats(job["logits"], job["rows"], job["classes"]).requires_grad_()
    classes = ints(job["labels"])

    def step():
        loss = F.cross_entropy(logits, classes)
        (grad,) = torch.autograd.grad(loss, logits)
        return loss.item()

    return step


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    say({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas(), "python": sys.executable})
    job = json.loads(sys.stdin.readline())
    step = mlp_step(job) if job["kind"] == "mlp" else loss_only_step(job)
    say({"ready": True, "blas": loaded_blas()})
    for line in sys.stdin:
        count = json.loads(line)["steps"]
        losses = []
        start = time.perf_counter()
        for _ in range(count):
            losses.append(step())
        seconds = time.perf_counter() - start
        say({"seconds": seconds, "losses": losses})


if __name__ == "__main__":
    main()
