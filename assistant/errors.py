"""One user-facing error type: its message names the problem and how to fix it."""


class AssistantError(Exception):
    """A problem the user can fix; the CLI and the web chat show its message and nothing else."""


class LLMError(AssistantError):
    """The language-model server failed; the message names the server and the setting to fix."""
