"""Write the vector seed files that ship beside the bundled documents (a maintainer's step).

e5 is slow to embed on a small CPU, so the bundled library's sub-passage and question vectors
ship in `knowledge/` keyed by each text's hash; ingest embeds only texts it has never seen.
After editing a bundled document or `knowledge/questions.yaml`, run `ripple ingest`, then

    python -m bot.evidence.seeds

and commit the rewritten `.npz` files. A seed that no longer matches only costs time.
"""

from __future__ import annotations

from bot.config import Settings
from bot.evidence.vectors import (
    MINILM_QUESTIONS_SEED_FILE,
    MINILM_SEED_FILE,
    QUESTIONS_SEED_FILE,
    SEED_FILE,
    write_seed,
)


def main() -> None:
    from bot.evidence.library import model_id
    from bot.services import Services

    settings = Settings()
    library = Services(settings).evidence
    library.ensure_ingested()
    folder = settings.knowledge_dir
    for store, name, model in (
        (library.sub_store, MINILM_SEED_FILE, library.embedder),
        (library.e5_store, SEED_FILE, library.second),
        (library.questions_store, MINILM_QUESTIONS_SEED_FILE, library.embedder),
        (library.questions_e5_store, QUESTIONS_SEED_FILE, library.second),
    ):
        count = write_seed(store, folder / name, model_id(model))
        print(f"{folder / name}: {count} vectors")


if __name__ == "__main__":
    main()
