"""The read benchmark of issue 10 (``benchmarks/read_bench.py``), in parts:

- :mod:`bench.simhost`: the simulator in its own process, with its counters and a byte-counting
  proxy reachable over a pipe;
- :mod:`bench.contenders`: what is measured, and how one run of one contender is made (its own
  process, so that its peak RSS is its own);
- :mod:`bench.pyrunner`: the Python contenders (this driver, pyntone) as a command;
- :mod:`bench.report`: medians, the Markdown table and the issue's targets.

The other contenders are ``benchmarks/js/contender.mjs`` (the official JavaScript client) and
``benchmarks/rawfloor`` (the network floor, in Go).
"""
