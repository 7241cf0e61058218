"""What the linkage notebook's text rests on: the size and seed it runs at.

The tests run the notebook a second time, at another seed and size (EXAMPLES_SEED,
EXAMPLES_SCALE), and everything it says must still hold: so the generator's defaults, which
the notebook's parameters cell shows, follow them.
"""

from __future__ import annotations

from people_linkage import people


def test_the_notebook_runs_at_the_seed_and_size_the_tests_ask_for(monkeypatch):
    monkeypatch.delenv("EXAMPLES_SEED", raising=False)
    monkeypatch.delenv("EXAMPLES_SCALE", raising=False)
    assert people.default_size() == (people.PEOPLE, people.SEED)
    monkeypatch.setenv("EXAMPLES_SEED", "7")
    monkeypatch.setenv("EXAMPLES_SCALE", "0.01")
    assert people.default_size() == (round(people.PEOPLE * 0.01), 7)
    made = people.generate()  # the defaults follow too
    assert made.seed == 7 and len(made.people) == round(people.PEOPLE * 0.01)
