"""C declarations, one module per system header (the pyca/cryptography layout).

Each module defines INCLUDES, TYPES, FUNCTIONS and CUSTOMIZATIONS strings.
build_ffi.py loads these files by path, so this package is never imported at
run time.
"""
