"""The annotated edition: the corpus as HTML, on a page (``toolkit render``) and in a notebook (``corpus.show``).

- :mod:`.markup`: the one escaping path from data to HTML;
- :mod:`.theme`: a visual channel per layer, a colour per label, light, dark and print;
- :mod:`.spans`: a block's text with its spans and markers, its list of annotations, the key;
- :mod:`.locations`: where a block is, as a reader says it ("Part 2, ¶5");
- :mod:`.page`: the whole page; :mod:`.notebook`: the notebook view.
"""

from .notebook import HTML, render_blocks
from .page import render, render_page

__all__ = ["HTML", "render", "render_blocks", "render_page"]
