//! Example collectors and integration tests of n6-collectors live in `examples/` and `tests/`.
