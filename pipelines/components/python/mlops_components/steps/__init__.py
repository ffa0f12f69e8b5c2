"""The entry points: one module per pipeline step or Vertex job, each run as ``python3 -m mlops_components.steps.<step>``.

A step parses its command line, reads its inputs and writes its outputs; the work itself lives in
the helper modules of the package root, which no step's module is imported by.
"""
