# Two commands for a newcomer: `make run` (API on SQLite with demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format venv clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

.env:
	cp .env.example .env

## Set up, migrate SQLite, load demo data and serve on http://127.0.0.1:$(PORT)
run: venv .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	@echo "API: http://127.0.0.1:$(PORT)/api/v1/  Swagger UI: http://127.0.0.1:$(PORT)/api/docs/  Admin: http://127.0.0.1:$(PORT)/admin/"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (PostgreSQL when DATABASE_URL points at it, SQLite otherwise)
test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
