"""<linux/if_alg.h>: AF_ALG, the kernel's crypto API (SOL_ALG options, operations)."""

INCLUDES = """
#include <linux/if_alg.h>
"""

TYPES = """
#define ALG_SET_KEY ...
#define ALG_SET_IV ...
#define ALG_SET_OP ...
#define ALG_OP_DECRYPT ...
#define ALG_OP_ENCRYPT ...
"""

# AEAD (Linux 4.2): not sure to be in every header set csock builds with
# (build_ffi.py). Python's socket also has ALG_SET_PUBKEY, ALG_OP_SIGN and
# ALG_OP_VERIFY, which no released kernel header defines (CPython supplies
# its own values): csock leaves them out.
OPTIONAL = """
ALG_SET_AEAD_ASSOCLEN ALG_SET_AEAD_AUTHSIZE
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
