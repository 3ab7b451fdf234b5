"""``python -m slimkeras`` / ``slimkeras``: train, eval, inspect, export.

research/slim's ``train_image_classifier.py``, ``eval_image_classifier.py``
and ``export_inference_graph.py`` flags with their upstream defaults (each
accepted with its meaning, or rejected by name with the reason; table in
docs/migration.md), Keras-native. ``--model_name``/``--dataset_name``
default to lenet/digits (offline); ``python -m slimkeras`` with no
subcommand is the main job, ``train`` + :data:`train.MAIN_JOB_FLAGS`.
"""

from slimkeras.cli.main import main as main
