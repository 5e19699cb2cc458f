"""A DistilBERT token classifier that also reads the case of each subtoken's word.

Same encoder, same head, same checkpoint files as ``TFDistilBertForTokenClassification``,
plus one layer: ``case_embeddings``, a vector per ``casing.CASE_CLASSES`` entry added to
the word-piece embeddings before the positions and the layer norm. It starts at zero, so a
fresh model computes exactly what the pretrained one does and learns from the labels how
much the case tells. ``save_pretrained`` writes the layer with the other weights and marks
``config.ner_case_features``; ``modeling`` loads such a directory with this class.
"""
import tensorflow as tf
from transformers import TFDistilBertForTokenClassification
from transformers.modeling_tf_utils import keras

from assignment.labs.ner.casing import CASE_CLASSES


class TFDistilBertWithCaseForTokenClassification(TFDistilBertForTokenClassification):
    """``call(input_ids, attention_mask, case_ids)`` -> logits (batch, length, labels);
    ``case_ids`` (batch, length) of class ids, all 0 ("none") when left out."""

    def __init__(self, config, *inputs, **kwargs):
        config.ner_case_features = True  # saved in config.json: how the model is loaded back
        super().__init__(config, *inputs, **kwargs)
        self.case_embeddings = keras.layers.Embedding(len(CASE_CLASSES), config.dim, embeddings_initializer="zeros",
                                                      name="case_embeddings")

    def call(self, input_ids=None, attention_mask=None, case_ids=None, training=False, **kwargs):
        if isinstance(input_ids, dict):  # Keras builds the model with one dict of inputs
            inputs = dict(input_ids)
            input_ids = inputs.pop("input_ids")
            attention_mask = inputs.pop("attention_mask", attention_mask)
            case_ids = inputs.pop("case_ids", case_ids)
        if case_ids is None:
            case_ids = tf.zeros_like(input_ids)
        pieces = tf.gather(self.distilbert.embeddings.weight, input_ids)  # (batch, length, dim)
        embeds = pieces + self.case_embeddings(case_ids)  # (batch, length, dim)
        return super().call(inputs_embeds=embeds, attention_mask=attention_mask, training=training, **kwargs)

    def build(self, input_shape=None):
        if self.built:
            return
        with tf.name_scope(self.case_embeddings.name):
            self.case_embeddings.build(None)
        super().build(input_shape)
