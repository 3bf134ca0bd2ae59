"""ADA's adaptive augmentation strength (Karras et al. 2020, "Training Generative Adversarial Networks with Limited
Data", Sec. 3).

D overfitting shows in its outputs on the (augmented) reals: the heuristic r_t = E[sign(D(x))] is 0 when D
cannot tell reals from fakes and 1 when it is sure of every real. Every ``interval`` minibatches p moves by

    sign(r_t - target) * (global batch * interval) / (kimg * 1000)

with r_t the mean over the interval's reals, so that p can move from 0 to 1 in ``kimg`` thousand images; it is
clamped to [0, p_max]. p and the interval's running sums are tf.Variables in the training checkpoint, so a
resumed run adjusts p exactly as the uninterrupted one would. Under tf.distribute the sums are all-reduced over
the replicas before they are added, so every replica holds the same p.
"""

import tensorflow as tf


def _state(name):
    return tf.Variable(0.0, dtype=tf.float32, trainable=False, name=name,
                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)


def sign_totals(real_scores):
    """[sum of sign(D(x)), number of reals] over the reals of every replica (``real_scores`` [N] on this one);
    call in replica context."""
    scores = tf.reshape(tf.cast(real_scores, tf.float32), [-1])
    local = tf.stack([tf.reduce_sum(tf.sign(scores)), tf.cast(tf.size(scores), tf.float32)])
    return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, local)


class AdaController:
    """p and the running sums of the overfitting heuristic; create it inside the distribution strategy's scope."""

    def __init__(
        self,
        target=0.6,  # the r_t that p steers towards
        kimg=500.0,  # thousands of images in which p can move by 1
        interval=4,  # minibatches between adjustments
        p_max=1.0,  # p stays in [0, p_max]
    ):
        self.target = float(target)
        self.kimg = float(kimg)
        self.interval = int(interval)
        self.p_max = float(p_max)
        self.p = _state("augment_p")
        self.sign_sum = _state("ada_sign_sum")  # sum of sign(D(real)) since the last adjustment
        self.sign_count = _state("ada_sign_count")  # reals since the last adjustment

    def checkpoint_items(self):
        """The controller's state, for the training checkpoint."""
        return {"p": self.p, "sign_sum": self.sign_sum, "sign_count": self.sign_count}

    def update(self, totals, global_batch, step):
        """Add one step's ``totals`` (:func:`sign_totals` of D's outputs on its reals) to the running sums and, on
        every ``interval``-th step (``step`` counted from 0), adjust p and start new sums."""
        sign_sum, sign_count = self.sign_sum + totals[0], self.sign_count + totals[1]
        due = tf.equal(tf.math.floormod(tf.cast(step, tf.int64) + 1, self.interval), 0)
        r_t = sign_sum / tf.maximum(sign_count, 1.0)
        step_size = global_batch * self.interval / (self.kimg * 1000.0)
        adjusted = tf.clip_by_value(self.p + tf.sign(r_t - self.target) * step_size, 0.0, self.p_max)
        self.p.assign(tf.where(due, adjusted, self.p))
        self.sign_sum.assign(tf.where(due, 0.0, sign_sum))
        self.sign_count.assign(tf.where(due, 0.0, sign_count))
