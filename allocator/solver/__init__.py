"""CP-SAT model assembly and solving; the only package that imports ortools."""
