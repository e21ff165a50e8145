"""The rule book: each business rule (B1–B26) and decision (D1–D10) of domain.md §8, with the parameters it reads,
its source documents and the pages where the app applies it. Staff read it at /rules/; pages link a result to the
rule behind it with `{% url 'rules:detail' 'B12' %}`."""
