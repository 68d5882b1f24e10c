"""The GPU runtime: load the PTX of `gpu-pipeline`, copy numpy arrays, run the launches of its
manifest, copy the results back (the CUDA driver API through cuda-python, the `gpu` extra).

cuda-python is imported on first use, not with this module. Without it, without the NVIDIA
driver (`cuInit` cannot load libcuda) or without a GPU, `device()` raises one
`CudaUnavailableError` whose message names what is missing; nothing else is attempted.

A `GpuExecutable` holds the PTX and the manifest of a module (see `ztile-to-nvvm`); calling it
(or `.function(name)`) runs one function: every buffer of the manifest is allocated on the
device (arguments copied in, intermediates uninitialized), the launches run in order on the
default stream, the context is synchronized and the results are copied out as new numpy
arrays. Loaded modules are cached per device and PTX text (`_modules`), so a second
executable of the same program on the same device does not load it again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ziggurat.errors import ArgumentError, ZigguratError

NDArray = np.ndarray[Any, Any]
_NUMPY: dict[str, np.dtype[Any]] = {
    "f32": np.dtype(np.float32),
    "f16": np.dtype(np.float16),
    "bool": np.dtype(np.bool_),
}


def numpy_dtype(name: str) -> np.dtype[Any]:
    """The numpy dtype of a manifest buffer's `dtype` (bf16: `ml_dtypes.bfloat16`)."""
    if name == "bf16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return _NUMPY[name]


class CudaUnavailableError(ZigguratError, RuntimeError):
    """No usable CUDA: cuda-python, the driver or a GPU is missing (the message says which)."""


class CudaError(ZigguratError, RuntimeError):
    """A CUDA driver call failed (named, with the driver's error name)."""


_lock = threading.Lock()
_devices: dict[int, Device] = {}
_modules: dict[tuple[int, str], Any] = {}


def _driver() -> Any:
    try:
        from cuda.bindings import driver
    except ImportError as err:
        raise CudaUnavailableError(
            "CUDA is not available: cuda-python is not installed (pip install 'ziggurat[gpu]')"
        ) from err
    return driver


def _check(cu: Any, result: Any, call: str) -> Any:
    """The values of a driver call's result tuple, or `CudaError` naming the call."""
    err, *values = result if isinstance(result, tuple) else (result,)
    if err != cu.CUresult.CUDA_SUCCESS:
        _, name = cu.cuGetErrorName(err)
        text = name.decode() if isinstance(name, bytes) else str(err)
        raise CudaError(f"{call} failed: {text}")
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


@dataclass
class Device:
    """One CUDA device with its retained primary context."""

    ordinal: int
    handle: Any
    context: Any
    name: str
    arch: str
    """`sm_<major><minor>` of the device's compute capability."""

    def activate(self) -> Any:
        cu = _driver()
        _check(cu, cu.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        return cu


def device(ordinal: int = 0) -> Device:
    """CUDA device `ordinal` (initialized once); `CudaUnavailableError` if there is none."""
    cu = _driver()
    with _lock:
        found = _devices.get(ordinal)
        if found is not None:
            return found
        try:
            result = cu.cuInit(0)
        except Exception as err:  # cuda.pathfinder: libcuda not found
            raise CudaUnavailableError(
                f"CUDA is not available: the NVIDIA driver (libcuda) could not be loaded ({err})"
            ) from err
        if result[0] != cu.CUresult.CUDA_SUCCESS:
            _, name = cu.cuGetErrorName(result[0])
            raise CudaUnavailableError(
                f"CUDA is not available: cuInit failed ({name.decode() if name else result[0]}); "
                "is there a GPU and a working driver?"
            )
        count = _check(cu, cu.cuDeviceGetCount(), "cuDeviceGetCount")
        if not 0 <= ordinal < count:
            raise CudaUnavailableError(
                f"CUDA is not available: no GPU {ordinal} (the driver sees {count})"
            )
        handle = _check(cu, cu.cuDeviceGet(ordinal), "cuDeviceGet")
        context = _check(cu, cu.cuDevicePrimaryCtxRetain(handle), "cuDevicePrimaryCtxRetain")
        raw = _check(cu, cu.cuDeviceGetName(256, handle), "cuDeviceGetName")
        name = raw.split(b"\0", 1)[0].decode() if isinstance(raw, bytes) else str(raw)
        attr = cu.CUdevice_attribute
        major = _check(
            cu,
            cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle),
            "cuDeviceGetAttribute",
        )
        minor = _check(
            cu,
            cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle),
            "cuDeviceGetAttribute",
        )
        if major < 8:
            raise CudaUnavailableError(
                f"CUDA GPU {ordinal} ({name}) has compute capability {major}.{minor}; the GPU "
                "path needs sm_80 or newer"
            )
        dev = Device(ordinal, handle, context, name, f"sm_{major}{minor}")
        _devices[ordinal] = dev
        return dev


def _module(dev: Device, ptx: str) -> Any:
    """The CUmodule of `ptx` on `dev`, loaded once per device (the module cache)."""
    key = (dev.ordinal, ptx)
    with _lock:
        found = _modules.get(key)
        if found is None:
            cu = dev.activate()
            found = _check(cu, cu.cuModuleLoadData(ptx.encode() + b"\0"), "cuModuleLoadData")
            _modules[key] = found
        return found


