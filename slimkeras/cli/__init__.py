"""``python -m slimkeras`` / ``slimkeras``: train, eval, inspect, export.

research/slim's ``train_image_classifier.py`` and
``eval_image_classifier.py`` flags, Keras-native. With no dataset flags,
``train`` runs on the embedded ``digits`` dataset with LeNet.
"""

from slimkeras.cli.main import main as main
