"""One module per DVC stage and command: each loads its inputs, calls the domain's steps, saves its
outputs, and nothing else. ingest (and check), assess, report (report, evaluation-report, index),
evaluation, validate, tools (template, scenario, compare)."""
