# 首咨助手 — two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: help setup lock dictionary train run shell lint validate unit test bench eval migrate soak clean

help:
	@echo "make run    安装依赖、按需训练并启动助手 / install, train if needed, start on 127.0.0.1:5005"
	@echo "make test   安装依赖并运行全部检查与测试 / install and run every check and test"
	@echo "make shell  在终端里与助手对话 / talk to the assistant in the terminal"
	@echo "make lint | validate | unit | bench | eval | soak | lock | clean"

setup:
	@scripts/setup.sh

# Re-resolve requirements.in into requirements.lock (a throwaway venv; nothing else changes).
lock:
	@scripts/lock.sh

dictionary: setup
	@$(PY) -m bot.nlu.dictionary build/jieba

train: setup
	@scripts/train.sh >/dev/null

run: setup
	@scripts/web-deps.sh >/dev/null || echo "（未能安装图表库：改革报表将只显示表格 / Chart.js not installed: tables only）"
	@scripts/run.sh "$$(scripts/train.sh)"

shell: setup
	@model=$$(scripts/train.sh); pidfile=$$(mktemp); \
	  scripts/run.sh "$$model" --background "$$pidfile" >/dev/null && \
	  { $(PY) scripts/chat.py; kill $$(cat "$$pidfile") 2>/dev/null; rm -f "$$pidfile"; }

lint: setup
	$(VENV)/bin/ruff check bot actions tests scripts
	$(VENV)/bin/ruff format --check bot actions tests scripts
	$(VENV)/bin/mypy

validate: setup dictionary
	@source scripts/env.sh && $(VENV)/bin/rasa data validate --domain bot/domain --data nlu_data \
	  --config config.yml --fail-on-warnings --quiet

unit: setup
	$(PY) -m pytest -m "not server" -q

# make test needs real PostgreSQL and Redis servers (scripts/postgres.sh, scripts/redis.sh install and start them on loopback);
# a plain `pytest` run skips those tests when it cannot start them.
test: export SHOUZI_REQUIRE_SERVICES = 1

# Everything a clean machine needs: lint, data validation, unit tests, a trained model, test
# stories, and HTTP tests against real servers started by the tests themselves.
test: setup lint validate unit
	@source scripts/env.sh && model=$$(SHOUZI_CONFIG=$${SHOUZI_TEST_CONFIG:-config.yml} scripts/train.sh) && \
	  $(VENV)/bin/rasa test core --model "$$model" --stories tests/stories --out var/results/core \
	    --fail-on-prediction-errors --quiet && \
	  scripts/browser.sh >/dev/null && scripts/web-deps.sh >/dev/null && \
	  SHOUZI_TEST_MODEL="$$model" $(PY) -m pytest -m server -q

migrate: setup
	@source scripts/env.sh && $(PY) -m bot.records.migrate upgrade

bench: setup
	@source scripts/env.sh && $(PY) scripts/bench.py $(BENCH_ARGS)

# Held-out request types and routing, escalation tiers, ../shared/eval where present, through the
# analyze API; writes docs/evaluation.md and docs/img/. Starts the assistant when none answers.
eval: setup
	@source scripts/env.sh && $(PY) scripts/evaluate.py

# Abuse, faults and load (#15), not part of make test (about 30 minutes): parser fuzz, schemathesis on every
# route, migrations once, fault injection, a soak through nginx to two instances on PostgreSQL and Redis.
# Figures go to docs/reliability.md. SOAK_ARGS="--only faults" runs one part, "--minutes 2" a shorter soak.
soak: setup
	@source scripts/env.sh && model=$$(scripts/train.sh) && $(PY) scripts/reliability.py "$$model" $(SOAK_ARGS)

clean:
	rm -rf build models var .pytest_cache .mypy_cache .ruff_cache
