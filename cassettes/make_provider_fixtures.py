"""Write the provider cassettes: hand-written exchanges, not recorded from the APIs.

Each scenario is a list of (status, body) answers in the shapes of Anthropic's Messages API (a
``tool_use`` message, an ``error`` object) or of Gemini's ``generateContent`` (a ``functionCall``
part, a google.rpc ``error``: a wrong key is a 400 ``API_KEY_INVALID``, as Gemini answers it). The
request side is a placeholder, since these cassettes
are replayed in order, matched on method and URL only (see ``tests/test_provider_cassettes.py``).
The tool input is the hand-written answer for seed 000 (``cassettes/answers/``). Run from the
repository root:

    .venv/bin/python cassettes/make_provider_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
URL = "https://api.anthropic.com/v1/messages"
MODEL = "claude-3-5-haiku-latest"
GEMINI = "gemini-2.5-flash"
GEMINI_URL = f"https://generativelanguage.googleapis.com/v1/models/{GEMINI}:generateContent"
ANSWER = json.loads((HERE / "answers" / "000_da9441d524ed042a.json").read_text(encoding="utf-8"))
USAGE = {"input_tokens": 3100, "output_tokens": 420, "cache_read_input_tokens": 0,
         "cache_creation_input_tokens": 0}  # fmt: skip
#: Anthropic answers with prompt caching (the provider sets a cache breakpoint after the system
#: prompt): the first request writes the 2,048-token static prefix (tools + system) to the cache,
#: a later one reads it; input_tokens counts only the rest, so each request is 3,100 tokens in all.
CACHE_WRITE = {**USAGE, "input_tokens": 1052, "cache_creation_input_tokens": 2048}
CACHE_READ = {**USAGE, "input_tokens": 1052, "cache_read_input_tokens": 2048}


def message(
    tool_input: dict[str, Any], n: int, usage: dict[str, int] = CACHE_WRITE
) -> dict[str, Any]:
    return {
        "id": f"msg_fixture{n}", "type": "message", "role": "assistant", "model": MODEL,
        "content": [{"type": "tool_use", "id": f"toolu_fixture{n}", "name": "IncidentExtraction",
                     "input": tool_input}],
        "stop_reason": "tool_use", "stop_sequence": None, "usage": usage,
    }  # fmt: skip


def gemini_answer(args: dict[str, Any], cached: int = 0) -> dict[str, Any]:
    """A function-call answer; ``cached``: of its prompt tokens, read from Gemini's implicit cache
    (a repeated prefix; promptTokenCount includes them)."""
    call = {"functionCall": {"name": "IncidentExtraction", "args": args}}
    return {
        "candidates": [
            {"content": {"parts": [call], "role": "model"}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": USAGE["input_tokens"],
            "candidatesTokenCount": USAGE["output_tokens"],
            "totalTokenCount": USAGE["input_tokens"] + USAGE["output_tokens"],
            **({"cachedContentTokenCount": cached} if cached else {}),
        },
        "modelVersion": GEMINI,
    }


def gemini_error(code: int, status: str, text: str, reason: str | None = None) -> dict[str, Any]:
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                "domain": "googleapis.com"}] if reason else []  # fmt: skip
    return {"error": {"code": code, "message": text, "status": status, "details": details}}


def error(kind: str, text: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": text}}


INVALID = {**ANSWER, "police_hit_someone": "maybe"}  # not one of the enum's values
#: a record with nothing filled (the summary aside): the article is asked once more, with a nudge
#: and this answer as the assistant's (Gemini's "model") turn
EMPTY = {
    **{name: [] if isinstance(value, list) else None for name, value in ANSWER.items()},
    "summary": "A police shooting.",
}
#: an answer cut off at max_tokens: Anthropic ends the message with stop_reason "max_tokens" and
#: the tool input written so far (here its first three fields, which would validate on their own)
PARTIAL = dict(list(ANSWER.items())[:3])
CUT = {**message(PARTIAL, 1, {**CACHE_WRITE, "output_tokens": 2000}), "stop_reason": "max_tokens"}
#: Gemini ends a function call cut off at max_output_tokens with finishReason MAX_TOKENS and no
#: part at all
GEMINI_CUT = {
    **gemini_answer(ANSWER),
    "candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}],
    "usageMetadata": {"promptTokenCount": 3100, "candidatesTokenCount": 2000,
                      "totalTokenCount": 5100},
}  # fmt: skip
#: a cut answer holding arguments that fail validation (instructor re-asks it)
GEMINI_CUT_INVALID = {
    **GEMINI_CUT,
    "candidates": [{**gemini_answer(INVALID)["candidates"][0], "finishReason": "MAX_TOKENS"}],
}
#: what Gemini answers a wrong key: 400 INVALID_ARGUMENT, reason API_KEY_INVALID (not a 401)
KEY_INVALID = gemini_error(
    400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID"
)
SCENARIOS: dict[str, list[tuple[int, dict[str, Any]]]] = {
    "anthropic_clean": [(200, message(ANSWER, 1))],
    "anthropic_reask": [(200, message(INVALID, 1)), (200, message(ANSWER, 2, CACHE_READ))],
    "anthropic_overloaded_then_ok": [
        (529, error("overloaded_error", "Overloaded")),
        (200, message(ANSWER, 1)),
    ],
    "anthropic_auth_failure": [(401, error("authentication_error", "invalid x-api-key"))],
    "anthropic_reask_then_overloaded": [
        (200, message(INVALID, 1)),
        (529, error("overloaded_error", "Overloaded")),
        (200, message(ANSWER, 2, CACHE_READ)),
    ],
    "anthropic_empty_then_ok": [(200, message(EMPTY, 1)), (200, message(ANSWER, 2, CACHE_READ))],
    "anthropic_cut_off_then_ok": [(200, CUT), (200, message(ANSWER, 2, CACHE_READ))],
    "anthropic_cut_off_twice": [
        (200, CUT),
        (200, {**CUT, "usage": {**CACHE_READ, "output_tokens": 2000}}),
    ],
    "gemini_clean": [(200, gemini_answer(ANSWER))],
    "gemini_reask": [(200, gemini_answer(INVALID)), (200, gemini_answer(ANSWER, cached=2048))],
    "gemini_overloaded_then_ok": [
        (503, gemini_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
        (200, gemini_answer(ANSWER)),
    ],
    "gemini_auth_failure": [(400, KEY_INVALID)],
    "gemini_reask_then_overloaded": [
        (200, gemini_answer(INVALID)),
        (503, gemini_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
        (200, gemini_answer(ANSWER, cached=2048)),
    ],
    # a cut answer whose partial arguments fail validation is re-asked by instructor; the re-ask
    # meets an outage: that outage, not the cut, is the article's failure
    "gemini_cut_off_then_unavailable": [
        (200, GEMINI_CUT_INVALID),
        (503, gemini_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
    ],
    "gemini_empty_then_ok": [
        (200, gemini_answer(EMPTY)),
        (200, gemini_answer(ANSWER, cached=2048)),
    ],
    "gemini_cut_off_then_ok": [(200, GEMINI_CUT), (200, gemini_answer(ANSWER, cached=2048))],
    "gemini_cut_off_twice": [(200, GEMINI_CUT), (200, GEMINI_CUT)],
}
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 503: "Service Unavailable",
           529: "Overloaded"}  # fmt: skip


def cassette(answers: list[tuple[int, dict[str, Any]]], uri: str) -> dict[str, Any]:
    return {
        "interactions": [
            {
                "request": {
                    "body": "(hand-written fixture: any request)",
                    "headers": {},
                    "method": "POST",
                    "uri": uri,
                },
                "response": {
                    "status": {"code": status, "message": REASONS[status]},
                    "headers": {
                        "content-type": ["application/json"],
                        **({"retry-after": ["0"]} if status == 529 else {}),
                    },
                    "body": {"string": json.dumps(body)},
                },
            }
            for status, body in answers
        ],
        "version": 1,
    }


def main() -> None:
    for name, answers in SCENARIOS.items():
        path = HERE / f"{name}.yaml"
        header = "# hand-written fixture (cassettes/make_provider_fixtures.py), not a recording\n"
        path.write_text(
            header
            + yaml.safe_dump(
                cassette(answers, GEMINI_URL if name.startswith("gemini") else URL), sort_keys=False
            ),
            encoding="utf-8",
        )
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
