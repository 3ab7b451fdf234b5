"""MobileNet building blocks, as research/slim's ``nets/mobilenet`` package.

``conv_blocks``: ``expanded_conv`` (the inverted-residual block),
``make_divisible`` and ``expand_input_by_factor``. ``mobilenet``: the
generic spec-driven builder (``op``, ``mobilenet_base``, ``mobilenet``,
``training_scope``). ``mobilenet_v2``: the V2 spec and its constructors
(also ``slimkeras.nets.mobilenet_v2``). ``mobilenet_v3``:
the V3 large/small/minimalistic and EdgeTPU specs and constructors.
"""