@dataclass
class GpuExecutable:
    """The PTX and manifest of a module lowered by `gpu-pipeline`, loaded on one device."""

    ptx: str
    manifest: dict[str, Any]
    entry: str | None = None
    ordinal: int = 0
    _functions: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.device = device(self.ordinal)
        self.module = _module(self.device, self.ptx)

    @property
    def functions(self) -> dict[str, Any]:
        return dict(self.manifest["functions"])

    def _kernel(self, name: str) -> Any:
        if name not in self._functions:
            cu = _driver()
            self._functions[name] = _check(
                cu, cu.cuModuleGetFunction(self.module, name.encode()), "cuModuleGetFunction"
            )
        return self._functions[name]

    def __call__(self, *args: Any) -> Any:
        functions = self.manifest["functions"]
        name = self.entry
        if name is None:
            if len(functions) != 1:
                raise ZigguratError(
                    f"the module has {len(functions)} functions ({', '.join(sorted(functions))})"
                    ": name one with entry=..."
                )
            name = next(iter(functions))
        return self.run(name, args)

    def run(self, name: str, args: Sequence[Any]) -> Any:
        """Run function `name` on `args` (numpy arrays); one result, or a tuple of them."""
        call = self.prepare(name, args)
        try:
            call.launch()
            results = call.results()
        finally:
            call.close()
        return results[0] if len(results) == 1 else tuple(results)

    def prepare(self, name: str, args: Sequence[Any]) -> DeviceCall:
        """Function `name` with its buffers allocated on the device and `args` copied in, ready
        to `launch()` any number of times (what a benchmark of the kernels alone times)."""
        spec = self.manifest["functions"].get(name)
        if spec is None:
            raise KeyError(f"no function @{name} in this module")
        inputs = _check_arguments(name, spec, args)
        cu = self.device.activate()
        call = DeviceCall(self, spec)
        try:
            for buf in spec["buffers"]:
                dtype = numpy_dtype(buf["dtype"])
                nbytes = max(1, int(np.prod(buf["shape"], dtype=np.int64)) * dtype.itemsize)
                ptr = _check(cu, cu.cuMemAlloc(nbytes), "cuMemAlloc")
                call.pointers.append(ptr)
                if buf["kind"] == "arg":
                    host = inputs[buf["index"]]
                    _check(cu, cu.cuMemcpyHtoD(ptr, host.ctypes.data, host.nbytes), "cuMemcpyHtoD")
        except BaseException:
            call.close()
            raise
        return call


@dataclass
class DeviceCall:
    """The device buffers of one function of a `GpuExecutable` (from `prepare`)."""

    exe: GpuExecutable
    spec: dict[str, Any]
    pointers: list[Any] = field(default_factory=list)

    def launch(self) -> None:
        """Run the function's launches in order on the default stream and synchronize."""
        cu = self.exe.device.activate()
        for launch in self.spec["launches"]:
            params = [np.array([int(self.pointers[i])], dtype=np.uint64) for i in launch["args"]]
            addresses = np.array([p.ctypes.data for p in params], dtype=np.uint64)
            gx, gy, gz = launch["grid"]
            bx, by, bz = launch["block"]
            _check(
                cu,
                cu.cuLaunchKernel(
                    self.exe._kernel(launch["kernel"]),
                    gx,
                    gy,
                    gz,
                    bx,
                    by,
                    bz,
                    0,
                    0,
                    addresses.ctypes.data,
                    0,
                ),
                f"cuLaunchKernel({launch['kernel']})",
            )
        _check(cu, cu.cuCtxSynchronize(), "cuCtxSynchronize")

    def results(self) -> list[NDArray]:
        """The function's results, copied to new numpy arrays."""
        cu = self.exe.device.activate()
        out = []
        for i in self.spec["results"]:
            buf = self.spec["buffers"][i]
            array = np.empty(buf["shape"], dtype=numpy_dtype(buf["dtype"]))
            _check(
                cu,
                cu.cuMemcpyDtoH(array.ctypes.data, self.pointers[i], array.nbytes),
                "cuMemcpyDtoH",
            )
            out.append(array)
        return out

    def close(self) -> None:
        """Free the device buffers."""
        if self.pointers:
            cu = _driver()
            for ptr in self.pointers:
                cu.cuMemFree(ptr)
            self.pointers.clear()


def _check_arguments(name: str, spec: dict[str, Any], args: Sequence[Any]) -> list[NDArray]:
    """The arguments as C-contiguous arrays of the manifest's shape; an array of another dtype
    is an error (as on the CPU), never converted."""
    wanted = [b for b in spec["buffers"] if b["kind"] == "arg"]
    if len(args) != len(wanted):
        raise ArgumentError(f"@{name} takes {len(wanted)} arguments, got {len(args)}")
    out: list[NDArray] = [np.empty(0)] * len(args)
    for buf in wanted:
        i = buf["index"]
        dtype = numpy_dtype(buf["dtype"])
        given = getattr(args[i], "dtype", None)
        if given != dtype:
            raise ArgumentError(
                f"@{name}: argument {i} has dtype {given}, expected {dtype} ({buf['dtype']})"
            )
        array = np.ascontiguousarray(args[i])
        if list(array.shape) != buf["shape"]:
            raise ArgumentError(
                f"@{name}: argument {i} has shape {array.shape}, expected {tuple(buf['shape'])}"
            )
        out[i] = array
    return out


__all__ = [
    "CudaError",
    "CudaUnavailableError",
    "Device",
    "DeviceCall",
    "GpuExecutable",
    "device",
    "numpy_dtype",
]
