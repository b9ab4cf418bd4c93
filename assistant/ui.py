"""The web chat (Gradio). It only calls the `Assistant` API."""

from __future__ import annotations

from typing import Any

import gradio as gr

from .service import Assistant


def build(assistant: Assistant) -> gr.Blocks:
    def respond(message: str, history: list[dict[str, Any]]) -> str:
        answer = assistant.ask(message, history=history)
        lines = [answer.text, ""]
        for c in answer.citations:
            lines.append(f"[{c.n}] “{c.quote}” — {c.title}")
        return "\n".join(lines)

    return gr.ChatInterface(respond, title="News assistant")


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    build(assistant).launch(server_name=host, server_port=port)
