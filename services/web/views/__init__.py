"""Server-rendered pages, grouped by who uses them: ``common`` (everyone), ``enterprise``, ``unit``,
``dispatch``, ``specialist`` and ``reports``. A view parses, asks a selector, calls one action, renders."""
