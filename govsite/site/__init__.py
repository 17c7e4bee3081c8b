"""The public site: registry pages and policy handbook, rendered to Markdown and built with mkdocs."""
