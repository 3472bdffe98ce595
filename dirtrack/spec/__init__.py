"""Files to a validated model: YAML and Jinja2 in, checked dataclasses out."""
