"""Small Sphinx settings the book needs that _config.yml cannot express."""


def _plain_email_addresses(app):
    # Docutils "cloaks" addresses as `%40` and `<span>` fragments. That stops no
    # spam robot, and it breaks copying and some screen readers: write them plainly.
    app.env.settings["cloak_email_addresses"] = False


def setup(app):
    app.connect("builder-inited", _plain_email_addresses)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
