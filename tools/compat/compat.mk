# tools/compat/compat.mk — included by the top-level Makefile (BUILD comes from there).
#
#   make compat    glibc 2.36's own nptl tests (built here against the system libc) and
#                  CPython 3.11's threading tests, natively and under goro; prints per suite
#                  N passed/failed/unsupported and the tests that pass natively and fail
#                  under goro outside tests/compat/expected-differences (then exit status 1).
#                  Full log: build/compat/compat.log. Not part of `make test`.
.PHONY: compat compat-deps
compat-deps:
	@tools/deps.sh --compat
compat: compat-deps all
	tools/compat/run.sh $(BUILD)
