"""The ways in for a user: the command line (`cli.py`, the `assistant` command), the web chat
(`web.py`, Gradio), and `render.py`, which both use to render answers, their sources and the
article list (the web chat as HTML, the command line for bylines). They only call the
`Assistant` API (`assistant/service.py`); nothing else in `assistant/` imports them."""
