"""The augmentation of every image D sees in training, as the configured method prescribes.

Both methods augment what D sees and nothing else: the reals and the fakes of D's step and the fakes of G's step,
each image with its own random draw (DiffAugment, Zhao et al. 2020, Sec. 3.2; ADA, Karras et al. 2020, Sec.
2). R1 is taken with respect to the un-augmented reals, through the augmentation (both papers' code: the
penalty's gradient is of D(augment(x)) with respect to x), which the train step gets by wrapping D in
``augment``. G never sees an augmented image, so its samples are the data's kind of image as long as the
augmentation does not leak (see ada.py).
"""

import tensorflow as tf

from keras_stylegan.augment.ada import ada_augment
from keras_stylegan.augment.ada_controller import AdaController, sign_totals
from keras_stylegan.augment.config import AugmentConfig
from keras_stylegan.augment.diffaugment import diffaugment


class Augment:
    """Callable on a batch of images D is about to see; create it inside the distribution strategy's scope.

    ``augment(images, rng)`` returns float32 images (the input itself with method "none"); ``observe(real_scores,
    global_batch, step)`` feeds D's outputs on the reals of a D step to ADA's controller and returns the step's
    mean sign of them (r_t of the step). The controller exists whatever the method, so that every checkpoint holds
    p and a run may change its method on resume.
    """

    def __init__(self, config=None):
        self.config = config or AugmentConfig()
        self.policy = self.config.policy
        self.controller = AdaController(target=self.config.ada_target, kimg=self.config.ada_kimg,
                                        interval=self.config.ada_interval, p_max=self.config.ada_p_max)

    @property
    def method(self):
        """"none", "diffaug" or "ada"."""
        return self.config.augment

    def strength(self):
        """ADA's p as a float32 scalar tensor: the fixed ``augment_p`` or the controller's."""
        if self.config.adaptive:
            return tf.convert_to_tensor(self.controller.p)
        return tf.constant(max(self.config.augment_p, 0.0), tf.float32)

    def __call__(self, images, rng):
        if self.method == "diffaug":
            return diffaugment(images, self.policy, rng)
        if self.method == "ada":
            return ada_augment(images, self.strength(), rng)
        return images

    def observe(self, real_scores, global_batch, step):
        """D's outputs on a D step's (augmented) reals: ADA's controller adjusts p when adaptive; returns the
        step's mean sign over all replicas."""
        totals = sign_totals(real_scores)
        if self.config.adaptive:
            self.controller.update(totals, global_batch, step)
        return totals[0] / totals[1]

    def checkpoint_items(self):
        """ADA's p and running sums, for the training checkpoint."""
        return self.controller.checkpoint_items()
