"""The web chat's page layout: the chat panel, the articles panel and the filter, each a
function that places its components and returns them for `web.build` to wire up."""

from __future__ import annotations

import gradio as gr

EXAMPLES = (
    "Who warned about Russia's reaction?",
    "Who is Kamal Alam?",
    "What did James Hackett say about India?",
)


def chat_panel() -> tuple[gr.Chatbot, gr.Textbox, gr.Button, gr.Button, list[gr.Button]]:
    chatbot = gr.Chatbot(
        label="Chat",
        elem_id="chat",
        height=560,
        sanitize_html=True,
        render_markdown=True,
        latex_delimiters=[],
        allow_tags=False,
        feedback_options=None,
        buttons=[],  # their copy would hand over the HTML source; selecting text copies text
        placeholder="Ask about the indexed articles: answers cite the exact sentences they "
        "come from, highlighted in their paragraph.",
    )
    with gr.Row():
        question = gr.Textbox(
            placeholder="Ask a question about the articles…",
            show_label=False,
            scale=5,
            elem_id="question",
        )
        ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
    gr.Markdown("**Try an example:**")
    with gr.Row():
        examples = [gr.Button(q, size="sm", elem_classes=["na-example"]) for q in EXAMPLES]
    with gr.Row():
        clear_button = gr.Button("Clear chat", size="sm", scale=0, elem_id="clear")
    return chatbot, question, ask_button, clear_button, examples


def articles_panel() -> tuple[gr.HTML, gr.File, gr.Textbox, gr.Button, gr.HTML]:
    gr.Markdown("### Indexed articles")
    documents = gr.HTML("", elem_id="documents")
    files = gr.File(
        label="Add articles (.txt, .md, .html, or a feed: .xml, .rss, .atom)",
        file_count="multiple",
        type="filepath",
        elem_id="upload",
    )
    with gr.Row():
        url = gr.Textbox(
            placeholder="https://… an article's page or a news feed",
            show_label=False,
            scale=5,
            elem_id="url",
        )
        fetch = gr.Button("Add", scale=1, elem_id="fetch")
    status = gr.HTML("", elem_id="upload-status", min_height=100)
    return documents, files, url, fetch, status


def filter_panel() -> tuple[gr.Textbox, gr.Textbox, gr.Textbox]:
    with gr.Accordion("Only some articles", open=False):
        since = gr.Textbox(label="Published since", placeholder="2024-03-01", elem_id="since")
        until = gr.Textbox(label="Published until", placeholder="31 March 2024", elem_id="until")
        outlet = gr.Textbox(label="Outlet", placeholder="Reuters", elem_id="outlet")
    return since, until, outlet
