# The two commands of the README. Both set everything up first, so a fresh clone needs nothing else.
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: setup demo test lint bench

setup:
	bash scripts/setup

## Sample extracts -> validated load -> dashboard on http://127.0.0.1:8501
demo: setup
	uv run --locked werkpad demo

## Every test, then the linters: ruff, mypy (the packages in pyproject.toml), sqlfluff on the SQL.
## .pre-commit-config.yaml runs the same linters before each commit.
test: setup
	uv run --locked pytest -q
	uv run --locked ruff check .
	uv run --locked mypy
	uv run --locked sqlfluff lint pipelines/sql werkpad/sql

lint: setup
	uv run --locked ruff check .
	uv run --locked mypy
	uv run --locked sqlfluff lint pipelines/sql werkpad/sql

## Benchmarks (on demand, minutes): prints a table.
bench: setup
	uv run --locked python benchmarks/bench_load.py
	uv run --locked python benchmarks/bench_dashboard.py
	uv run --locked python benchmarks/bench_browser.py
