"""The LLM bridge: preflight, then one request or map → reduce over the pack's parts.

Data flows pack → preflight → requests. Modules, one job each:

    options      `[llm]` settings (no key, ever: only the name of the variable holding it)
    endpoint     base URL, model and key resolved from flags, environment and config
    framing      exact token count of chat messages as rendered, framing overhead named
    prompts      the messages each task sends
    preflight    window, stable limit, secrets and cost: refuse, warn or go
    retry        backoff on 429/5xx/timeouts, honouring Retry-After
    client       the `openai` client against any OpenAI-compatible endpoint, streaming
    summary      the map step's JSON schema and a small validator for it
    reask        one request whose answer must pass a check, asked once more if not
    mapreduce    map each part to a summary, reduce the summaries (recursively) to an answer
    cache        answers by (pack hash, prompt, model, endpoint) in SQLite
    mermaid      a syntactic check of Mermaid flowcharts
    diagram      the architecture-diagram task, and writing its Markdown
    ask          the engine entry point both commands (and the language server) call
    prepare      model, endpoint, budget, the pack split to fit, job and preflight: all
                 before sending, as both shells do it
    local_server an OpenAI-compatible HTTP server on 127.0.0.1 for tests and demos
    demo_answerer  the local server's answers when no test scripts it
    cli_llm      `ctxlens ask` and `ctxlens diagram`

Importing this package imports nothing: `config.py` reads `options` at start-up, and the
`openai` package loads only when a request is made.
"""
