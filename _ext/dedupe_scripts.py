"""Sphinx extension: drop duplicate <script> entries from every HTML page.

sphinx-thebe 0.3.1 registers its inline configuration script twice under Sphinx 7, so
every page declares ``const THEBE_JS_URL`` twice and the browser reports a SyntaxError.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in context.get("script_files", []):
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
