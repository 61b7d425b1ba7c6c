"""Prompt tokens per call for each prompt version, counted by a real tokenizer.

Each request is built exactly as ``extractor run`` builds it (the version's rendered messages and
its tool schema, full or compact), sent to llama-cpp-python's server with SmolLM2 (see
``benchmarks/llama_server.py``) with ``max_tokens=1``, and the server's ``usage.prompt_tokens`` is
read back: SmolLM2's tokenizer and chat template. That template does not write the tool schema
into the prompt (llama-cpp-python enforces the schema with a grammar instead), so the schema is
also counted on its own, as the JSON text that templates which do write it (Qwen, Llama 3.1) and
hosted APIs put in front of the model. A hosted model's tokenizer counts differently; the ratios
between versions are the point.

    .venv/bin/python benchmarks/prompt_tokens.py                 # the three seeds, every version
    .venv/bin/python benchmarks/prompt_tokens.py --versions incident@v1 incident@v3
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from benchmarks.llama_server import ALIAS, llama_server  # noqa: E402
from extractor.contract import TOOL_MODELS  # noqa: E402
from extractor.documents import read_article_file  # noqa: E402
from extractor.prompts import list_prompts, load_prompt  # noqa: E402


def tool_of(version: str) -> dict[str, object]:
    template = load_prompt(version)
    model = TOOL_MODELS[str(template.meta.get("schema", "full"))]
    return {"type": "function", "function": model.openai_schema}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="*", default=None)
    parser.add_argument(
        "--articles", nargs="*", default=sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    )
    args = parser.parse_args()
    versions = args.versions or [f"{p.name}@{p.version}" for p in list_prompts()]
    documents = [read_article_file(Path(p)) for p in args.articles]
    rows = []
    with llama_server(n_ctx=8192) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", timeout=900)
        for version in versions:
            template, tool = load_prompt(version), tool_of(version)
            name = tool["function"]["name"]  # type: ignore[index]
            counts, article_tokens = [], []
            as_text = client.chat.completions.create(
                model=ALIAS,
                messages=[{"role": "user", "content": json.dumps(tool["function"])}],
                max_tokens=1,
                temperature=0,
            )
            assert as_text.usage is not None
            schema_tokens = as_text.usage.prompt_tokens
            for doc in documents:
                started = time.perf_counter()
                reply = client.chat.completions.create(
                    model=ALIAS,
                    messages=template.render(doc),  # type: ignore[arg-type]
                    tools=[tool],  # type: ignore[list-item]
                    tool_choice={"type": "function", "function": {"name": name}},
                    max_tokens=1,
                    temperature=0,
                )
                assert reply.usage is not None
                counts.append(reply.usage.prompt_tokens)
                bare = client.chat.completions.create(
                    model=ALIAS,
                    messages=[{"role": "user", "content": doc.text}],
                    max_tokens=1,
                    temperature=0,
                )
                assert bare.usage is not None
                article_tokens.append(bare.usage.prompt_tokens)
                print(
                    f"{version} {doc.doc_id}: {counts[-1]} prompt tokens "
                    f"(article alone {article_tokens[-1]}; {time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
            overhead = [c - a for c, a in zip(counts, article_tokens, strict=True)]
            rows.append(
                (
                    version,
                    statistics.mean(counts),
                    statistics.mean(article_tokens),
                    statistics.mean(overhead),
                    schema_tokens,
                )
            )
    print(
        f"\n{time.strftime('%Y-%m-%d')}, {platform.machine()}, Python {platform.python_version()}, SmolLM2-135M tokenizer via llama-cpp-python"
    )
    print(
        "| prompt | prompt tokens per call, as sent to this server | article alone | "
        "overhead without the schema | tool schema as JSON text | overhead with the schema |"
    )
    print("|---|---|---|---|---|---|")
    for version, total, article, overhead, schema in rows:
        print(
            f"| `{version}` | {total:,.0f} | {article:,.0f} | {overhead:,.0f} | {schema:,} "
            f"| {overhead + schema:,.0f} |"
        )


if __name__ == "__main__":
    main()
