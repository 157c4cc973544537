"""Reports of a run: ``html.render_html``/``write_html`` (one self-contained page) and
``json_report.to_json``/``write_json``/``from_json`` (schema ``pushaudit-report/1``)."""
