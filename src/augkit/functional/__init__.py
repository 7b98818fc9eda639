"""Pure image kernels: arrays and explicit parameters in, a new array out, no randomness."""
