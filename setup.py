"""setuptools entry: cffi has no pyproject key, so the extension is named here.

The extension is built on the limited API (cffi's default on CPython), so
the wheel is tagged cp311-abi3 and serves every CPython from 3.11.
"""

from setuptools import setup

setup(
    cffi_modules=["build_ffi.py:ffibuilder"],
    options={"bdist_wheel": {"py_limited_api": "cp311"}},
)
