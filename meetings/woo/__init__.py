"""The Woo: a meeting's publication package (``package``) and its DiWoo metadata records (``diwoo``)."""
