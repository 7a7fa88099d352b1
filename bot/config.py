"""Every setting Ripple reads, from the environment (and an optional `.env`).

Nothing else in the package reads `os.environ`: build a `Settings` once at the edge
(the CLI, a test fixture) and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The project folder an editable install runs from: it holds the bundled knowledge/, prompts/
# and evals/, so commands work from any directory.
PROJECT_DIR = Path(__file__).resolve().parents[1]
BUNDLED_DIRS = ("knowledge_dir", "prompts_dir", "evals_dir")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RIPPLE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- where things live -------------------------------------------------------------
    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    knowledge_dir: Path = Path("knowledge")
    prompts_dir: Path = Path("prompts")
    evals_dir: Path = Path("evals")  # labelled sets behind `ripple eval`
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite inside data_dir.",
    )

    # --- evidence library -------------------------------------------------------------
    embedding_model: str | None = Field(
        default=None,
        description="Path to a sentence-transformers model; defaults to the bundled MiniLM.",
    )
    chroma_host: str | None = Field(
        default=None, validation_alias=AliasChoices("RIPPLE_CHROMA_HOST", "CHROMA_HOST")
    )
    chroma_port: int = Field(
        default=8000, validation_alias=AliasChoices("RIPPLE_CHROMA_PORT", "CHROMA_PORT")
    )
    chroma_collection: str = "ripple_evidence"
    search_k: int = 5
    max_query_chars: int = 2000

    # --- optional LLM phrasing (off unless named) --------------------------------------
    llm: str | None = Field(default=None, description="init_chat_model id, e.g. openai:gpt-4o-mini")
    llm_timeout_seconds: float = 8.0

    # --- journal -----------------------------------------------------------------------
    encryption_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated Fernet keys, newest first. Required in production.",
    )
    retention_months_default: int = 24

    # --- Slack -------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "RIPPLE_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "RIPPLE_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "RIPPLE_SLACK_APP_TOKEN")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "RIPPLE_SLACK_API_URL"),
    )
    # A Web API call that takes longer is retried like a 5xx (twice), then given up.
    slack_timeout_seconds: float = Field(default=10.0, gt=0)
    scheduler_enabled: bool = True
    scheduler_interval_seconds: int = 60
    # The event inbox (every answer exactly once): how long a replica's claim on an event
    # lasts before another may take it over, how often each replica looks, how many tries.
    inbox_lease_seconds: float = Field(default=30.0, gt=0)
    inbox_sweep_seconds: float = Field(default=5.0, gt=0)
    inbox_max_attempts: int = Field(default=3, ge=1)

    # --- operations --------------------------------------------------------------------
    log_format: Literal["text", "json"] | None = None
    log_level: str = "INFO"
    log_file: Path | None = Field(
        default=None,
        description="Where commands other than serve log; defaults to ripple.log in data_dir.",
    )

    @model_validator(mode="after")
    def _bundled_folders(self) -> Settings:
        """A folder left at its default is looked for here first, then beside the package."""
        for name in BUNDLED_DIRS:
            if name in self.model_fields_set:
                continue
            here: Path = getattr(self, name)
            bundled = PROJECT_DIR / here
            if not here.is_dir() and bundled.is_dir():
                setattr(self, name, bundled)
        return self

    # --- derived -----------------------------------------------------------------------
    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ripple.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "ripple.key"

    @property
    def log_path(self) -> Path:
        return self.log_file or self.data_dir / "ripple.log"

    @property
    def resolved_log_format(self) -> str:
        return self.log_format or ("json" if self.production else "text")
