"""research/slim image preprocessing, for ``tf.data`` pipelines.

``get_preprocessing(name, is_training)`` returns
``preprocessing_fn(image, output_height, output_width, **kwargs)`` for one
``[H, W, C]`` image (before batching), as research/slim did. The modules
(``vgg_preprocessing``, ``inception_preprocessing``, ``lenet_preprocessing``,
``cifarnet_preprocessing``) keep slim's ``preprocess_image``,
``preprocess_for_train`` and ``preprocess_for_eval``. This is data-pipeline
code: it uses ``tf.image`` ops and runs eagerly or inside ``Dataset.map``.
"""

from slimkeras.preprocessing import (
    cifarnet_preprocessing as cifarnet_preprocessing,  # noqa: E501
)
from slimkeras.preprocessing import (
    inception_preprocessing as inception_preprocessing,  # noqa: E501
)
from slimkeras.preprocessing import lenet_preprocessing as lenet_preprocessing
from slimkeras.preprocessing import (
    preprocessing_factory as preprocessing_factory,  # noqa: E501
)
from slimkeras.preprocessing import vgg_preprocessing as vgg_preprocessing
from slimkeras.preprocessing.preprocessing_factory import (
    get_preprocessing as get_preprocessing,
)

__all__ = [
    "get_preprocessing",
]
