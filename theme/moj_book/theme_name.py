"""The theme's name, as `html_theme` names it: one home that every module can import without
importing the package's setup (which imports them)."""

NAME = "moj_book"
